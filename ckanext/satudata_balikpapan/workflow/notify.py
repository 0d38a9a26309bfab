"""Notifications of workflow events: e-mail through CKAN's mailer, sent by a background job
(Redis) through the outbox (``lib/outbox.py``), so that a failing mail server never blocks a
transition and a lost queue never loses a mail.

Who hears of what:
* a submission (or an edit put back under review): the walidata, and the pembina when the
  dataset is statistical;
* a return, publication or withdrawal: the producing OPD's editors and admins;
* a review note: the walidata and the producing OPD.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

from ckanext.satudata_balikpapan.lib import outbox
from ckanext.satudata_balikpapan.model import workflow_event
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.workflow.states import DIAJUKAN

log = logging.getLogger(__name__)


def recipients(event: dict[str, Any]) -> list[model.User]:
    """The users an event concerns (never its own actor, never the site user)."""
    pkg = model.Package.get(event["package_id"])
    if pkg is None:
        return []
    names: set[str] = set()
    action, target = event["action"], event["to_state"]
    if target == DIAJUKAN and action in ("submit", "update"):
        names |= roles.walidata_names()
        if (pkg.extras or {}).get("jenis") == "statistik":
            names |= roles.pembina_names()
    elif action in ("return", "publish", "withdraw", "verify"):
        names |= roles.org_editors(pkg.owner_org)
    elif action == "review_note":
        names |= roles.walidata_names() | roles.org_editors(pkg.owner_org)
    names.discard(event.get("actor_name") or "")
    names.discard(roles.site_user_name())  # the site user, admin of the orgs it created
    users = [model.User.get(n) for n in sorted(names)]
    return [u for u in users if u is not None and u.state == "active"]


SUBJECTS = {
    "submit": "[Satu Data] Dataset diajukan untuk diverifikasi: {title}",
    "update": "[Satu Data] Dataset terbit diperbarui, mohon diverifikasi: {title}",
    "return": "[Satu Data] Dataset dikembalikan untuk diperbaiki: {title}",
    "publish": "[Satu Data] Dataset terbit: {title}",
    "withdraw": "[Satu Data] Dataset ditarik dari publikasi: {title}",
    "verify": "[Satu Data] Dataset hasil migrasi diverifikasi walidata: {title}",
    "review_note": "[Satu Data] Catatan pemeriksaan baru: {title}",
}


def message(event: dict[str, Any]) -> tuple[str, str]:
    """Subject and body (Bahasa Indonesia) of the e-mail about an event."""
    title = event.get("package_title") or event["package_name"]
    url = tk.url_for("dataset.read", id=event["package_name"], _external=True)
    lines = [
        f"Dataset: {title}",
        f"Status: {event.get('from_state') or '-'} -> {event.get('to_state') or '-'}",
        f"Oleh: {event.get('actor_name') or '-'} ({event['role']})",
    ]
    if event.get("note"):
        lines.append(f"Catatan: {event['note']}")
    if event.get("changed_fields"):
        fields = event["changed_fields"]
        lines.append("Isian yang berubah: " + (", ".join(fields) if isinstance(fields, list) else fields))
    lines += ["", f"Buka: {url}", "", "-- Portal Satu Data Kota Balikpapan"]
    return SUBJECTS.get(event["action"], "[Satu Data] {title}").format(title=title), "\n".join(lines)


def send_event_mail(event: dict[str, Any]) -> int:
    """Background job: mail everyone the event concerns; returns how many mails were sent."""
    subject, body = message(event)
    sent = 0
    for user in recipients(event):
        if not user.email:
            continue
        try:
            mailer.mail_user(user, subject, body)
            sent += 1
        except Exception:  # a broken mail server must not stop the other recipients
            log.exception("Satu Data: could not mail %s about %s", user.name, event["id"])
    return sent


def mail_event(event_id: str) -> int:
    """Background job (through the outbox): mail everyone a recorded event concerns."""
    event = workflow_event.get_event(event_id)
    return send_event_mail(event) if event else 0


def queue(event: dict[str, Any]) -> str:
    """Write the notification of an event into the outbox, in the event's own transaction:
    the mail goes out once the event is durable, and is not lost with the queue."""
    return outbox.add(mail_event, [event["id"]], title=f"satudata notify {event['action']}")
