"""Web pages of the verification workflow: the step buttons, the review queue, "Data OPD
saya" and the CSV export of the history."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, Response

from ckanext.satudata_balikpapan.lib.text import spreadsheet_safe
from ckanext.satudata_balikpapan.model import workflow_event
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.views.common import button_action
from ckanext.satudata_balikpapan.views.common import error_text as _error_text
from ckanext.satudata_balikpapan.views.common import request_context as _context
from ckanext.satudata_balikpapan.workflow import service as workflow_service
from ckanext.satudata_balikpapan.workflow import states

workflow = Blueprint("satudata_workflow", __name__)


@workflow.route("/dataset/<id>/verifikasi/<action>", methods=["POST"])
def step(id: str, action: str):
    """Take a workflow step from the dataset page, then go back to it."""
    if action not in states.TRANSITIONS:
        return tk.abort(404, tk._("Unknown workflow step"))
    data = {"id": id, "note": tk.request.form.get("note", "")}
    if action in workflow_service.GATED:
        data["override_reason"] = tk.request.form.get("override_reason", "")
    button_action(
        f"satudata_{action}", data, tk._("Dataset not found"),
        lambda _result: tk._("Done: {step}").format(step=tk.h.satudata_action_label(action)),
    )  # fmt: skip
    return tk.redirect_to("dataset.read", id=id)


def _queue(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    try:
        return tk.get_action("satudata_review_queue")(_context(), data), None
    except tk.ValidationError as e:
        return {"count": 0, "results": []}, _error_text(e)


def _workflow_page(template: str, **values: Any) -> str:
    """Render a workflow page with the user's notices and the list of states."""
    notices = tk.get_action("satudata_notification_list")(_context(), {"limit": 10})
    return tk.render(template, dict(values, notices=notices, states=states.STATES))


@workflow.route("/verifikasi/antrean")
def queue():
    """The walidata's and the pembina's review queue, filterable by OPD, state and age."""
    if not tk.g.user:
        return tk.abort(403, tk._("Log in to see what awaits you"))
    args = tk.request.args
    data = {k: args.get(k) for k in ("owner_org", "state", "min_age_days", "migrated") if args.get(k)}
    result, error = _queue(data)
    orgs = tk.get_action("organization_list")({}, {"all_fields": True})
    return _workflow_page("satudata/queue.html", result=result, error=error, filters=data, organizations=orgs)


@workflow.route("/verifikasi/data-opd-saya")
def my_opd():
    """The produsen's page: each dataset of their OPDs with its state, age and last note."""
    if not tk.g.user:
        return tk.abort(403, tk._("Log in to see what awaits you"))
    state = tk.request.args.get("state")
    result, error = _queue({"state": state or ",".join(states.STATES)})
    orgs = tk.get_action("organization_list_for_user")(
        {"user": tk.g.userobj.name}, {"permission": "update_dataset"}
    )
    # a walidata's queue spans every OPD: keep the user's own OPDs only
    mine = {o["name"] for o in orgs}
    rows = [r for r in result["results"] if r["owner_org"] in mine]
    return _workflow_page("satudata/my_opd.html", rows=rows, error=error, organizations=orgs, state=state)


CSV_COLUMNS = [
    "created", "package_name", "package_title", "owner_org", "action", "from_state", "to_state",
    "actor_name", "role", "note", "changed_fields",
]  # fmt: skip


@workflow.route("/verifikasi/riwayat.csv")
def history_csv():
    """The verification history as CSV for the walidata's reports (walidata and sysadmins)."""
    user = tk.g.userobj
    if not user or not (user.sysadmin or roles.is_walidata(user)):
        return tk.abort(403, tk._("Only the walidata can export the verification history"))
    args = tk.request.args

    def day(name: str) -> dt.datetime | None:
        value = args.get(name)
        if not value:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return tk.abort(400, tk._("Invalid date: {value}").format(value=value))

    owner = args.get("owner_org")
    # A key PostgreSQL cannot hold (NUL) names no organisation.
    group = model.Group.get(owner) if owner and "\x00" not in owner else None
    if owner and group is None:
        return tk.abort(404, tk._("Organization does not exist"))
    events = workflow_event.events(
        owner_org=group.id if group else None, since=day("since"), until=day("until")
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for event in events:
        org = model.Group.get(event["owner_org"]) if event["owner_org"] else None
        row = dict(event, owner_org=org.name if org else "", changed_fields=" ".join(event["changed_fields"]))
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=riwayat-verifikasi.csv"},
    )
