"""The portal's clock: the time zone its days and years are counted in.

CKAN shows times in ``ckan.display_timezone`` (Asia/Makassar, WITA, for Balikpapan); the
extension counts its days in the same zone, so that a data request sent just after midnight
on 1 January is numbered in the new year and a Daftar Data item due on 30 June is late from
midnight WITA, not from 08:00 WITA. Stored times stay naive UTC (``model.meta.utcnow``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import ckan.plugins.toolkit as tk


def portal_zone() -> dt.tzinfo:
    """``ckan.display_timezone`` as a zone; UTC when unset, "server" or unknown."""
    name = tk.config.get("ckan.display_timezone") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name) if name != "server" else dt.timezone.utc
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` (naive UTC, as stored) on the portal's clock."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(portal_zone())


def today() -> dt.date:
    """Today on the portal's clock."""
    return dt.datetime.now(dt.timezone.utc).astimezone(portal_zone()).date()


MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}  # fmt: skip


def format_date(value: dt.date | str | None, lang: str = "id") -> str:
    """A day as people write it: "30 Juni 2026" (Indonesian), "30 June 2026" (English); an
    ISO text is read first; "" for nothing or an unreadable value."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return ""
    if not isinstance(value, dt.date):
        return ""
    months = MONTHS.get(lang, MONTHS["id"])
    return f"{value.day} {months[value.month - 1]} {value.year}"
