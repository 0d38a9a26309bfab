"""Reminders of the Daftar Data: an OPD hears of an item before its release date and while it
is late; the walidata get a weekly digest.

The scheduler calls :func:`send_due` once a day (``ckanext.satudata.scheduler.reminders_at``;
``ckan satudata daftar-data remind`` does the same by hand). Which reminders a day owes is a
pure rule (:func:`due`, days in ``data/daftar_data.yaml``). Each reminder is recorded with its
e-mail in the outbox in one transaction (``satudata_daftar_data_reminder``, unique per kind,
item and day), so a reminder goes out once, however many schedulers or runs reach it, and is
not lost with the jobs queue.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.lib import clock, outbox
from ckanext.satudata_balikpapan.model import daftar_data as db
from ckanext.satudata_balikpapan.registry import opd, roles

log = logging.getLogger(__name__)

SOON, LATE, DIGEST = "soon", "late", "digest"


@dataclass(frozen=True)
class Due:
    """A reminder a day owes: its kind and the item ("" for the digest)."""

    kind: str
    item_id: str


def due(entries: Iterable[daftar.Entry], today: dt.date, rules: status.Reminders) -> list[Due]:
    """The reminders ``today`` owes: ``soon`` for an unpublished item ``before_days`` before
    its release date, ``late`` on the day after the date and every ``late_every_days`` after
    while it stays unpublished, and the ``digest`` on ``digest_weekday``."""
    out = []
    for entry in entries:
        planned = entry.item.get("jadwal_rilis")
        if planned is None or entry.progress.status == status.TERBIT:
            continue
        days = (planned - today).days
        if days in rules.before_days:
            out.append(Due(SOON, entry.item["id"]))
        elif days < 0 and (-days - 1) % rules.late_every_days == 0:
            out.append(Due(LATE, entry.item["id"]))
    if today.weekday() == rules.digest_weekday:
        out.append(Due(DIGEST, ""))
    return out


def send_due(today: dt.date | None = None) -> dict[str, int]:
    """Record and queue the reminders ``today`` (default: the portal's today) owes that were
    not sent before; returns how many of each kind were queued now."""
    today = today or clock.today()
    items = [i for year in (today.year - 1, today.year, today.year + 1) for i in daftar.items_of_year(year)]
    counts = {SOON: 0, LATE: 0, DIGEST: 0}
    queued: list[str] = []
    try:
        for reminder in due(daftar.entries(items, today), today, status.rules().reminders):
            reminder_id = db.record_reminder(reminder.kind, reminder.item_id, today)
            if reminder_id is None:
                continue  # sent before
            queued.append(
                outbox.add(mail_reminder, [reminder_id], title=f"satudata daftar-data {reminder.kind}")
            )
            counts[reminder.kind] += 1
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    outbox.flush(queued)
    return counts


def recipients(reminder: dict[str, Any]) -> list[model.User]:
    """Who a reminder is for: the item's OPD's editors and admins; the walidata for the digest."""
    if reminder["kind"] == DIGEST:
        names = roles.walidata_names()
    else:
        item = daftar.find(reminder["item_id"])
        names = roles.org_editors(item["organization_id"]) if item else set()
    names.discard(roles.site_user_name())
    users = [model.User.get(n) for n in sorted(names)]
    return [u for u in users if u is not None and u.state == "active" and u.email]


def _item_lines(entry: daftar.Entry) -> list[str]:
    item = entry.item
    org = opd.organization(item["organization_id"])
    planned = clock.format_date(item["jadwal_rilis"])
    stage = status.rules().label(entry.progress.stage)
    return [
        f"Butir: {item['title']} (Daftar Data {item['year']})",
        f"Perangkat Daerah: {org.display_name if org else item['organization_id']}",
        f"Jadwal rilis: {planned or '-'}",
        f"Tahap sekarang: {stage.text('id') if stage else entry.progress.stage}",
    ]


def message(reminder: dict[str, Any]) -> tuple[str, str] | None:
    """Subject and body (Bahasa Indonesia, the portal's language for mail) of a reminder;
    None when its item is gone or already published (nothing to remind of any more)."""
    url = tk.url_for("satudata_daftar_data.year", year=reminder["day"].year, _external=True)
    footer = ["", f"Buka: {url}", "", "-- Portal Satu Data Kota Balikpapan"]
    if reminder["kind"] == DIGEST:
        entries = daftar.entries(daftar.items_of_year(reminder["day"].year), reminder["day"])
        summary = daftar.summary(entries)["total"]
        late = [e for e in entries if e.progress.status == status.TERLAMBAT]
        lines = [
            f"Daftar Data {reminder['day'].year} per {clock.format_date(reminder['day'])}:",
            f"{summary['promised']} butir dijanjikan, {summary['published']} terbit "
            f"({summary['on_time']} tepat waktu), {summary['late']} terlambat.",
        ]
        if late:
            lines += ["", "Terlambat dan belum terbit:"]
            for entry in late:
                org = opd.organization(entry.item["organization_id"])
                name = org.display_name if org else entry.item["organization_id"]
                lines.append(
                    f"- {entry.item['title']} ({name}, {clock.format_date(entry.item['jadwal_rilis'])})"
                )
        subject = f"[Satu Data] Ringkasan mingguan Daftar Data {reminder['day'].year}"
        return subject, "\n".join(lines + footer)
    item = daftar.find(reminder["item_id"])
    if item is None:
        return None
    entry = daftar.entries([item], reminder["day"])[0]
    if entry.progress.status == status.TERBIT:
        return None
    if reminder["kind"] == SOON:
        days = (item["jadwal_rilis"] - reminder["day"]).days
        subject = f"[Satu Data] {days} hari lagi: {item['title']}"
        intro = [f"Jadwal rilis butir Daftar Data ini tinggal {days} hari lagi, dan datanya belum terbit."]
    else:
        subject = f"[Satu Data] Terlambat: {item['title']}"
        intro = ["Jadwal rilis butir Daftar Data ini sudah lewat, dan datanya belum terbit."]
    action = [
        "",
        "Tautkan dataset ke butir ini (isian Butir Daftar Data), lalu ajukan untuk diperiksa walidata.",
    ]
    return subject, "\n".join([*intro, "", *_item_lines(entry), *action, *footer])


def mail_reminder(reminder_id: str) -> int:
    """Background job (through the outbox): mail a recorded reminder; returns how many mails
    were sent (none when the item was published meanwhile)."""
    reminder = db.get_reminder(reminder_id)
    composed = message(reminder) if reminder else None
    if reminder is None or composed is None:
        return 0
    subject, body = composed
    sent = 0
    for user in recipients(reminder):
        try:
            mailer.mail_user(user, subject, body)
            sent += 1
        except Exception:  # a broken mail server must not stop the other recipients
            log.exception("Satu Data: could not mail %s the reminder %s", user.name, reminder_id)
    return sent


def open_for(user: Any, today: dt.date | None = None, horizon_days: int = 30) -> list[daftar.Entry]:
    """The notices of a produsen: the unpublished items of the OPDs ``user`` edits that are
    late or due within ``horizon_days``, the late first."""
    today = today or clock.today()
    items = daftar.open_items_for(user, today.year)
    found = [
        e
        for e in daftar.entries(items, today)
        if e.progress.status != status.TERBIT
        and e.item.get("jadwal_rilis") is not None
        and (e.item["jadwal_rilis"] - today).days <= horizon_days
    ]
    found.sort(key=lambda e: e.item["jadwal_rilis"])
    return found
