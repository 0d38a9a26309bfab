"""Web pages of the Daftar Data: the public page of a year (per OPD, what was promised and
what is delivered, with the late ones, filters and charts) and the walidata's form to add,
change and remove items."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response

from ckanext.satudata_balikpapan.bulk import daftar_data as sheet
from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.epss import export
from ckanext.satudata_balikpapan.lib import clock, language
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.portal import charts
from ckanext.satudata_balikpapan.registry import opd, roles, vocabularies
from ckanext.satudata_balikpapan.views.common import error_text
from ckanext.satudata_balikpapan.views.common import request_context as _context

daftar_data = Blueprint("satudata_daftar_data", __name__)

FILTERS = ("organization", "sektor_kegiatan", "prioritas", "status")


@daftar_data.route("/daftar-data")
def index():
    """This year's Daftar Data."""
    return tk.redirect_to("satudata_daftar_data.year", year=clock.today().year)


def _choices() -> dict[str, list[dict[str, str]]]:
    """The choices of the filters and of the form, labelled in the reader's language."""
    lang = language.ui_lang()
    rules = status.rules()

    def vocab(name: str) -> list[dict[str, str]]:
        return [{"value": t.code, "text": t.text(lang)} for t in vocabularies.vocabulary(name)]

    labels = [rules.label(c) for c in status.STATUSES]
    return {
        "organizations": [{"value": o.name, "text": o.display_name} for o in opd.organizations()],
        "sectors": vocab("sektor"),
        "frequencies": vocab("frekuensi"),
        "units": vocab("satuan"),
        "statuses": [{"value": label.code, "text": label.text(lang)} for label in labels if label],
        "criteria": [{"value": c.code, "text": c.text(lang)} for c in rules.criteria],
    }


def _charts(result: dict[str, Any]) -> dict[str, Any]:
    rows = result["summary"]["organizations"]
    return {
        "fulfilment": charts.bar_chart(
            [(r["organization"]["title"], r["fulfilment"] or 0) for r in rows],
            title=language.gettext("Share of the promised data published, by OPD"),
            unit="%",
            max_items=60,
        ),
        "on_time": charts.bar_chart(
            [(r["organization"]["title"], r["on_time_share"]) for r in rows if r["dated_published"]],
            title=language.gettext("Share published on time, by OPD"),
            unit="%",
            max_items=60,
        ),
    }


@daftar_data.route("/daftar-data/<int:year>")
def year(year: int):
    """The Daftar Data of ``year``: the counts per OPD with two charts, then every item with
    its status; filters by OPD, sector, Data Prioritas and status."""
    if not schema.YEARS[0] <= year <= schema.YEARS[1]:
        return tk.abort(404, tk._("There is no Daftar Data for {year}").format(year=year))
    args = tk.request.args
    filters = {k: args.get(k) for k in FILTERS if args.get(k)}
    query: dict[str, Any] = dict(filters, year=year)
    error = None
    try:
        result = tk.get_action("satudata_daftar_data_list")(_context(), query)
    except tk.ValidationError as e:
        error = error_text(e)
        result = tk.get_action("satudata_daftar_data_list")(_context(), {"year": year})
        filters = {}
    manage = roles.is_reviewer(tk.g.userobj)
    evidence = set()
    if tk.g.user:
        for row in result["summary"]["organizations"]:
            try:
                tk.check_access("satudata_epss_evidence", _context(), {"id": row["organization"]["id"]})
            except tk.NotAuthorized:
                continue
            evidence.add(row["organization"]["id"])
    return tk.render(
        "satudata/daftar_data/index.html",
        {
            "result": result,
            "filters": filters,
            "error": error,
            "charts": _charts(result),
            "manage": manage,
            "evidence": evidence,
            "startable": {i["id"] for i in daftar.open_items_for(tk.g.userobj, year)} if tk.g.user else set(),
            **_choices(),
        },
    )


def _form(item: dict[str, Any] | None, data: dict[str, Any], errors: dict[str, list[str]]) -> str:
    labels = schema.daftar_data_labels()
    return tk.render(
        "satudata/daftar_data/form.html",
        {
            "item": item,
            "data": data,
            "errors": errors,
            "error_summary": {labels.get(k, k): "; ".join(map(str, v)) for k, v in errors.items() if v},
            **_choices(),
        },
    )


def _posted() -> dict[str, Any]:
    form = tk.request.form
    data = {k: form.get(k, "") for k in daftar.FIELDS}
    data["prioritas"] = "true" if form.get("prioritas") else "false"
    return data


def _year_arg(value: Any) -> int:
    """A year from a query or form field; this year for anything that is no year of a list."""
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and schema.YEARS[0] <= int(text) <= schema.YEARS[1]:
        return int(text)
    return clock.today().year


def _require_walidata() -> None:
    if not roles.is_reviewer(tk.g.userobj):
        tk.abort(403, tk._("Only the walidata can change the Daftar Data"))


