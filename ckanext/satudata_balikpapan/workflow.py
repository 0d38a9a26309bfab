"""The Satu Data verification workflow: produsen submits, walidata checks, the public sees only
verified data.

States: ``draft`` -> ``diajukan`` (submitted) -> ``dikembalikan`` (returned with a note) ->
``diajukan`` -> ``terbit`` (published); a published dataset can be ``ditarik`` (withdrawn).
A published dataset stays public while a later edit is under review (``diajukan`` or
``dikembalikan`` with ``published``): the public sees it marked "sedang diperbarui".

The state lives in ``satudata_dataset_state``; CKAN's own ``private`` flag follows
``published``, so every CKAN channel (pages, search, API, activity, DCAT, downloads) hides
what is not published, and permission labels let the walidata and the pembina read the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import ckan.authz as authz
import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan import model as wf_model
from ckanext.satudata_balikpapan import opd

log = logging.getLogger(__name__)

DRAFT, DIAJUKAN, DIKEMBALIKAN, TERBIT, DITARIK = (
    "draft",
    "diajukan",
    "dikembalikan",
    "terbit",
    "ditarik",
)
STATES = (DRAFT, DIAJUKAN, DIKEMBALIKAN, TERBIT, DITARIK)
UNDER_REVIEW = (DIAJUKAN,)

PRODUSEN, WALIDATA, PEMBINA, SYSADMIN, PUBLIC = (
    "produsen",
    "walidata",
    "pembina",
    "sysadmin",
    "publik",
)

WALIDATA_USERS = "ckanext.satudata.walidata_users"
PEMBINA_USERS = "ckanext.satudata.pembina_users"
WALIDATA_ORG = "ckanext.satudata.walidata_org"


@dataclass(frozen=True)
class Transition:
    """A workflow action: who may take it, from which states, and where it leads."""

    name: str
    roles: frozenset[str]
    sources: frozenset[str]
    target: str | None  # None: the state does not change (a review note)
    note_required: bool = False
    only_published: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("submit", frozenset({PRODUSEN}), frozenset({DRAFT, DIKEMBALIKAN, DITARIK}), DIAJUKAN),
        Transition("return", frozenset({WALIDATA}), frozenset({DIAJUKAN}), DIKEMBALIKAN, note_required=True),
        Transition("publish", frozenset({WALIDATA}), frozenset({DIAJUKAN}), TERBIT),
        Transition(
            "withdraw",
            frozenset({WALIDATA}),
            frozenset({TERBIT, DIAJUKAN, DIKEMBALIKAN}),
            DITARIK,
            note_required=True,
            only_published=True,
        ),
        Transition(
            "review_note", frozenset({PEMBINA, WALIDATA}), frozenset(STATES), None, note_required=True
        ),
    )
}


# --- roles ---------------------------------------------------------------------------------


def _usernames(option: str) -> set[str]:
    return set(tk.config.get(option, "").split())


def walidata_org() -> str:
    """The code of the walidata OPD: configured, or the registry's walidata (Diskominfo)."""
    return tk.config.get(WALIDATA_ORG) or opd.default_registry().walidata


def _user(user: Any) -> model.User | None:
    """A user object from a name, an id or a user object; None for the anonymous user (CKAN
    passes an ``AnonymousUser`` proxy for anonymous web requests)."""
    if getattr(user, "is_anonymous", False):
        return None
    if isinstance(user, model.User):
        return user
    return model.User.get(user) if isinstance(user, str) and user else None


def is_walidata(user: str | model.User | None) -> bool:
    """Walidata: listed in ``ckanext.satudata.walidata_users``, or an admin or editor of the
    walidata OPD."""
    obj = _user(user)
    if obj is None:
        return False
    if obj.name in _usernames(WALIDATA_USERS):
        return True
    return authz.has_user_permission_for_group_or_org(walidata_org(), obj.name, "update_dataset")


def is_pembina(user: str | model.User | None) -> bool:
    """Pembina data (BPS): listed in ``ckanext.satudata.pembina_users``."""
    obj = _user(user)
    return bool(obj and obj.name in _usernames(PEMBINA_USERS))


def is_produsen(user: str | model.User | None, pkg: model.Package) -> bool:
    """Produsen: may edit datasets of the dataset's OPD (an editor or admin of it)."""
    obj = _user(user)
    if obj is None or not pkg.owner_org:
        return False
    return authz.has_user_permission_for_group_or_org(pkg.owner_org, obj.name, "update_dataset")


