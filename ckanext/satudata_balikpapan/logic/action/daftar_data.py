"""Daftar Data actions: the items each OPD owes in a year (entered by the walidata), their
derived status, and the counts per OPD."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.satudata_balikpapan.bulk import daftar_data as sheet
from ckanext.satudata_balikpapan.bulk import workbook
from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.epss import evidence, export
from ckanext.satudata_balikpapan.lib import clock, language
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.logic.action.bulk import save_upload
from ckanext.satudata_balikpapan.model import daftar_data as db
from ckanext.satudata_balikpapan.registry import opd, roles


def _validated(context: Context, data_dict: DataDict, partial: bool) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), schema.daftar_data_item_schema(partial), context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _show(item_id: str, context: Context) -> dict[str, Any]:
    entry = daftar.entries([daftar.get(item_id)])[0]
    return daftar.view(entry, roles.actor(context), language.ui_lang())


def satudata_daftar_data_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add an item to an OPD's Daftar Data. Walidata.

    :param year: the Daftar Data's year, e.g. 2026 (required)
    :param organization: the OPD that owes the data, by name or id (required)
    :param title: what the OPD will publish, e.g. "Jumlah Penduduk menurut Kelurahan" (required;
        one title per OPD and year)
    :param prioritas: whether the Forum made it Data Prioritas (true/false, default false)
    :param kriteria_prioritas: why it is a priority (rpjmd, spm, sdgs, nasional, pimpinan)
    :param sektor_kegiatan: the statistical sector (the ``sektor`` vocabulary)
    :param frekuensi: the release frequency (the ``frekuensi`` vocabulary)
    :param jadwal_rilis: the planned release date, e.g. 2026-06-30 (within the year or the next)
    :param konsep, definisi, satuan, kodereferensi: the standar data the item follows
    :param catatan: a note
    :returns: the item, with its derived ``status`` (``belum_ada`` until a dataset is linked)
    """
    tk.check_access("satudata_daftar_data_create", context, data_dict)
    row = daftar.create(context, _validated(context, data_dict, partial=False))
    return _show(row["id"], context)


def satudata_daftar_data_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change an item of the Daftar Data: only the fields given change; an optional field
    given empty is cleared. Walidata. The status is derived, never set.

    :param id: the item's id
    :param ...: any field of ``satudata_daftar_data_create``; the OPD and the year of an
        item that datasets fulfil cannot change
    """
    tk.check_access("satudata_daftar_data_update", context, data_dict)
    key, errors = tk.navl_validate({"id": data_dict.get("id")}, schema.daftar_data_key_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    item_id = key["id"]
    daftar.get(item_id)  # a 404 before any validation message
    given = {k: v for k, v in data_dict.items() if k in daftar.FIELDS}
    cleared = [k for k, v in given.items() if v in ("", None)]
    labels = schema.daftar_data_labels()
    kept = {
        k: [tk._("{field} is required").format(field=labels[k])] for k in cleared if k not in daftar.CLEARABLE
    }
    if kept:  # the year, the OPD and the title can change, never be emptied
        raise tk.ValidationError(kept)
    daftar.update(context, item_id, _validated(context, given, partial=True), cleared)
    return _show(item_id, context)


@validate(schema.daftar_data_key_schema)
def satudata_daftar_data_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove an item no dataset fulfils. Walidata.

    :param id: the item's id
    """
    tk.check_access("satudata_daftar_data_delete", context, data_dict)
    daftar.delete(data_dict["id"])
    return {"id": data_dict["id"], "deleted": True}


