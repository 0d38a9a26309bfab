"""The validation of a resource on its page (#5): the status, the findings, the column schema
as a table, and the buttons to check the file again and to confirm a draft schema. Also what
the dataset page's workflow panel shows of the publish gate."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint

from ckanext.satudata_balikpapan.lib import language
from ckanext.satudata_balikpapan.quality import service
from ckanext.satudata_balikpapan.quality.engine import tableschema
from ckanext.satudata_balikpapan.quality.engine.findings import ERROR, TYPE_NAMES
from ckanext.satudata_balikpapan.views.common import button_action
from ckanext.satudata_balikpapan.views.common import request_context as _context
from ckanext.satudata_balikpapan.workflow import gate

validation_pages = Blueprint("satudata_validation", __name__)

STATUS_COLOURS = {"menunggu": "info", "valid": "success", "tidak_valid": "danger", "gagal": "warning"}


def _back(id: str, resource_id: str):
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id, _anchor="validasi-data")


@validation_pages.route("/dataset/<id>/resource/<resource_id>/validasi", methods=["POST"])
def revalidate(id: str, resource_id: str):
    """Check the resource's file again (whoever may edit it), then go back to its page."""
    button_action(
        "satudata_resource_validate", {"id": resource_id}, tk._("Resource was not found."),
        lambda result: tk._("Checked: {status}").format(status=status_label(result.get("status"))),
    )  # fmt: skip
    return _back(id, resource_id)


@validation_pages.route("/dataset/<id>/resource/<resource_id>/skema/konfirmasi", methods=["POST"])
def confirm_schema(id: str, resource_id: str):
    """Confirm the resource's draft schema (whoever may edit it), then go back to its page."""
    button_action(
        "satudata_schema_confirm", {"id": resource_id}, tk._("Resource was not found."),
        lambda _result: tk._("The column schema is confirmed"),
    )  # fmt: skip
    return _back(id, resource_id)


# --- what the templates show (through helpers.py) ---------------------------------------------


def status_label(status: str | None) -> str:
    """A validation status in the user's language."""
    labels = {
        "menunggu": tk._("Waiting to be checked"),
        "valid": tk._("Valid"),
        "tidak_valid": tk._("Not valid"),
        "gagal": tk._("Check failed"),
    }
    return labels.get(status or "", tk._("Not checked"))


def _finding_out(finding: dict[str, Any], lang: str) -> dict[str, Any]:
    message = finding.get("message") or {}
    title = finding.get("title") or {}
    return dict(
        finding,
        text=(message.get(lang) or message.get("id")) if isinstance(message, dict) else str(message),
        title_text=(title.get(lang) or title.get("id") or finding.get("code"))
        if isinstance(title, dict)
        else title,
        severity_label=tk._("Error") if finding.get("severity") == ERROR else tk._("Warning"),
    )


def _may(action: str, resource_id: str) -> bool:
    try:
        tk.check_access(action, _context(), {"id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _constraints_text(field: dict[str, Any]) -> str:
    c = field.get("constraints") or {}
    parts = []
    for name, label in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if name in c:
            parts.append(f"{label} {c[name]}")
    if "enum" in c:
        values = [str(v) for v in c["enum"]]
        parts.append(", ".join(values[:8]) + (", ..." if len(values) > 8 else ""))
    if "pattern" in c:
        parts.append(tk._("pattern {pattern}").format(pattern=c["pattern"]))
    return "; ".join(parts)


def role_label(role: str | None) -> str:
    """A column's Satu Data role in the user's language."""
    labels = {
        "region": tk._("region code"),
        "period": tk._("period"),
        "label": tk._("label"),
        "unit": tk._("unit"),
        "id": tk._("row number"),
        "dimension": tk._("dimension"),
    }
    return labels.get(role or "", "")


def schema_table(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The columns of a Table Schema as the resource page lists them."""
    if not schema:
        return []
    lang = language.ui_lang()
    keys = set(tableschema.primary_key(schema))
    rows = []
    for field in schema.get("fields") or []:
        if not isinstance(field, dict):
            continue
        rows.append(
            {
                "name": field.get("name"),
                "type": field.get("type", "string"),
                "type_label": TYPE_NAMES.get(field.get("type", "string"), {}).get(lang, field.get("type")),
                "unit": field.get("satudata:unit") or "",
                "role": (
                    tk._("period {period}").format(period=field["satudata:period"])
                    if field.get("satudata:period")
                    else role_label(field.get("satudata:role"))
                ),
                "required": bool((field.get("constraints") or {}).get("required")),
                "key": field.get("name") in keys,
                "constraints": _constraints_text(field),
            }
        )
    return rows


def resource_validation(res: dict[str, Any]) -> dict[str, Any] | None:
    """The resource page's validation panel, or None for a file that is no table."""
    if not res or not res.get("id") or service.tabular_format(res) is None:
        return None
    lang = language.ui_lang()
    row = service.validation_of(res["id"])
    resource = model.Resource.get(res["id"])
    findings = []
    if row and row["status"] in ("valid", "tidak_valid") and resource is not None:
        findings = [
            f for f in service.dataset_findings(resource.package_id) if f.get("resource_id") == res["id"]
        ]
    schema = service.parse_schema(res.get("schema"))
    counts = (row or {}).get("counts") or {}
    return {
        "status": (row or {}).get("status"),
        "status_label": status_label((row or {}).get("status")),
        "colour": STATUS_COLOURS.get((row or {}).get("status") or "", "secondary"),
        "validated_at": (row or {}).get("validated_at"),
        "rows": (row or {}).get("rows"),
        "notes": (row or {}).get("notes") or [],
        "not_run": [
            {"check": c.get("check"), "why": language.text_of(c.get("why"), lang)}
            for c in ((row or {}).get("checks") or {}).get("not_run") or []
        ],
        "roles_given": [
            {
                "field": r.get("field"),
                "role": (
                    tk._("period {period}").format(period=r["period"])
                    if r.get("period")
                    else role_label(r.get("role"))
                ),
            }
            for r in ((row or {}).get("checks") or {}).get("roles_given") or []
        ],
        "errors": (row or {}).get("errors", 0),
        "warnings": (row or {}).get("warnings", 0),
        "error_message": service.failure_message(row["error"]) if row and row.get("error") else None,
        "findings": [_finding_out(f, lang) for f in findings],
        "truncated": sum(counts.values()) > len(findings),
        "schema": schema_table(schema),
        "schema_draft": service.is_draft(schema),
        "can_edit": _may("satudata_resource_validate", res["id"]),
    }


def publish_quality(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """What the workflow panel shows of the publish gate: files being checked, errors,
    warnings to acknowledge (with whether a reason is needed), files that could not be
    checked. None for a dataset with nothing to say."""
    if not pkg or not pkg.get("id"):
        return None
    lang = language.ui_lang()
    problems = gate.open_problems(pkg["id"])
    out = {
        "pending": problems["pending"],
        "error_count": problems["error_count"],
        "errors": [_finding_out(f, lang) for f in problems["errors"]][: gate.SHOWN * 2],
        "warnings": [_finding_out(f, lang) for f in problems["warnings"]],
        "failed": [dict(f, why=service.failure_message(f.get("error"))) for f in problems["failed"]],
    }
    out["needs_reason"] = bool(out["warnings"] or out["failed"])
    out["blocked"] = bool(out["pending"] or out["error_count"])
    if not (out["blocked"] or out["needs_reason"]):
        return None
    return out
