"""The Daftar Data through Excel: the template the walidata downloads for a year (the
Forum's spreadsheet, one row an item, the year's items pre-filled), and its upload.

An upload is checked whole before anything is stored: each row through the same validation
as ``satudata_daftar_data_create`` (the schema is handed in by the action, which owns it) and
the same rules (one title per OPD and year, the release date within the year or the next);
the report names the row, the column and the problem, in the user's language. Without
problems every row lands in one transaction (a row whose OPD already has an item of that
title updates it); with any, nothing does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_balikpapan.bulk import workbook
from ckanext.satudata_balikpapan.bulk.columns import Column
from ckanext.satudata_balikpapan.bulk.service import Problem
from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.registry import opd, vocabularies

ANCHOR = "title"
YES_NO = (("true", {"id": "Ya", "en": "Yes"}), ("false", {"id": "Tidak", "en": "No"}))

GUIDE = [
    "Templat Daftar Data Satu Data Kota Balikpapan",
    "",
    "1. Satu baris untuk satu butir Daftar Data (data yang disepakati Forum Satu Data untuk diterbitkan).",
    "2. Baris yang sudah terisi adalah butir tahun ini; judul yang sama pada Perangkat Daerah yang sama",
    "   memperbarui butir itu, judul baru menambah butir.",
    "3. Kolom bertanda * wajib diisi. Kolom dengan daftar pilihan: pilih dari daftar.",
    "4. Jadwal Rilis: tanggal (mis. 2026-06-30), di tahun daftar atau tahun berikutnya.",
    "5. Jangan ubah baris 2 (kunci kolom): portal membaca kolom menurut baris itu.",
    "6. Bila ada satu baris yang salah, tidak ada yang disimpan: perbaiki baris yang disebut,",
    "   lalu unggah lagi.",
]


def _choices(name: str) -> tuple[tuple[str, dict[str, str]], ...]:
    return tuple((t.code, dict(t.label)) for t in vocabularies.vocabulary(name))


def columns() -> list[Column]:
    """The template's columns, in the order of the walidata's form."""
    orgs = tuple((o.name, {"id": o.display_name, "en": o.display_name}) for o in opd.organizations())
    criteria = tuple((c.code, dict(c.label)) for c in status.rules().criteria)
    units = _choices("satuan")
    return [
        Column(ANCHOR, {"id": "Judul", "en": "Title"}, required=True),
        Column("organization", {"id": "Perangkat Daerah", "en": "OPD"}, required=True, choices=orgs),
        Column("prioritas", {"id": "Data Prioritas", "en": "Priority data"}, choices=YES_NO),
        Column(
            "kriteria_prioritas", {"id": "Kriteria Prioritas", "en": "Priority criterion"}, choices=criteria
        ),
        Column("sektor_kegiatan", {"id": "Sektor", "en": "Sector"}, choices=_choices("sektor")),
        Column(
            "frekuensi",
            {"id": "Frekuensi Penerbitan", "en": "Release frequency"},
            choices=_choices("frekuensi"),
        ),
        Column(
            "jadwal_rilis",
            {"id": "Jadwal Rilis", "en": "Release date"},
            help={"id": "Tanggal, mis. 2026-06-30", "en": "A date, e.g. 2026-06-30"},
        ),
        Column("konsep", {"id": "Konsep", "en": "Concept"}),
        Column("definisi", {"id": "Definisi", "en": "Definition"}),
        Column("satuan", {"id": "Satuan", "en": "Unit"}, choices=units),
        Column("kodereferensi", {"id": "Kode Referensi", "en": "Reference code"}),
        Column("catatan", {"id": "Catatan", "en": "Note"}),
    ]


def template(year: int) -> bytes:
    """The template for ``year``, pre-filled with the year's items."""
    cols = columns()
    rows = []
    for item in daftar.entries(daftar.items_of_year(year)):
        org = opd.organization(item.item["organization_id"])
        values = {
            **item.item,
            "organization": org.name if org else item.item["organization_id"],
            "prioritas": "true" if item.item["prioritas"] else "false",
            "jadwal_rilis": item.item["jadwal_rilis"].isoformat() if item.item["jadwal_rilis"] else None,
        }
        rows.append([c.cell_of(values.get(c.key)) for c in cols])
    return workbook.write(cols, rows, f"Daftar Data {year} - Satu Data Kota Balikpapan", GUIDE)


@dataclass
class ImportReport:
    """What an upload gave: rows read, items created and updated, the problems, and whether
    it was stored."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "applied": self.applied,
                "problems": [p.__dict__ for p in self.problems]}  # fmt: skip


def _cell(value: Any) -> Any:
    """A date cell as its ISO day (Excel stores dates as date-times)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


Validate = Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, list[str]]]]


def import_sheet(context: dict[str, Any], year: int, path: Path, validate: Validate) -> ImportReport:
    """Check every row of an uploaded template with ``validate`` (the action's schema) and
    the item rules, then store them all in one transaction when none has a problem. Raises
    :class:`~.workbook.SheetError` for a file that is not a readable template."""
    cols = columns()
    report = ImportReport()
    plans: list[tuple[str | None, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in workbook.read(path, cols, anchor=ANCHOR):
        report.rows += 1

        def problem(key: str, message: str, number: int = row.number) -> None:
            report.problems.append(Problem(number, workbook.column_letter(cols, key), key, message))

        cells = {c.key: c.value_of(_cell(row.cells.get(c.key))) for c in cols}
        data, errors = validate({k: v for k, v in cells.items() if v is not None} | {"year": year})
        for key, messages in errors.items():
            for message in messages:
                problem(key, str(message))
        if errors:
            continue
        key = (data["organization"], data["title"].lower())
        if key in seen:
            problem(
                ANCHOR, tk._("The same title for the same OPD is also in row {row}").format(row=seen[key])
            )
            continue
        seen[key] = row.number
        item_id = daftar.existing_id(year, data["organization"], data["title"])
        for field_name, message in daftar.check_item(data, except_id=item_id):
            problem(field_name, message)
        plans.append((item_id, data))
    if report.problems or not plans:
        return report
    daftar.save_many(context, plans)
    report.created = sum(1 for item_id, _ in plans if item_id is None)
    report.updated = len(plans) - report.created
    report.applied = True
    return report