@tk.side_effect_free
@validate(schema.daftar_data_key_schema)
def satudata_daftar_data_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An item of the Daftar Data with its derived status. Anyone: the plan is public; the
    datasets that fulfil it are named only to those who may read them (``datasets_count``
    counts them all).

    :param id: the item's id
    """
    tk.check_access("satudata_daftar_data_show", context, data_dict)
    return _show(data_dict["id"], context)


@tk.side_effect_free
@validate(schema.daftar_data_list_schema)
def satudata_daftar_data_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The Daftar Data of a year: every item with its derived status, and the counts per OPD
    (promised, published, on time, late; ``fulfilment`` and ``on_time_share`` in per cent).
    Anyone.

    :param year: the year (default: this year on the portal's clock)
    :param organization: one OPD, by name or id (optional; refused by name when there is none)
    :param prioritas: Data Prioritas only (true) or the others only (false) (optional)
    :param sektor_kegiatan: one sector (optional)
    :param status: only these statuses (a list or comma-separated: belum_ada, draft,
        diajukan, terbit, terlambat); the counts are of the listed items
    :returns: ``{"year", "years", "count", "results": [...], "summary": {"organizations", "total"}}``
    """
    tk.check_access("satudata_daftar_data_list", context, data_dict)
    wanted = data_dict.get("status") or []
    unknown = [s for s in wanted if s not in status.STATUSES]
    if unknown:
        raise tk.ValidationError(
            {
                "status": [
                    tk._('Unknown status "{state}"; choose one of: {allowed}').format(
                        state=", ".join(unknown), allowed=", ".join(status.STATUSES)
                    )
                ]
            }
        )
    org_ids = [data_dict["organization"]] if data_dict.get("organization") else None
    year = data_dict.get("year") or clock.today().year
    items = db.list_items(year, org_ids, data_dict.get("prioritas"), data_dict.get("sektor_kegiatan"))
    found = [e for e in daftar.entries(items) if not wanted or e.progress.status in wanted]
    actor, lang = roles.actor(context), language.ui_lang()
    return {
        "year": year,
        "years": sorted({*db.years(), year}, reverse=True),
        "count": len(found),
        "results": [daftar.view(e, actor, lang) for e in found],
        "summary": daftar.summary(found),
    }


@validate(schema.daftar_data_import_schema)
def satudata_daftar_data_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Enter a year's Daftar Data from the Forum's workbook (the template of
    ``/daftar-data/templat/<year>``). Walidata.

    Every row is checked first, as ``satudata_daftar_data_create`` checks an item; a row whose
    OPD already has an item of that title in the year updates it. With any problem nothing is
    stored (``applied`` false) and every problem is listed; without, all rows land together.

    :param year: the year of the list (required)
    :param upload: the workbook (multipart/form-data), at most 20 MB
    :returns: ``rows``, ``created``, ``updated``, ``applied`` and ``problems`` (each: ``row``,
        ``column`` letter, ``field``, ``message``)
    """
    tk.check_access("satudata_daftar_data_import", context, data_dict)

    def validate_row(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        data, errors = tk.navl_validate(row, schema.daftar_data_item_schema(), context)
        return data, {k: v for k, v in errors.items() if v}

    folder = Path(tempfile.mkdtemp(prefix="satudata-daftar-"))
    try:
        path = save_upload(data_dict.get("upload"), folder)
        try:
            report = sheet.import_sheet(dict(context), data_dict["year"], path, validate_row)
        except workbook.SheetError as error:
            raise tk.ValidationError({"upload": [str(error)]}) from error
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report.as_dict()


@tk.side_effect_free
@validate(schema.epss_evidence_schema)
def satudata_epss_evidence(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The EPSS evidence of an OPD for a year (Peraturan BPS 3/2022, domain Proses Bisnis):
    each figure by aspect with how it was computed, the Daftar Data and its fulfilment, the
    verification record of the year (submissions, returns with their notes, publications) and
    the data requests answered. The walidata, the pembina data (BPS) and the OPD's own editors
    and admins. Which figure is evidence of which aspect is the portal's reading (``inferred``).

    :param id: the OPD (name or id)
    :param year: the year (default: this year on the portal's clock)
    """
    group = opd.organization(data_dict["id"])
    if group is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    tk.check_access("satudata_epss_evidence", context, {"id": group.id})
    today = clock.today()
    found = evidence.collect(group, data_dict.get("year") or today.year, today)
    return export.as_dict(found, roles.actor(context), language.ui_lang())
