"""The Satu Data verification workflow: produsen submits, walidata checks, the public sees only
verified data.

States: ``draft`` -> ``diajukan`` (submitted) -> ``dikembalikan`` (returned with a note) ->
``diajukan`` -> ``terbit`` (published); a published dataset can be ``ditarik`` (withdrawn).
A published dataset stays public while a later edit is under review (``diajukan`` or
``dikembalikan`` with ``published``): the public sees it marked "sedang diperbarui".

The state lives in ``satudata_dataset_state``; CKAN's own ``private`` flag follows
``published``, so every CKAN channel (pages, search, API, activity, DCAT, downloads) hides
what is not published, and permission labels let the walidata and the pembina read the rest.

This module changes the state, the record, the public activity and the outbox of the
notification in one transaction, and keeps the search index in step with it
(:func:`commit_indexed`): a step lands in PostgreSQL and Solr, or in neither. The actions
(``logic/action/workflow.py``, ``logic/action/dataset.py``) then hand the notification to the
jobs queue and render the DCAT fragments, once the change is durable; what fails then is
retried by the sweeper, never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import get_permission_labels

from ckanext.satudata_balikpapan.lib import outage
from ckanext.satudata_balikpapan.model import (
    dataset_state,
    migrated_dataset,
    resource_validation,
    workflow_event,
)
from ckanext.satudata_balikpapan.model.meta import utcnow
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.registry.roles import PRODUSEN, PUBLIC, SYSADMIN, WALIDATA
from ckanext.satudata_balikpapan.workflow import activity, gate, notify
from ckanext.satudata_balikpapan.workflow.states import (
    DIAJUKAN,
    DIKEMBALIKAN,
    DRAFT,
    TERBIT,
    TRANSITIONS,
    acting_role,
    default_state,
)

try:  # CKAN 2.10+: activities are the activity plugin's (absent when it is not installed)
    from ckanext.activity.model import Activity
except ImportError:  # pragma: no cover - every supported CKAN ships the activity plugin
    Activity = None

log = logging.getLogger(__name__)

# The steps that pass the data quality gate (:mod:`.gate`) before they land.
GATED = ("publish", "verify")


# The keys package_show adds from the workflow state (public_view, migration_view): shown,
# never taken from input.
SHOWN_KEYS = (
    "publishing_status", "satudata_terbit", "satudata_sedang_diperbarui", "satudata_tanggal_terbit",
    "satudata_dimigrasikan", "satudata_belum_diverifikasi",
)  # fmt: skip


# --- state ---------------------------------------------------------------------------------


def state_of(pkg: model.Package, for_update: bool = False) -> dict[str, Any]:
    """The workflow state of ``pkg``; a dataset that predates the workflow has the
    :func:`~.states.default_state` of its CKAN visibility."""
    return dataset_state.get_state(pkg.id, for_update=for_update) or _default_state_of(pkg)


def _default_state_of(pkg: model.Package) -> dict[str, Any]:
    """The state of a dataset without a state row: that of its CKAN visibility."""
    return dict(default_state(pkg.state == "active" and not pkg.private), package_id=pkg.id)


def states_of(pkgs: list[model.Package]) -> dict[str, dict[str, Any]]:
    """:func:`state_of` of several datasets in one query, by package id (for lists)."""
    rows = dataset_state.states([pkg.id for pkg in pkgs])
    return {pkg.id: rows.get(pkg.id) or _default_state_of(pkg) for pkg in pkgs}


def migration_records(pkgs: list[model.Package]) -> dict[str, dict[str, Any]]:
    """The migration records of several datasets in one query, by package id, for
    :func:`migration_view` and :func:`migration_missing` of a list."""
    return migrated_dataset.records([pkg.id for pkg in pkgs])


def public_view(state: dict[str, Any]) -> dict[str, Any]:
    """What the dataset dict shows of the state."""

    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "publishing_status": state["status"],
        "satudata_terbit": bool(state["published"]),
        "satudata_sedang_diperbarui": bool(state["published"]) and state["status"] != TERBIT,
        "satudata_tanggal_terbit": iso(state.get("last_published")),
    }


def with_state(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the verification state to a dataset dict (``package_show``, the search index)."""
    obj = model.Package.get(pkg_dict.get("id") or "")
    if obj is not None:
        pkg_dict.update(public_view(state_of(obj)))
    return pkg_dict


