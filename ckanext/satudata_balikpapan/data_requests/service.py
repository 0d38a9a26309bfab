"""Data requests ("permohonan data"): a member of the public asks for data that is not in the
portal, the walidata sends the request to the OPD that holds it, and the request ends
fulfilled by a published dataset or rejected with a reason.

States: ``baru`` (new) -> ``diproses`` (in process) -> ``dipenuhi`` (fulfilled, linked to the
dataset that answers it) or ``ditolak`` (rejected, with the reason). A new request may also
be fulfilled (the data are already published) or rejected (out of scope, spam) at once.
``dipenuhi`` and ``ditolak`` are final.

Personal data (UU 27/2022 on personal data protection): the requester's name, e-mail,
institution and purpose are shown only to the walidata, to the editors and admins of the OPD
the request is assigned to, to sysadmins, and to whoever holds the private link. Everything
else (what is asked for, the state, the OPD, the reason and the answering dataset) is public.
The private link's token and an anonymous requester's network address are stored as hashes
only; the token is derived from the reference under the site's secret (:func:`link_token`), so
that the e-mail job needs nothing secret in its queue payload.

Spam: a honeypot field and a limit per e-mail address and, for anonymous requests, per
network address within a time window (``ckanext.satudata.requests.rate_limit`` and
``..._window``), counted in the database.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.lib import clock
from ckanext.satudata_balikpapan.lib.text import clean_text
from ckanext.satudata_balikpapan.model import data_request as db
from ckanext.satudata_balikpapan.model.meta import utcnow
from ckanext.satudata_balikpapan.registry import opd, roles, vocabularies
from ckanext.satudata_balikpapan.workflow import service as workflow

# Called with a step's event inside the step's transaction, to write its e-mails into the
# outbox; returns the outbox item's id.
Announce = Callable[[dict[str, Any]], str]

log = logging.getLogger(__name__)

BARU, DIPROSES, DIPENUHI, DITOLAK = "baru", "diproses", "dipenuhi", "ditolak"
STATES = (BARU, DIPROSES, DIPENUHI, DITOLAK)
OPEN_STATES = (BARU, DIPROSES)
# where each state may go; the final states go nowhere
TRANSITIONS: dict[str, tuple[str, ...]] = {
    BARU: (DIPROSES, DIPENUHI, DITOLAK),
    DIPROSES: (DIPENUHI, DITOLAK),
    DIPENUHI: (),
    DITOLAK: (),
}

PEMOHON, WALIDATA, OPD, SYSADMIN = "pemohon", "walidata", "opd", "sysadmin"


HONEYPOT = "website"
PERSONAL_FIELDS = ("name", "email", "institution", "purpose")
HIDDEN_FIELDS = ("token_hash", "ip_hash", "year", "number")
REFERENCE_PREFIX = "PD"


# --- pure functions --------------------------------------------------------------------------


def format_reference(year: int, number: int) -> str:
    """The human-readable reference of a request: ``PD-2026-0001``."""
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:04d}"


def allowed_targets(state: str) -> tuple[str, ...]:
    """The states a request in ``state`` may move to."""
    return TRANSITIONS.get(state, ())


def is_final(state: str) -> bool:
    """Whether a request in ``state`` is closed (fulfilled or rejected)."""
    return state in STATES and not allowed_targets(state)


def link_token(reference: str, secret: str | None = None) -> str:
    """The secret of a request's private link: an HMAC of its reference under the site's
    secret (URL-safe, 43 characters). Derived, never stored: the database keeps its hash, and
    the e-mail job derives it again from the reference, so that no queue payload, log or
    table holds it in clear."""
    key = (secret if secret is not None else config.site_secret()).encode("utf-8")
    digest = hmac.new(key, f"satudata:request-link:{reference}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """What is stored of a private link's token: its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token_hash: str | None, token: str | None) -> bool:
    """Whether ``token`` opens the request whose stored hash is ``token_hash`` (constant time)."""
    if not token or not token_hash or not isinstance(token, str):
        return False
    return hmac.compare_digest(token_hash, hash_token(token))


def hash_ip(ip: str | None, secret: str) -> str | None:
    """A keyed hash of a network address: enough to count requests from one address, without
    storing the address itself."""
    if not ip:
        return None
    return hmac.new(secret.encode("utf-8"), ip.encode("utf-8"), hashlib.sha256).hexdigest()