def roles_of(user: str | model.User | None, pkg: model.Package) -> set[str]:
    """Every workflow role ``user`` holds for ``pkg``."""
    obj = _user(user)
    if obj is None:
        return {PUBLIC}
    roles = {PUBLIC}
    if obj.sysadmin:
        roles.add(SYSADMIN)
    if is_walidata(obj):
        roles.add(WALIDATA)
    if is_pembina(obj):
        roles.add(PEMBINA)
    if is_produsen(obj, pkg):
        roles.add(PRODUSEN)
    return roles


def acting_role(user: Any, pkg: model.Package, transition: Transition) -> str | None:
    """The role under which ``user`` may take ``transition`` (a sysadmin may take every one,
    recorded as such when holding no other fitting role), or None."""
    roles = roles_of(user, pkg)
    for role in (WALIDATA, PEMBINA, PRODUSEN):
        if role in transition.roles and role in roles:
            return role
    return SYSADMIN if SYSADMIN in roles else None


# --- state ---------------------------------------------------------------------------------


def state_of(pkg: model.Package, for_update: bool = False) -> dict[str, Any]:
    """The workflow state of ``pkg``. A dataset that predates the workflow counts as published
    when CKAN shows it publicly, as a draft otherwise."""
    row = wf_model.get_state(pkg.id, for_update=for_update)
    if row:
        return row
    public = pkg.state == "active" and not pkg.private
    return {
        "package_id": pkg.id,
        "status": TERBIT if public else DRAFT,
        "published": public,
        "first_published": None,
        "last_published": None,
        "last_note": None,
    }


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


def _package(package_id: str) -> model.Package:
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def _actor(context: dict[str, Any]) -> model.User | None:
    return context.get("auth_user_obj") or _user(context.get("user"))