def is_published(pkg: model.Package) -> bool:
    """Whether a dataset is public in the Satu Data sense: verified, published and active."""
    return pkg.state == "active" and not pkg.private and bool(state_of(pkg)["published"])


def _package(package_id: str) -> model.Package:
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def record(
    pkg: model.Package, action: str, actor: model.User | None, role: str,
    from_state: str | None, to_state: str | None, note: str | None = None,
    changed_fields: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Append an event to the dataset's history (in the current transaction)."""
    return workflow_event.add_event(
        package_id=pkg.id,
        package_name=pkg.name,
        package_title=pkg.title,
        owner_org=pkg.owner_org,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        role=role,
        note=note,
        changed_fields=changed_fields or [],
    )


def _relabel_activities(pkg: model.Package) -> None:
    """Give the dataset's past activities its current permission labels, so that a withdrawn
    dataset's public history disappears from activity streams too."""
    if Activity is None or not hasattr(Activity, "permission_labels"):
        return
    labels = get_permission_labels().get_dataset_labels(pkg)
    model.Session.query(Activity).filter(Activity.object_id == pkg.id).update(
        {"permission_labels": labels}, synchronize_session=False
    )


def transition(
    context: dict[str, Any], name: str, package_id: str, note: str | None, override_reason: str | None = None
) -> dict[str, Any]:
    """Take workflow step ``name`` on a dataset; the caller has passed the auth check.

    The state row is locked for the transaction, so two walidata publishing the same dataset
    at once produce one publication: the second finds it published and gets a 409.

    ``publish`` and ``verify`` pass the data quality gate first (:mod:`.gate`): files being
    checked or data errors refuse them; unacknowledged warnings need ``override_reason``,
    which is added to the note of the step.

    ``verify`` ("verifikasi apa adanya") is the walidata's confirmation of a dataset migrated
    from the former portal as published there: it stays published and counts as verified from
    now on (its last publication is now, after its migration). It is refused while a field the
    migration found missing is still empty: the OPD completes it first.

    Returns the dataset's new public state with ``id``, ``name`` and ``event`` (the recorded
    step, for the caller's side effects).
    """
    spec = TRANSITIONS[name]
    pkg = _package(package_id)
    actor = roles.actor(context)
    note = (note or "").strip() or None
    if spec.note_required and not note:
        raise tk.ValidationError({"note": [tk._("A note is required for this step")]})
    if spec.only_unverified_migration:  # what the OPD must complete first, before the gate's findings
        _check_unverified_migration(pkg, state_of(pkg))
    clearance = None
    if name in GATED and state_of(pkg)["status"] in spec.sources:
        clearance = gate.check_publish(pkg.id, override_reason)
        if clearance.note:
            note = f"{note}\n{clearance.note}" if note else clearance.note

    dataset_state.ensure_state(pkg.id, **_initial(pkg))
    state = state_of(pkg, for_update=True)
    current = state["status"]
    if current not in spec.sources or (spec.only_published and not state["published"]):
        model.Session.rollback()
        raise tk.ValidationError({"publishing_status": [_not_allowed(name, current)]})
    if spec.only_unverified_migration:  # again under the lock: a second walidata found it verified
        _check_unverified_migration(pkg, state)

    role = acting_role(roles.roles_of(actor, pkg), spec) or SYSADMIN
    now = utcnow()
    values: dict[str, Any] = {"last_note": note or state.get("last_note")}
    target = spec.target or current
    values["status"] = target
    if name == "publish":
        values.update(published=True, last_published=now, first_published=state.get("first_published") or now)
        pkg.private = False
    elif name == "verify":
        values.update(last_published=now)
    elif name == "withdraw":
        values.update(published=False)
        pkg.private = True
    dataset_state.save_state(pkg.id, **values)
    event = record(pkg, name, actor, role, current, target, note)
    if clearance is not None:
        gate.record(pkg.id, clearance, actor, event["id"])
    model.Session.flush()
    if name == "withdraw":
        _relabel_activities(pkg)
    elif name == "publish":
        activity.publication_activity(pkg, actor)
    outbox_ids = [notify.queue(event)]
    commit_indexed(pkg.id)
    return dict(
        public_view(state_of(pkg)), id=pkg.id, name=pkg.name, event=event_out(event), outbox=outbox_ids
    )


def adopt_migrated(
    context: dict[str, Any], package_id: str, *, published: bool, note: str,
    published_at: dt.datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Give a dataset migrated from the former portal its place in the workflow, and record
    the migration in its history, in one transaction with its search document.

    A dataset that was public there is published at once (``terbit``, dated by its last
    change there: it was public then), for every old link to keep answering; it stays marked
    as not yet verified (:func:`migration_view`) until the walidata publishes it through the
    workflow. Any other arrives as a private ``draft`` of its OPD.

    A dataset adopted once is left as it is (its current state is returned): a run of the
    migration stopped after this step and started again must not publish it anew, nor record
    a second arrival.
    """
    pkg = _package(package_id)
    if any(event["action"] == "migrate" for event in workflow_event.events(pkg.id)):
        return dict(public_view(state_of(pkg)), id=pkg.id, name=pkg.name, event=None)
    actor = roles.actor(context)
    dataset_state.ensure_state(pkg.id, **_initial(pkg))
    state = state_of(pkg, for_update=True)
    target = TERBIT if published else DRAFT
    values: dict[str, Any] = {"status": target, "published": published, "last_note": note}
    if published:
        when = published_at or utcnow()
        values.update(last_published=when, first_published=state.get("first_published") or when)
    pkg.private = not published
    dataset_state.save_state(pkg.id, **values)
    event = record(pkg, "migrate", actor, SYSADMIN, state["status"], target, note)
    model.Session.flush()
    _relabel_activities(pkg)
    commit_indexed(pkg.id)
    return dict(public_view(state_of(pkg)), id=pkg.id, name=pkg.name, event=event_out(event))


def _migration_record(pkg: model.Package, records: dict[str, dict[str, Any]] | None) -> dict[str, Any] | None:
    """A dataset's migration record, from a list's :func:`migration_records` when given."""
    return records.get(pkg.id) if records is not None else migrated_dataset.get(pkg.id)


def migration_view(
    pkg: model.Package, state: dict[str, Any], records: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What the dataset dict shows of a migration from the former portal:
    ``satudata_dimigrasikan`` (the date it came across, or None for a dataset made here) and
    ``satudata_belum_diverifikasi`` (True until the walidata publishes it through the workflow,
    or verifies it as is: a publication after the migration). A list passes the
    :func:`migration_records` of its datasets."""
    record_ = _migration_record(pkg, records)
    if record_ is None:
        return {"satudata_dimigrasikan": None, "satudata_belum_diverifikasi": False}
    return {
        "satudata_dimigrasikan": record_["migrated_at"].isoformat(),
        "satudata_belum_diverifikasi": migrated_dataset.awaits_verification(
            record_, state["published"], state.get("last_published")
        ),
    }


def migration_missing(pkg: model.Package, records: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """The required fields a migrated dataset still lacks: those the migration found missing
    that are still empty now (the OPD fills them in one by one)."""
    record_ = _migration_record(pkg, records)
    if record_ is None:
        return []
    extras = pkg.extras or {}
    return [
        name for name in record_.get("missing") or [] if not (extras.get(name) or getattr(pkg, name, None))
    ]


def commit_indexed(package_id: str) -> None:
    """Commit the current transaction with the dataset's search document in step.

    The document is rewritten from the transaction's own view of the dataset before the
    commit; should Solr refuse it, nothing is committed and the caller gets
    :class:`~..lib.outage.ServiceUnavailable` (a translated 503): the step landed nowhere, and
    can simply be repeated. Should the commit fail after Solr took the document, the document
    is put back to what the database holds; if Solr is gone by then too, the public listings
    still check the database (``portal/search.visible_results``) and the reconciler
    (``ckan satudata reconcile``) repairs the document.
    """
    try:
        search.rebuild(package_id)
        model.Session.commit()
    except outage.SEARCH_ERRORS as error:
        model.Session.rollback()
        log.error("Satu Data: Solr refused dataset %s; the step was rolled back: %s", package_id, error)
        raise outage.ServiceUnavailable(outage.SEARCH) from error
    except Exception:
        model.Session.rollback()
        reindex_quietly(package_id)
        raise


def reindex_quietly(package_id: str) -> bool:
    """Rewrite a dataset's search document from the database; False (logged) when Solr is
    down, for the reconciler to finish."""
    try:
        search.rebuild(package_id)
    except outage.SEARCH_ERRORS:
        log.warning("Satu Data: could not reindex %s; the reconciler will", package_id)
        return False
    return True


def _initial(pkg: model.Package) -> dict[str, Any]:
    state = state_of(pkg)
    return {k: state[k] for k in ("status", "published", "first_published", "last_published")}


def event_out(event: dict[str, Any]) -> dict[str, Any]:
    """A recorded event as actions return it (times as ISO text)."""
    out = dict(event)
    if isinstance(out.get("created"), dt.datetime):
        out["created"] = out["created"].isoformat()
    return out


def _check_unverified_migration(pkg: model.Package, state: dict[str, Any]) -> None:
    """Refuse ``verify`` (rolling back) unless the dataset came from the former portal as
    published there, is not yet verified here, and lacks none of the fields the migration
    found missing."""
    if not migration_view(pkg, state)["satudata_belum_diverifikasi"]:
        model.Session.rollback()
        raise tk.ValidationError({"publishing_status": [tk._(
            "Only a dataset migrated from the former portal and not yet verified can be verified as is"
        )]})  # fmt: skip
    missing = migration_missing(pkg)
    if missing:
        model.Session.rollback()
        raise tk.ValidationError({"publishing_status": [
            tk._("Complete these fields first (the former portal did not ask for them): {fields}").format(
                fields=", ".join(tk.h.satudata_field_labels(missing))
            )
        ]})  # fmt: skip


def _not_allowed(name: str, current: str) -> str:
    messages = {
        "submit": tk._('A dataset in state "{state}" cannot be submitted'),
        "return": tk._('Only a submitted dataset can be returned; this one is "{state}"'),
        "publish": tk._('Only a submitted dataset can be published; this one is "{state}"'),
        "withdraw": tk._('Only a published dataset can be withdrawn; this one is "{state}"'),
        "verify": tk._('Only a published dataset can be verified as is; this one is "{state}"'),
    }
    return messages.get(name, tk._('Not allowed in state "{state}"')).format(state=current)


# --- dataset lifecycle hooks (called by the chained package actions) -------------------------


def on_create(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """A new dataset starts as a private draft, and its creation is recorded."""
    pkg = model.Package.get(pkg_dict["id"])
    if pkg is None or dataset_state.get_state(pkg.id):
        return
    dataset_state.ensure_state(pkg.id, status=DRAFT, published=False)
    actor = roles.actor(context)
    record(pkg, "create", actor, editing_role(actor, pkg), None, DRAFT)
    if not context.get("defer_commit"):
        model.Session.commit()


def editing_role(actor: model.User | None, pkg: model.Package) -> str:
    """The role under which ``actor`` edits ``pkg`` (recorded in the history)."""
    held = roles.roles_of(actor, pkg) if actor else {SYSADMIN}
    for role in (PRODUSEN, WALIDATA, SYSADMIN):
        if role in held:
            return role
    return PUBLIC


def on_delete(context: dict[str, Any], pkg: model.Package) -> None:
    """Record a dataset's deletion in its history (which survives the deletion)."""
    actor = roles.actor(context)
    state = state_of(pkg)
    record(pkg, "delete", actor, editing_role(actor, pkg), state["status"], None)
    model.Session.commit()


def on_purge(context: dict[str, Any], pkg: model.Package) -> list[str]:
    """Before CKAN purges a dataset, in the purge's own transaction: record the purge in the
    history (which survives it: the record names the dataset), and drop the dataset's state
    row and its files' validation rows, so that nothing is left that names a dataset that is
    gone. Returns the ids of the resources whose uploaded files the caller removes once the
    purge is committed."""
    actor = roles.actor(context)
    record(pkg, "purge", actor, editing_role(actor, pkg), state_of(pkg)["status"], None)
    resources = model.Session.query(model.Resource).filter(model.Resource.package_id == pkg.id).all()
    resource_validation.forget([r.id for r in resources])
    dataset_state.forget(pkg.id)
    migrated_dataset.forget(pkg.id)
    return [r.id for r in resources if r.url_type == "upload"]


# Fields whose change is not an edit of the data or metadata.
IGNORED_FIELDS = {
    "metadata_modified",
    "revision_id",
    "num_resources",
    "num_tags",
    "organization",
    "private",
    "publishing_status",
    "satudata_terbit",
    "satudata_sedang_diperbarui",
    "satudata_tanggal_terbit",
    "satudata_dimigrasikan",
    "satudata_belum_diverifikasi",
    "relationships_as_object",
    "relationships_as_subject",
    "groups",
    "state",
    "creator_user_id",
    "metadata_created",
}
RESOURCE_FIELDS = ("url", "name", "description", "format", "periode", "schema")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level fields that differ between two dataset dicts (resources compared by id,
    url, name, description, format, period and schema; tags by name)."""

    def norm(key: str, value: Any) -> Any:
        if key == "tags":
            return sorted(t.get("name") for t in value or [])
        if key == "resources":
            return [
                (r.get("id"), *(r.get(f) for f in RESOURCE_FIELDS), r.get("last_modified"))
                for r in value or []
            ]
        return value if value not in ("", None, [], {}) else None

    keys = (set(before) | set(after)) - IGNORED_FIELDS
    return sorted(k for k in keys if norm(k, before.get(k)) != norm(k, after.get(k)))


def on_update(
    context: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any] | None:
    """Record edits of published datasets (and every sysadmin edit). A produsen's edit of a
    published dataset puts it back under review; it stays public, marked as being updated.

    Runs inside the caller's transaction: it never rolls back, and commits only when the
    caller does not defer the commit (resource_create does, and reads its work afterwards).
    Returns the recorded event when the state changed (its ``outbox`` item, written in the
    same transaction, is for the caller to flush once committed), else None."""
    pkg = model.Package.get(after["id"])
    if pkg is None:
        return None
    changed = changed_fields(before, after)
    if not changed:
        return None
    actor = roles.actor(context)
    role = editing_role(actor, pkg)
    state = state_of(pkg)
    if not state["published"] and role != SYSADMIN:
        return None
    current = state["status"]
    target = current
    if state["published"] and role == PRODUSEN and current in (TERBIT, DIKEMBALIKAN):
        target = DIAJUKAN
    dataset_state.ensure_state(pkg.id, **_initial(pkg))
    dataset_state.save_state(pkg.id, status=target)
    event = record(pkg, "update", actor, role, current, target, None, changed)
    if target != current:  # back under review: the walidata hears of it (through the outbox)
        event["outbox"] = [notify.queue(event)]
    if not context.get("defer_commit"):
        model.Session.commit()
    if target == current:
        return None
    reindex_quietly(pkg.id)  # the state shows in search results
    return event