def redact(request: dict[str, Any]) -> dict[str, Any]:
    """The public part of a request: without the personal data and the hashes."""
    return {k: v for k, v in request.items() if k not in PERSONAL_FIELDS + HIDDEN_FIELDS}


def redact_event(event: dict[str, Any]) -> dict[str, Any]:
    """The public part of a history event: what changed and when, by which role; not who, and
    not the note (it may address the requester by name)."""
    return {k: v for k, v in event.items() if k not in ("actor_id", "actor_name", "note")}


# --- roles -----------------------------------------------------------------------------------


def actor_of(context: dict[str, Any]) -> model.User | None:
    """The user an action runs as (None: anonymous)."""
    return roles.actor(context)


def is_reviewer(user: Any) -> bool:
    """The walidata (or a sysadmin): sees and steers every request."""
    return roles.is_reviewer(user)


def is_handler(user: Any, request: dict[str, Any]) -> bool:
    """An editor or admin of the OPD the request is assigned to."""
    obj = roles.user_obj(user)
    org = request.get("organization_id")
    if obj is None or not org:
        return False
    return authz.has_user_permission_for_group_or_org(org, obj.name, "update_dataset")


def may_manage(user: Any, request: dict[str, Any]) -> bool:
    """Whether ``user`` may change the request's state (and so read the requester's contact)."""
    return is_reviewer(user) or is_handler(user, request)


def role_of(user: Any, request: dict[str, Any]) -> str:
    """The role under which ``user`` acts on a request."""

    obj = roles.user_obj(user)
    if obj is not None and roles.is_walidata(obj):
        return WALIDATA
    if is_handler(obj, request):
        return OPD
    if obj is not None and obj.sysadmin:
        return SYSADMIN
    return PEMOHON


# --- lookups ---------------------------------------------------------------------------------


def get(key: str, for_update: bool = False) -> dict[str, Any]:
    """A request by reference or id; ObjectNotFound otherwise."""
    row = db.get_request(key if isinstance(key, str) else "", for_update=for_update)
    if row is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return row


def _usable_key(key: Any) -> bool:
    """Whether ``key`` can be looked up: non-empty text without NUL (PostgreSQL refuses it)."""
    return isinstance(key, str) and bool(key) and "\x00" not in key


def organization(key: str | None) -> model.Group | None:
    """An active organisation (OPD) by name or id (:func:`.registry.opd.organization`)."""
    return opd.organization(key)


def dataset_key(value: str) -> str:
    """A dataset's name or id from what a handler typed: the name, the id, or the address of
    its page (``https://.../dataset/jumlah-penduduk``)."""
    value = value.strip()
    if "/dataset/" in value:
        value = value.split("/dataset/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/").split("/")[0]
    return value


def published_dataset(key: str | None) -> model.Package | None:
    """An active dataset by name or id, or None; whether it is published is checked apart."""
    if not _usable_key(key):
        return None
    pkg = model.Package.get(dataset_key(key))
    if pkg is None or pkg.state != "active":
        return None
    return pkg


def is_published(pkg: model.Package) -> bool:
    """Whether a dataset is public in the Satu Data sense (verified and published)."""

    return bool(workflow.state_of(pkg)["published"]) and not pkg.private


def area_label(code: str | None) -> str | None:
    """A region code with its name: ``64.71.03 Kec. Balikpapan Utara``."""

    if not code:
        return None
    region = vocabularies.regions().get(code)
    if region is None:
        return code
    prefix = {"kecamatan": "Kec. ", "kelurahan": "Kel. "}.get(region.level, "")
    return f"{code} {prefix}{region.name}"


