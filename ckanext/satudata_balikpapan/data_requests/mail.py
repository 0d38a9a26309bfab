"""E-mails of data requests, in Bahasa Indonesia through CKAN's mailer, sent by a background
job through the outbox like the workflow's (``workflow/notify.py``), so a failing mail server
never blocks a request and a lost queue never loses a mail. The requester hears of every
step; the walidata and the OPD of a new or assigned request. Staff mails carry no personal
data: the contact is read on the portal.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

from ckanext.satudata_balikpapan.data_requests import service
from ckanext.satudata_balikpapan.lib import outbox as jobs_outbox
from ckanext.satudata_balikpapan.model import data_request as db
from ckanext.satudata_balikpapan.registry import roles

log = logging.getLogger(__name__)

STATE_WORDS = {
    service.BARU: "Baru",
    service.DIPROSES: "Diproses",
    service.DIPENUHI: "Dipenuhi",
    service.DITOLAK: "Ditolak",
}
SIGNATURE = "-- Portal Satu Data Kota Balikpapan"


def staff_recipients(event: dict[str, Any], request: dict[str, Any]) -> list[model.User]:
    """The portal users an event concerns: on creation the walidata and the chosen OPD, on
    assignment the OPD; never the actor, never the site user."""

    names: set[str] = set()
    if event["action"] == "create":
        names |= roles.walidata_names() | roles.org_editors(request.get("organization_id"))
    elif event["action"] == "assign":
        names |= roles.org_editors(event.get("organization_id"))
    names.discard(event.get("actor_name") or "")
    names.discard(roles.site_user_name())
    users = [model.User.get(n) for n in sorted(names)]
    return [u for u in users if u is not None and u.state == "active" and u.email]


def _summary(request: dict[str, Any]) -> list[str]:
    org = service.org_dict(request.get("organization_id"))
    return [
        f"Nomor permohonan: {request['reference']}",
        f"Data yang diminta: {request['data_description']}",
        f"Periode: {request.get('period') or '-'}",
        f"Wilayah: {service.area_label(request.get('area')) or '-'}",
        f"Perangkat Daerah: {org['title'] if org else 'belum ditentukan'}",
    ]


def requester_message(
    event: dict[str, Any], request: dict[str, Any], token: str | None = None
) -> tuple[str, str]:
    """Subject and body of the e-mail to the requester about an event."""
    ref = request["reference"]
    lines = [f"Yth. {request['name']},", ""]
    if event["action"] == "create":
        subject = f"[Satu Data] Permohonan data {ref} telah diterima"
        lines += ["Permohonan data Anda telah kami terima.", "", *_summary(request), "Status: Baru", ""]
        if token:
            lines += [
                "Ikuti perkembangan permohonan Anda melalui tautan pribadi ini (jangan bagikan):",
                service.follow_url(ref, token),
                "",
            ]
    elif event["action"] == "assign":
        org = service.org_dict(event.get("organization_id"))
        title = org["title"] if org else "-"
        subject = f"[Satu Data] Permohonan data {ref} diteruskan ke {title}"
        lines += [
            f"Permohonan data Anda diteruskan ke {title} untuk ditindaklanjuti.",
            "",
            *_summary(request),
            "",
        ]
    else:
        word = STATE_WORDS.get(event["to_state"], event["to_state"])
        subject = f"[Satu Data] Permohonan data {ref}: {word}"
        lines += [f"Status permohonan data Anda berubah menjadi: {word}.", "", *_summary(request)]
        if event["to_state"] == service.DITOLAK:
            lines.append(f"Alasan: {request.get('reason') or event.get('note') or '-'}")
        elif event.get("note"):
            lines.append(f"Catatan: {event['note']}")
        dataset = service.dataset_dict(event.get("dataset_id"))
        if event["to_state"] == service.DIPENUHI and dataset:
            lines.append(f"Dataset: {dataset['title']}")
            lines.append(tk.url_for("dataset.read", id=dataset["name"], _external=True))
        lines.append("")
    lines += [f"Halaman publik permohonan: {service.public_url(ref)}", "", SIGNATURE]
    return subject, "\n".join(lines)


def staff_message(event: dict[str, Any], request: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of the e-mail to the walidata or the OPD about an event."""
    ref = request["reference"]
    if event["action"] == "assign":
        org = service.org_dict(event.get("organization_id"))
        subject = f"[Satu Data] Permohonan data {ref} ditugaskan kepada {org['title'] if org else '-'}"
        intro = "Sebuah permohonan data ditugaskan kepada Perangkat Daerah Anda."
    else:
        subject = f"[Satu Data] Permohonan data baru {ref}"
        intro = "Ada permohonan data baru dari masyarakat."
    lines = [intro, "", *_summary(request)]
    if event.get("note"):
        lines.append(f"Catatan: {event['note']}")
    lines += [
        "",
        "Kontak pemohon dapat dilihat setelah masuk ke portal (data pribadi, UU 27/2022):",
        service.public_url(ref),
        "",
        SIGNATURE,
    ]
    return subject, "\n".join(lines)


def send_request_mail(event_id: str, token: str | None = None) -> int:
    """Background job (through the outbox): mail the requester and the staff an event
    concerns; returns how many mails were sent. A failing mail server is logged per
    recipient, never raised. The private link of a new request is derived again from its
    reference (``service.link_token``): the job's payload holds only the event's id. (``token``
    is read only from jobs queued by releases before 0.2, whose links were random.)"""

    event = db.get_event(event_id)
    request = db.get_request(event["request_id"]) if event else None
    if event is None or request is None:
        return 0
    if event["action"] == "create":
        token = token or service.link_token(request["reference"])
    outbox = [(request["name"], request["email"], *requester_message(event, request, token))]
    if event["action"] in ("create", "assign"):
        subject, body = staff_message(event, request)
        outbox += [(u.fullname or u.name, u.email, subject, body) for u in staff_recipients(event, request)]
    sent = 0
    for name, email, subject, body in outbox:
        try:
            mailer.mail_recipient(name, email, subject, body)
            sent += 1
        except Exception:  # one broken address must not stop the others
            log.exception("Satu Data: could not mail about data request %s", request["reference"])
    return sent


def queue(event: dict[str, Any]) -> str:
    """Write the e-mails of an event into the outbox, in the event's own transaction
    (``service``'s ``announce``); returns the outbox item's id."""
    return jobs_outbox.add(send_request_mail, [event["id"]], title=f"satudata request mail {event['action']}")


def flush(event: dict[str, Any]) -> bool:
    """Hand a committed event's e-mails to the jobs queue; False when the queue is down (the
    sweeper sends them once it is back: the page says they will be sent)."""
    return jobs_outbox.flush(event.get("outbox") or [])
