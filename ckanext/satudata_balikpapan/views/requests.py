"""Web pages of the data requests (permohonan data): the public list, the form, the request's
page (public, or complete with the private link or for the people who handle it) and the
walidata's and the OPD's steps."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response

from ckanext.satudata_balikpapan.data_requests import service as dr
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.registry import opd, vocabularies
from ckanext.satudata_balikpapan.views.common import request_context as _context

data_requests = Blueprint("satudata_requests", __name__)

FORM_FIELDS = (
    "name",
    "email",
    "institution",
    "purpose",
    "data_description",
    "period",
    "area",
    "organization",
)
PER_PAGE = 20


def _organizations() -> list[dict[str, Any]]:
    """The OPDs to choose from (``registry.opd.organizations``: no Solr needed)."""
    return [{"value": o.name, "text": o.display_name} for o in opd.organizations()]


def _regions() -> list[dict[str, Any]]:
    return [{"value": code, "text": dr.area_label(code)} for code in vocabularies.regions()]


def _summary(errors: dict[str, list[str]]) -> dict[str, str]:
    """The form's error summary: each field's label with its messages."""
    labels = schema.data_request_labels()
    labels["rate_limit"] = ""
    labels.setdefault("dataset", tk._("Dataset"))
    labels.setdefault("state", tk._("Status"))
    labels.setdefault("reason", tk._("Reason"))
    return {labels.get(k, k): "; ".join(str(m) for m in v) for k, v in errors.items() if v}


def _private(response: Any) -> Any:
    """A page that may show personal data or a private link: kept out of caches and referrers."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@data_requests.route("/permohonan-data")
def index():
    """The public list of requests, filterable by state and OPD."""
    args = tk.request.args
    filters = {k: args.get(k) for k in ("state", "organization") if args.get(k)}
    try:
        page = min(max(1, int(args.get("page") or 1)), 100_000)
    except ValueError:
        page = 1
    error = None
    try:
        result = tk.get_action("satudata_request_list")(
            _context(), dict(filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        )
    except tk.ValidationError as e:
        result, error = {"count": 0, "results": []}, "; ".join(m for ms in e.error_dict.values() for m in ms)
    pages = max(1, -(-result["count"] // PER_PAGE))
    response = make_response(
        tk.render(
            "satudata/requests/index.html",
            {
                "result": result,
                "filters": filters,
                "error": error,
                "page": page,
                "pages": pages,
                "states": dr.STATES,
                "organizations": _organizations(),
                "with_contact": any(r["personal_data_shown"] for r in result["results"]),
            },
        )
    )
    return _private(response)


def _render_form(data: dict[str, Any], errors: dict[str, list[str]]) -> str:
    return tk.render(
        "satudata/requests/new.html",
        {
            "data": data,
            "errors": errors,
            "error_summary": _summary(errors),
            "organizations": _organizations(),
            "regions": _regions(),
            "limits": {
                "short": schema.MAX_SHORT,
                "purpose": schema.MAX_PURPOSE,
                "description": schema.MAX_DESCRIPTION,
            },
        },
    )


@data_requests.route("/permohonan-data/baru", methods=["GET", "POST"])
def new():
    """The request form; a request stored leads to its private link."""
    if tk.request.method == "GET":
        data = {"organization": tk.request.args.get("organization", "")}
        return _render_form(data, {})
    form = tk.request.form
    data = {k: form.get(k, "") for k in FORM_FIELDS}
    data[dr.HONEYPOT] = form.get(dr.HONEYPOT, "")
    try:
        result = tk.get_action("satudata_request_create")(_context(), dict(data))
    except tk.ValidationError as e:
        data.pop(dr.HONEYPOT, None)
        return _render_form(data, e.error_dict)
    if not result.get("stored"):
        tk.h.flash_success(tk._("Thank you: your data request has been received."))
        return tk.redirect_to("satudata_requests.index")
    if result.get("mail_queued"):
        text = tk._(
            "Thank you: your data request {reference} has been received. Keep the address of this page: "
            "it is your private link to follow the request. We have also sent it to your e-mail address."
        )
    else:  # the queue is down: the outbox sends the mail once it is back
        text = tk._(
            "Thank you: your data request {reference} has been received. Keep the address of this page: "
            "it is your private link to follow the request. It will also be sent to your e-mail address "
            "as soon as the mail service is back."
        )
    tk.h.flash_success(text.format(reference=result["reference"]))
    return _private(
        tk.redirect_to("satudata_requests.read", reference=result["reference"], token=result["token"])
    )


def _render_read(reference: str, token: str | None, errors: dict[str, list[str]] | None = None,
                 posted: dict[str, Any] | None = None) -> Any:  # fmt: skip
    context = _context()
    try:
        request = tk.get_action("satudata_request_show")(dict(context), {"id": reference, "token": token})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    except tk.ValidationError:
        return tk.abort(404, tk._("Data request not found"))
    if request["reference"] != reference:
        return tk.redirect_to("satudata_requests.read", reference=request["reference"], token=token or None)
    manage: dict[str, Any] = {"assign": False, "targets": [], "options": []}
    if tk.g.user:
        try:
            tk.check_access("satudata_request_assign", dict(context), {"id": request["id"]})
            manage["assign"] = not dr.is_final(request["state"])
        except tk.NotAuthorized:
            pass
        try:
            tk.check_access("satudata_request_update_state", dict(context), {"id": request["id"]})
            manage["targets"] = list(dr.allowed_targets(request["state"]))
            manage["options"] = [{"value": s, "text": dr.state_label(s)} for s in manage["targets"]]
        except tk.NotAuthorized:
            pass
    errors = errors or {}
    response = make_response(
        tk.render(
            "satudata/requests/read.html",
            {
                "request_data": request,
                "token": token,
                "bad_token": bool(token) and not request["personal_data_shown"],
                "manage": manage,
                "organizations": _organizations() if manage["assign"] else [],
                "errors": errors,
                "error_summary": _summary(errors),
                "posted": posted or {},
            },
        )
    )
    return _private(response)


@data_requests.route("/permohonan-data/<reference>")
def read(reference: str):
    """A request: public, or complete with the private link (``?token=``) or for its handlers."""
    return _render_read(reference, tk.request.args.get("token"))


def _step(reference: str, action: str, data: dict[str, Any], done: str):
    if not tk.g.user:
        return tk.abort(403, tk._("Log in to handle data requests"))
    try:
        request = tk.get_action(action)(_context(), dict(data, id=reference))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or tk._("Not authorized"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    except tk.ValidationError as e:
        return _render_read(reference, None, e.error_dict, data)
    tk.h.flash_success(done.format(reference=request["reference"], state=dr.state_label(request["state"]),
                                   opd=(request.get("organization") or {}).get("title", "")))  # fmt: skip
    return tk.redirect_to("satudata_requests.read", reference=request["reference"])


@data_requests.route("/permohonan-data/<reference>/status", methods=["POST"])
def status(reference: str):
    """The walidata or the assigned OPD changes the request's state."""
    form = tk.request.form
    data = {
        "state": form.get("state", ""),
        "reason": form.get("reason", ""),
        "dataset": form.get("dataset", ""),
    }
    return _step(
        reference, "satudata_request_update_state", data, tk._("Request {reference} is now: {state}")
    )


@data_requests.route("/permohonan-data/<reference>/tugaskan", methods=["POST"])
def assign(reference: str):
    """The walidata sends the request to an OPD."""
    form = tk.request.form
    data = {"organization": form.get("organization", ""), "note": form.get("note", "")}
    return _step(reference, "satudata_request_assign", data, tk._("Request {reference} is assigned to {opd}"))
