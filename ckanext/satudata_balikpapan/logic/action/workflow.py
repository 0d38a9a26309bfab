"""Workflow actions: the transitions, the history and the review queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.satudata_balikpapan.dcat import fragments
from ckanext.satudata_balikpapan.lib import outbox
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.model import workflow_event
from ckanext.satudata_balikpapan.model.meta import utcnow
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.workflow import notify, states
from ckanext.satudata_balikpapan.workflow import service as workflow


def _transition(name: str, context: Context, data_dict: DataDict) -> dict[str, Any]:
    tk.check_access(f"satudata_{name}", context, data_dict)
    package_id = data_dict["id"]
    result = workflow.transition(
        context, name, package_id, data_dict.get("note"), override_reason=data_dict.get("override_reason")
    )
    _after_step(context, name, result)
    return result


def _after_step(context: Context, name: str, result: dict[str, Any]) -> None:
    """The side effects of a committed step, each once: the notification (written with the
    step, ``outbox``) goes to the jobs queue, and a publication renders the dataset's DCAT
    fragments ahead of harvesters. Neither can fail the step: what the queue does not take
    now, the sweeper queues later."""
    outbox.flush(result.pop("outbox", []))
    if name in workflow.GATED:  # published, or newly verified: the feeds show it as such
        fragments.refresh(result["id"])


@validate(schema.dataset_step_schema)
def satudata_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a dataset to the walidata for verification (draft, dikembalikan or ditarik ->
    diajukan). Produsen of the dataset's OPD.

    :param id: the dataset's id or name
    :param note: an optional note for the walidata
    """
    return _transition("submit", context, data_dict)


@validate(schema.dataset_step_schema)
def satudata_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a submitted dataset to its producer (diajukan -> dikembalikan). Walidata.

    :param id: the dataset's id or name
    :param note: what must be fixed (required)
    """
    return _transition("return", context, data_dict)


@validate(schema.dataset_step_schema)
def satudata_publish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a submitted dataset (diajukan -> terbit): it becomes public. Walidata.

    The data quality gate applies: refused (409, ``kualitas``) while a file is being checked
    or has data errors; warnings not yet acknowledged need ``override_reason`` (409 on
    ``override_reason`` without it), recorded in the note of the publication.

    :param id: the dataset's id or name
    :param note: an optional note
    :param override_reason: why the dataset is published despite its warnings
    """
    return _transition("publish", context, data_dict)


@validate(schema.dataset_step_schema)
def satudata_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Verify as is ("verifikasi apa adanya") a dataset migrated from the former portal as
    published there (terbit -> terbit): it stays public and counts as verified from now on.
    Walidata.

    Refused (409 on ``publishing_status``) for any other dataset, and while a field the
    migration found missing is still empty (the OPD completes it first); the data quality
    gate applies as for ``satudata_publish``.

    :param id: the dataset's id or name
    :param note: an optional note
    :param override_reason: why the dataset is verified despite its warnings
    """
    return _transition("verify", context, data_dict)


@validate(schema.dataset_step_schema)
def satudata_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a published dataset (-> ditarik): it is no longer public. Walidata.

    :param id: the dataset's id or name
    :param note: the reason (required)
    """
    return _transition("withdraw", context, data_dict)