# --- views -----------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def org_dict(org_id: str | None) -> dict[str, Any] | None:
    group = model.Group.get(org_id) if org_id else None
    if group is None:
        return None
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def dataset_dict(dataset_id: str | None) -> dict[str, Any] | None:
    pkg = model.Package.get(dataset_id) if dataset_id else None
    if pkg is None or pkg.state != "active" or pkg.private:
        return None
    return {"id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name}


def event_view(event: dict[str, Any], full: bool) -> dict[str, Any]:
    """A history event as the actions return it."""
    out = {k: _iso(v) for k, v in event.items()}
    out["organization"] = org_dict(event.get("organization_id"))
    return out if full else redact_event(out)


def view(request: dict[str, Any], full: bool, with_events: bool = True) -> dict[str, Any]:
    """A request as the actions return it: the public part, plus the personal data when
    ``full``; with the OPD, the answering dataset, the area's name and the history."""
    out = {k: _iso(v) for k, v in request.items() if k not in HIDDEN_FIELDS}
    if not full:
        out = redact(out)
    out["organization"] = org_dict(request.get("organization_id"))
    out["dataset"] = dataset_dict(request.get("dataset_id"))
    out["area_label"] = area_label(request.get("area"))
    out["personal_data_shown"] = full
    if with_events:
        out["events"] = [event_view(e, full) for e in db.events(request["id"])]
    return out


def follow_url(reference: str, token: str) -> str:
    """The private link of a request (absolute)."""
    return tk.url_for("satudata_requests.read", reference=reference, token=token, _external=True)


def public_url(reference: str) -> str:
    """The public page of a request (absolute)."""
    return tk.url_for("satudata_requests.read", reference=reference, _external=True)


# --- creation --------------------------------------------------------------------------------


def local_year(now: dt.datetime) -> int:
    """The year of ``now`` (naive UTC) on the portal's clock (``lib.clock``), so that a
    request sent on 1 January just after midnight is numbered in the new year."""
    return clock.local(now).year


def _rate_limit() -> tuple[int, int]:
    return config.requests_rate_limit(), config.requests_rate_limit_window()


def check_rate_limit(ip_hash: str | None, email: str, now: dt.datetime) -> None:
    """Refuse a request beyond the limit per network address or per e-mail address (call under
    :func:`model_requests.lock_creation`). A limit of 0 switches the check off."""
    limit, minutes = _rate_limit()
    if limit <= 0:
        return
    since = now - dt.timedelta(minutes=minutes)
    if db.count_since(since, email=email) >= limit:
        raise tk.ValidationError(
            {
                "email": [
                    tk._(
                        "Too many requests from this e-mail address: at most {limit} in {minutes} "
                        "minutes. Please try again later."
                    ).format(limit=limit, minutes=minutes)
                ]
            }
        )
    if ip_hash and db.count_since(since, ip_hash=ip_hash) >= limit:
        raise tk.ValidationError(
            {
                "rate_limit": [
                    tk._(
                        "Too many requests from your network address: at most {limit} in {minutes} "
                        "minutes. Please try again later."
                    ).format(limit=limit, minutes=minutes)
                ]
            }
        )


def create(
    context: dict[str, Any], data: dict[str, Any], ip: str | None, announce: Announce | None = None
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Store a validated request with its first event, in one transaction; returns the row, the
    private link's token (never stored) and the event. The caller has passed the auth check."""
    actor = actor_of(context)
    now = utcnow()
    # The address limit is for anonymous visitors, who share addresses (an office, a campus, a
    # mobile carrier): only their requests carry the address, so a busy walidata entering
    # requests received by telephone, or a logged-in user, never locks the visitors behind the
    # same address out. Logged-in users are accountable by their account (and their e-mail).
    ip_hash = hash_ip(ip, config.site_secret()) if actor is None else None
    try:
        db.lock_creation()
        if not is_reviewer(actor):
            check_rate_limit(ip_hash, data["email"], now)
        year = local_year(now)
        number = db.next_number(year)
        reference = format_reference(year, number)
        token = link_token(reference)
        row = db.insert_request(
            reference=reference,
            year=year,
            number=number,
            name=data["name"],
            email=data["email"],
            institution=data.get("institution"),
            purpose=data["purpose"],
            data_description=data["data_description"],
            period=data.get("period"),
            area=data.get("area"),
            organization_id=data.get("organization"),
            state=BARU,
            token_hash=hash_token(token),
            ip_hash=ip_hash,
            created=now,
            modified=now,
        )
        event = db.add_event(
            request_id=row["id"],
            action="create",
            from_state=None,
            to_state=BARU,
            organization_id=row["organization_id"],
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            role=PEMOHON,
            created=now,
        )
        if announce is not None:  # the e-mails, written with the step (the outbox)
            event["outbox"] = [announce(event)]
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return row, token, event


# --- steps -----------------------------------------------------------------------------------


def state_label(state: str | None) -> str:
    """A request state in the user's language."""
    labels = {
        BARU: tk._("New"),
        DIPROSES: tk._("In process"),
        DIPENUHI: tk._("Fulfilled"),
        DITOLAK: tk._("Rejected"),
    }
    return labels.get(state or "", state or "")


def assign(
    context: dict[str, Any], key: str, org_key: str | None, note: str | None, announce: Announce | None = None
) -> dict[str, Any]:
    """Send an open request to an OPD (walidata); returns the event. The caller has passed the
    auth check."""
    group = organization(org_key)
    if group is None:
        message = (
            tk._("Choose the OPD the request goes to")
            if not org_key
            else tk._('OPD "{value}" does not exist').format(value=org_key)
        )
        raise tk.ValidationError({"organization": [message]})
    actor = actor_of(context)
    try:
        row = get(key, for_update=True)
        if is_final(row["state"]):
            raise tk.ValidationError(
                {
                    "organization": [
                        tk._('A request that is "{state}" can no longer be assigned').format(
                            state=state_label(row["state"])
                        )
                    ]
                }
            )
        if row["organization_id"] == group.id:
            raise tk.ValidationError(
                {
                    "organization": [
                        tk._("The request is already assigned to {opd}").format(opd=group.title or group.name)
                    ]
                }
            )
        db.update_request(row["id"], organization_id=group.id)
        event = db.add_event(
            request_id=row["id"],
            action="assign",
            from_state=row["state"],
            to_state=row["state"],
            organization_id=group.id,
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            role=role_of(actor, row),
            note=_clean_note(note),
        )
        if announce is not None:  # the e-mails, written with the step (the outbox)
            event["outbox"] = [announce(event)]
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return event


def _clean_note(note: Any) -> str | None:
    """A step's note as stored, or None."""

    if not isinstance(note, str):
        return None
    return clean_text(note) or None


def change_state(
    context: dict[str, Any],
    key: str,
    target: Any,
    reason: Any,
    dataset_ref: Any,
    announce: Announce | None = None,
) -> dict[str, Any]:
    """Move a request to ``target`` (walidata or the assigned OPD); returns the event.

    ``dipenuhi`` needs a published dataset, ``ditolak`` a reason; ``reason`` is kept as the
    step's note otherwise. The row is locked: two handlers answering at once make one step, and
    the second gets a clear error. The caller has passed the auth check."""
    reason = _clean_note(reason)
    if not isinstance(target, str) or target not in STATES:
        raise tk.ValidationError(
            {
                "state": [
                    tk._('Unknown status "{state}"; choose one of: {allowed}').format(
                        state=target if isinstance(target, str) else "", allowed=", ".join(STATES[1:])
                    )
                ]
            }
        )
    actor = actor_of(context)
    try:
        row = get(key, for_update=True)
        current = row["state"]
        errors: dict[str, list[str]] = {}
        if target not in allowed_targets(current):
            errors["state"] = [_not_allowed(current, target)]
        values: dict[str, Any] = {"state": target}
        if target == DITOLAK:
            if not reason:
                errors["reason"] = [tk._("Reason: required to reject a request")]
            values["reason"] = reason
        if target == DIPENUHI:
            pkg = published_dataset(dataset_ref)
            if not dataset_ref:
                errors["dataset"] = [tk._("Dataset: choose the published dataset that fulfils the request")]
            elif pkg is None:
                errors["dataset"] = [tk._('Dataset "{value}" does not exist').format(value=dataset_ref)]
            elif not is_published(pkg):
                errors["dataset"] = [
                    tk._('Dataset "{value}" is not published; only a published dataset can fulfil a request')
                    .format(value=pkg.name)
                ]  # fmt: skip
            else:
                values["dataset_id"] = pkg.id
        if errors:
            raise tk.ValidationError(errors)
        db.update_request(row["id"], **values)
        event = db.add_event(
            request_id=row["id"],
            action="state",
            from_state=current,
            to_state=target,
            organization_id=row["organization_id"],
            dataset_id=values.get("dataset_id"),
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            role=role_of(actor, row),
            note=reason,
        )
        if announce is not None:  # the e-mails, written with the step (the outbox)
            event["outbox"] = [announce(event)]
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return event


def _not_allowed(current: str, target: str) -> str:
    allowed = allowed_targets(current)
    if not allowed:
        return tk._('The request is already "{state}"; its status can no longer change').format(
            state=state_label(current)
        )
    return tk._('A request that is "{state}" cannot become "{target}"; it can become: {allowed}').format(
        state=state_label(current),
        target=state_label(target),
        allowed=", ".join(state_label(s) for s in allowed),
    )