@daftar_data.route("/daftar-data/butir/baru", methods=["GET", "POST"])
def new():
    """The walidata adds an item."""
    _require_walidata()
    if tk.request.method == "GET":
        data = {"year": _year_arg(tk.request.args.get("year"))}
        return _form(None, data, {})
    data = _posted()
    try:
        item = tk.get_action("satudata_daftar_data_create")(_context(), dict(data))
    except tk.ValidationError as e:
        return _form(None, data, e.error_dict)
    tk.h.flash_success(tk._('"{title}" is in the Daftar Data {year}').format(**item))
    return tk.redirect_to("satudata_daftar_data.year", year=item["year"], _anchor=f"butir-{item['id']}")


@daftar_data.route("/daftar-data/butir/<item_id>/ubah", methods=["GET", "POST"])
def edit(item_id: str):
    """The walidata changes an item."""
    _require_walidata()
    try:
        item = tk.get_action("satudata_daftar_data_show")(_context(), {"id": item_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Daftar Data item not found"))
    if tk.request.method == "GET":
        data = {k: item.get(k) for k in daftar.FIELDS}
        data["organization"] = item["organization"]["name"] or item["organization"]["id"]
        return _form(item, data, {})
    data = _posted()
    try:
        item = tk.get_action("satudata_daftar_data_update")(_context(), dict(data, id=item_id))
    except tk.ValidationError as e:
        return _form(item, data, e.error_dict)
    tk.h.flash_success(tk._('"{title}" is changed').format(**item))
    return tk.redirect_to("satudata_daftar_data.year", year=item["year"], _anchor=f"butir-{item['id']}")


@daftar_data.route("/daftar-data/butir/<item_id>/hapus", methods=["POST"])
def delete(item_id: str):
    """The walidata removes an item no dataset fulfils."""
    _require_walidata()
    try:
        item = tk.get_action("satudata_daftar_data_show")(_context(), {"id": item_id})
        tk.get_action("satudata_daftar_data_delete")(_context(), {"id": item_id})
    except (tk.ObjectNotFound, tk.ValidationError) as e:
        if isinstance(e, tk.ObjectNotFound):
            return tk.abort(404, tk._("Daftar Data item not found"))
        tk.h.flash_error(error_text(e))
        return tk.redirect_to("satudata_daftar_data.edit", item_id=item_id)
    tk.h.flash_success(tk._('"{title}" is removed from the Daftar Data {year}').format(**item))
    return tk.redirect_to("satudata_daftar_data.year", year=item["year"])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@daftar_data.route("/daftar-data/templat/<int:year>")
def template(year: int):
    """The Forum's workbook for ``year``, the year's items pre-filled. Walidata."""
    _require_walidata()
    if not schema.YEARS[0] <= year <= schema.YEARS[1]:
        return tk.abort(404, tk._("There is no Daftar Data for {year}").format(year=year))
    tk.request.environ["__no_cache__"] = True
    response = make_response(sheet.template(year))
    response.headers["Content-Type"] = XLSX
    response.headers["Content-Disposition"] = f'attachment; filename="daftar-data-{year}.xlsx"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@daftar_data.route("/daftar-data/unggah", methods=["GET", "POST"])
def upload():
    """The upload of the Forum's workbook, and on POST the report of the check. Walidata."""
    _require_walidata()
    year = _year_arg(tk.request.values.get("year"))
    report, error = None, None
    if tk.request.method == "POST":
        data = {"year": tk.request.form.get("year"), "upload": tk.request.files.get("upload")}
        try:
            report = tk.get_action("satudata_daftar_data_import")(_context(), data)
        except tk.ValidationError as e:
            error = error_text(e)
    return tk.render("satudata/daftar_data/upload.html", {"year": year, "report": report, "error": error})


def _evidence(year: int, org: str) -> dict[str, Any]:
    if not schema.YEARS[0] <= year <= schema.YEARS[1]:
        return tk.abort(404, tk._("There is no Daftar Data for {year}").format(year=year))
    try:
        return tk.get_action("satudata_epss_evidence")(_context(), {"id": org, "year": year})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or tk._("Not authorized"))
    except tk.ValidationError:
        return tk.abort(404, tk._("Organization not found"))


@daftar_data.route("/daftar-data/<int:year>/epss/<org>")
def epss(year: int, org: str):
    """The EPSS evidence of an OPD for a year, as a page to print (or save as PDF)."""
    data = _evidence(year, org)
    tk.request.environ["__no_cache__"] = True
    counts = [(item["status_label"], 1) for item in data["items"]]
    by_status: dict[str, int] = {}
    for label, n in counts:
        by_status[label] = by_status.get(label, 0) + n
    chart = charts.bar_chart(
        list(by_status.items()), title=language.gettext("Daftar Data items by status"), max_items=10
    )
    return tk.render("satudata/daftar_data/epss.html", {"data": data, "chart": chart})


@daftar_data.route("/daftar-data/<int:year>/epss/<org>/bukti-epss.xlsx")
def epss_workbook(year: int, org: str):
    """The EPSS evidence of an OPD for a year as a workbook (in Indonesian)."""
    data = _evidence(year, org)
    tk.request.environ["__no_cache__"] = True
    name = data["organization"]["name"] or "opd"
    response = make_response(export.workbook(data))
    response.headers["Content-Type"] = XLSX
    response.headers["Content-Disposition"] = f'attachment; filename="bukti-epss-{year}-{name}.xlsx"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
