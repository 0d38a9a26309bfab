"""Web pages of bulk metadata through Excel: an OPD's "Templat Metadata" to download, its
upload with the report, and the published catalogue's metadata as XLSX and CSV."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response

from ckanext.satudata_balikpapan.bulk import service as bulk
from ckanext.satudata_balikpapan.registry import opd
from ckanext.satudata_balikpapan.views.common import request_context as _context

metadata_sheets = Blueprint("satudata_bulk", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org_or_abort(id: str) -> Any:
    org = opd.organization(id)
    if org is None:
        return tk.abort(404, tk._("Organization not found"))
    try:
        tk.check_access("satudata_metadata_import", _context(), {"organization": org.name})
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized"))
    return org


def _file(body: bytes | str, filename: str, mimetype: str) -> Any:
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@metadata_sheets.route("/organization/<id>/templat-metadata.xlsx")
def template(id: str):
    """The OPD's template, its datasets pre-filled (for those who may fill them in)."""
    org = _org_or_abort(id)
    tk.request.environ["__no_cache__"] = True  # pre-filled with drafts: never a shared cache
    return _file(bulk.template(org), f"templat-metadata-{org.name}.xlsx", XLSX)


@metadata_sheets.route("/organization/<id>/unggah-metadata", methods=["GET", "POST"])
def upload(id: str):
    """The upload form, and on POST the report of the check (and what was applied)."""
    org = _org_or_abort(id)
    report, error = None, None
    if tk.request.method == "POST":
        data = {
            "organization": org.name,
            "upload": tk.request.files.get("upload"),
            "only_valid": tk.request.form.get("only_valid") == "true",
        }
        try:
            report = tk.get_action("satudata_metadata_import")(_context(), data)
        except tk.ValidationError as e:
            error = "; ".join(
                m for ms in e.error_dict.values() for m in (ms if isinstance(ms, list) else [ms])
            )
        except tk.NotAuthorized as e:
            return tk.abort(403, str(e) or tk._("Not authorized"))
    return tk.render("satudata/metadata_upload.html", {"org": org, "report": report, "error": error})


@metadata_sheets.route("/katalog/metadata.<fmt>")
def catalogue(fmt: str):
    """The published catalogue's metadata, one row a dataset, as XLSX or CSV."""
    if fmt not in ("xlsx", "csv"):
        return tk.abort(404, tk._("Not found"))
    rows = bulk.published_catalogue()
    if fmt == "csv":
        return _file(bulk.export_csv(rows), "katalog-metadata.csv", "text/csv; charset=utf-8")
    return _file(bulk.export_xlsx(rows), "katalog-metadata.xlsx", XLSX)