def record(
    pkg: model.Package, action: str, actor: model.User | None, role: str,
    from_state: str | None, to_state: str | None, note: str | None = None,
    changed_fields: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Append an event to the dataset's history (in the current transaction)."""
    return wf_model.add_event(
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
    try:
        from ckanext.activity.model import Activity
    except ImportError:
        return
    if not hasattr(Activity, "permission_labels"):
        return
    from ckan.lib.plugins import get_permission_labels

    labels = get_permission_labels().get_dataset_labels(pkg)
    model.Session.query(Activity).filter(Activity.object_id == pkg.id).update(
        {"permission_labels": labels}, synchronize_session=False
    )


def transition(
    context: dict[str, Any], name: str, package_id: str, note: str | None, override_reason: str | None = None
) -> dict[str, Any]:
    """Take workflow action ``name`` on a dataset; the caller has passed the auth check.

    The state row is locked for the transaction, so two walidata publishing the same dataset
    at once produce one publication: the second finds it published and gets a 409.

    ``publish`` passes the data quality gate first (:mod:`.quality.gate`): files being
    checked or data errors refuse it; unacknowledged warnings need ``override_reason``,
    which is added to the note of the publication.
    """
    spec = TRANSITIONS[name]
    pkg = _package(package_id)
    actor = _actor(context)
    note = (note or "").strip() or None
    if spec.note_required and not note:
        raise tk.ValidationError({"note": [tk._("A note is required for this step")]})
    clearance = None
    if name == "publish" and state_of(pkg)["status"] in spec.sources:
        from ckanext.satudata_balikpapan.quality import gate

        clearance = gate.check_publish(pkg.id, override_reason)
        if clearance.note:
            note = f"{note}\n{clearance.note}" if note else clearance.note

    wf_model.ensure_state(pkg.id, **_initial(pkg))
    state = state_of(pkg, for_update=True)
    current = state["status"]
    if current not in spec.sources or (spec.only_published and not state["published"]):
        model.Session.rollback()
        raise tk.ValidationError({"publishing_status": [_not_allowed(name, current)]})

    role = acting_role(actor, pkg, spec) or SYSADMIN
    now = wf_model.utcnow()
    values: dict[str, Any] = {"last_note": note or state.get("last_note")}
    target = spec.target or current
    values["status"] = target
    if name == "publish":
        values.update(published=True, last_published=now, first_published=state.get("first_published") or now)
        pkg.private = False
    elif name == "withdraw":
        values.update(published=False)
        pkg.private = True
    wf_model.save_state(pkg.id, **values)
    event = record(pkg, name, actor, role, current, target, note)
    if clearance is not None:
        from ckanext.satudata_balikpapan.quality import gate

        gate.record(pkg.id, clearance, actor, event["id"])
    if name == "withdraw":
        model.Session.flush()
        _relabel_activities(pkg)
    model.Session.commit()
    search.rebuild(pkg.id)
    if name == "publish":
        _publication_activity(pkg, actor)
        _render_feed_fragments(pkg.id)
    from ckanext.satudata_balikpapan import notify

    notify.event_happened(event)
    return dict(public_view(state_of(pkg)), id=pkg.id, name=pkg.name, event=_event_out(event))


def _render_feed_fragments(package_id: str) -> None:
    """Render the published dataset's DCAT fragments now, so that harvesters meet them ready
    (dcat/fragments.py). A failure only leaves them to the first page that needs them."""
    try:
        from ckanext.satudata_balikpapan.dcat import fragments

        if fragments.enabled():
            fragments.warm([package_id])
    except Exception:
        log.warning("Satu Data: could not render the DCAT fragments of %s", package_id, exc_info=True)


def _publication_activity(pkg: model.Package, actor: model.User | None) -> None:
    """A public "changed package" activity carrying the published version. The activities of
    the unpublished versions keep their private labels: the public stream starts at the first
    verified version."""
    import ckan.plugins as p

    if not p.plugin_loaded("activity"):
        return
    from ckan.lib.plugins import get_permission_labels

    user = actor or model.User.get(tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"])
    shown = tk.get_action("package_show")({"ignore_auth": True, "for_view": False}, {"id": pkg.id})
    tk.get_action("activity_create")(
        {"ignore_auth": True, "user": user.name},
        {
            "user_id": user.id,
            "object_id": pkg.id,
            "activity_type": "changed package",
            "data": {"package": shown, "actor": user.name},
            "permission_labels": get_permission_labels().get_dataset_labels(pkg),
        },
    )


def _initial(pkg: model.Package) -> dict[str, Any]:
    state = state_of(pkg)
    return {k: state[k] for k in ("status", "published", "first_published", "last_published")}


def _event_out(event: dict[str, Any]) -> dict[str, Any]:
    out = dict(event)
    if isinstance(out.get("created"), dt.datetime):
        out["created"] = out["created"].isoformat()
    return out


def _not_allowed(name: str, current: str) -> str:
    messages = {
        "submit": tk._('A dataset in state "{state}" cannot be submitted'),
        "return": tk._('Only a submitted dataset can be returned; this one is "{state}"'),
        "publish": tk._('Only a submitted dataset can be published; this one is "{state}"'),
        "withdraw": tk._('Only a published dataset can be withdrawn; this one is "{state}"'),
    }
    return messages.get(name, tk._('Not allowed in state "{state}"')).format(state=current)


# --- dataset lifecycle hooks (called by the chained package actions) -------------------------


def on_create(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """A new dataset starts as a private draft, and its creation is recorded."""
    pkg = model.Package.get(pkg_dict["id"])
    if pkg is None or wf_model.get_state(pkg.id):
        return
    wf_model.ensure_state(pkg.id, status=DRAFT, published=False)
    actor = _actor(context)
    role = _editing_role(actor, pkg)
    record(pkg, "create", actor, role, None, DRAFT)
    if not context.get("defer_commit"):
        model.Session.commit()


def _editing_role(actor: model.User | None, pkg: model.Package) -> str:
    roles = roles_of(actor, pkg) if actor else {SYSADMIN}
    for role in (PRODUSEN, WALIDATA, SYSADMIN):
        if role in roles:
            return role
    return PUBLIC


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


def on_update(context: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    """Record edits of published datasets (and every sysadmin edit). A produsen's edit of a
    published dataset puts it back under review; it stays public, marked as being updated.

    Runs inside the caller's transaction: it never rolls back, and commits only when the
    caller does not defer the commit (resource_create does, and reads its work afterwards)."""
    pkg = model.Package.get(after["id"])
    if pkg is None:
        return
    changed = changed_fields(before, after)
    if not changed:
        return
    actor = _actor(context)
    role = _editing_role(actor, pkg)
    state = state_of(pkg)
    if not state["published"] and role != SYSADMIN:
        return
    current = state["status"]
    target = current
    if state["published"] and role == PRODUSEN and current in (TERBIT, DIKEMBALIKAN):
        target = DIAJUKAN
    wf_model.ensure_state(pkg.id, **_initial(pkg))
    wf_model.save_state(pkg.id, status=target)
    event = record(pkg, "update", actor, role, current, target, None, changed)
    if not context.get("defer_commit"):
        model.Session.commit()
    if target != current:
        search.rebuild(pkg.id)  # the state shows in search results
        from ckanext.satudata_balikpapan import notify

        notify.event_happened(event)