@validate(schema.dataset_step_schema)
def satudata_review_note(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Leave a review note on a dataset without changing its state. Pembina or walidata.

    :param id: the dataset's id or name
    :param note: the note (required)
    """
    return _transition("review_note", context, data_dict)


@tk.side_effect_free
@validate(schema.dataset_id_schema)
def satudata_workflow_history(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The verification history of a dataset, oldest first: one event per step, with state
    before and after, actor, role, time, note and changed fields.

    Anyone who may read the dataset sees its history; the notes are shown to the walidata, the
    pembina, the producing OPD and sysadmins only.

    :param id: the dataset's id or name
    """
    tk.check_access("satudata_workflow_history", context, data_dict)
    pkg = model.Package.get(data_dict["id"])
    if pkg is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    events = workflow_event.events(package_id=pkg.id)
    held = roles.roles_of(roles.actor(context), pkg)
    if not held & {roles.WALIDATA, roles.PEMBINA, roles.PRODUSEN, roles.SYSADMIN}:
        for event in events:
            event["note"] = None
    return {
        "id": pkg.id,
        "name": pkg.name,
        **workflow.public_view(workflow.state_of(pkg)),
        "events": events,
    }


@tk.side_effect_free
@validate(schema.review_queue_schema)
def satudata_review_queue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What awaits the caller, oldest first.

    Walidata and sysadmins: submitted datasets of every OPD. Pembina: submitted statistical
    datasets, and in any state only those ``package_show`` lets them read. Produsen: their
    OPDs' datasets that are not published as they stand (draft, diajukan, dikembalikan,
    ditarik, and published ones with an edit under review).

    :param owner_org: only this OPD (id or name)
    :param state: only these states (list or comma-separated)
    :param min_age_days: only datasets waiting at least this many days
    :param migrated: only the datasets migrated from the former portal that are public but
        not yet verified by the walidata (any state); each row then lists the required fields
        the OPD must still complete (``missing``). A produsen's list always includes them.
    """
    tk.check_access("satudata_review_queue", context, data_dict)
    user = roles.actor(context)
    wanted = data_dict.get("state") or []
    unknown = [s for s in wanted if s not in states.STATES]
    if unknown:
        raise tk.ValidationError(
            {"state": [tk._("Unknown state: {states}").format(states=", ".join(unknown))]}
        )
    min_age = data_dict["min_age_days"]
    owner = data_dict.get("owner_org")
    owner_id = None
    if owner:
        group = model.Group.get(owner)
        if group is None:
            raise tk.ValidationError({"owner_org": [tk._("Organization does not exist")]})
        owner_id = group.id

    reviewer = user.sysadmin or roles.is_walidata(user)
    pembina = roles.is_pembina(user)
    now = utcnow()
    out = []
    migrated_only = bool(data_dict.get("migrated"))
    candidates = list(_candidates(user, reviewer or pembina, owner_id))
    states_, records = workflow.states_of(candidates), workflow.migration_records(candidates)
    for pkg in candidates:
        state = states_[pkg.id]
        status = state["status"]
        migration = workflow.migration_view(pkg, state, records)
        if migrated_only:
            if not migration["satudata_belum_diverifikasi"]:
                continue
        elif wanted:
            if status not in wanted:
                continue
        elif reviewer or pembina:
            if status not in states.UNDER_REVIEW:
                continue
        elif status == states.TERBIT and not migration["satudata_belum_diverifikasi"]:
            continue  # (a migrated one stays: the OPD must complete what the old portal never asked)
        # the pembina sees statistical datasets, and only what package_show shows them
        if pembina and not reviewer and not _pembina_sees(user, pkg):
            continue
        since = _since(pkg, state)
        age = (now - since).days if since else 0
        if age < min_age:
            continue
        org = model.Group.get(pkg.owner_org) if pkg.owner_org else None
        out.append(
            {
                "id": pkg.id,
                "name": pkg.name,
                "title": pkg.title,
                "owner_org": org.name if org else None,
                "organization_title": org.title if org else None,
                **workflow.public_view(state),
                "since": since.isoformat() if since else None,
                "age_days": age,
                "last_note": state.get("last_note"),
                **migration,
                "missing": workflow.migration_missing(pkg, records),
            }
        )
    out.sort(key=lambda d: d["since"] or "")
    return {"count": len(out), "results": out}


def _candidates(user: model.User, everyone: bool, owner_id: str | None):
    query = model.Session.query(model.Package).filter(
        model.Package.state.in_(["active", "draft"]), model.Package.type == "dataset"
    )
    if owner_id:
        query = query.filter(model.Package.owner_org == owner_id)
    if not everyone:
        orgs = tk.get_action("organization_list_for_user")(
            {"user": user.name, "ignore_auth": True}, {"permission": "update_dataset"}
        )
        query = query.filter(model.Package.owner_org.in_([o["id"] for o in orgs] or [""]))
    return query.all()


def _pembina_sees(user: model.User, pkg: model.Package) -> bool:
    return (pkg.extras or {}).get("jenis") == "statistik" and roles.may_read(user, pkg)


def _since(pkg: model.Package, state: dict[str, Any]) -> dt.datetime | None:
    return state.get("changed") or pkg.metadata_modified


@tk.side_effect_free
@validate(schema.notification_list_schema)
def satudata_notification_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Workflow notices for the caller, newest first: the events that concern them (the same
    rules as the e-mails: submissions for the walidata and pembina, returns and publications
    for the producing OPD, review notes for both).

    :param limit: how many (default 20, at most 100)
    :param days: how far back (default 30)
    """
    tk.check_access("satudata_notification_list", context, data_dict)

    user = roles.actor(context)
    limit = max(1, min(data_dict["limit"] or 20, 100))
    days = max(1, min(data_dict["days"] or 30, 3660))
    since = utcnow() - dt.timedelta(days=days)
    out = []
    for event in reversed(workflow_event.events(since=since)):
        if event.get("actor_id") == user.id:
            continue
        if user.name in {u.name for u in notify.recipients(event)}:
            out.append(event)
            if len(out) >= limit:
                break
    return out
