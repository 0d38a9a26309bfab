"""Reference periods (tahun, bulan, triwulan, semester, tanggal) and the ``stale`` check."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ckanext.satudata_balikpapan.quality.engine.findings import Finding
from ckanext.satudata_balikpapan.registry import vocabularies

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$|^(\d{1,2})[-/.](\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_QUARTER = re.compile(
    r"^(\d{4})\s*[-/ ]?\s*(?:q|tw|triwulan)\s*(i{1,3}|iv|[1-4])$"
    r"|^(?:q|tw|triwulan)\s*(i{1,3}|iv|[1-4])\s*[-/ ]?\s*(\d{4})$"
)
_SEMESTER = re.compile(
    r"^(\d{4})\s*[-/ ]?\s*(?:s|sem|semester|h)\s*(i{1,2}|[12])$"
    r"|^(?:s|sem|semester|h)\s*(i{1,2}|[12])\s*[-/ ]?\s*(\d{4})$"
)


@dataclass(frozen=True)
class Period:
    """A reference period: its first and last day."""

    start: dt.date
    end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _num(text: str) -> int:
    return ROMAN[text] if text in ROMAN else int(text)


def parse_period(value: Any) -> Period | None:
    """The period a cell or label names: ``2024``, ``2024-03`` or ``03/2024``,
    ``2024-Q1``/``2024 TW II``/``Triwulan 2 2024``, ``2024-S1``/``Semester II 2024``,
    ``2024-03-15``; None when it names none."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Period(value, value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    try:
        if m := _YEAR.match(text):
            y = int(m.group(1))
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31))
        if m := _DAY.match(text):
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period(d, d)
        if m := _MONTH.match(text):
            y, mo = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
            return Period(dt.date(y, mo, 1), _month_end(y, mo))
        if m := _QUARTER.match(text):
            y, q = (int(m.group(1)), _num(m.group(2))) if m.group(1) else (int(m.group(4)), _num(m.group(3)))
            return Period(dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := _SEMESTER.match(text):
            y, s = (int(m.group(1)), _num(m.group(2))) if m.group(1) else (int(m.group(4)), _num(m.group(3)))
            return Period(dt.date(y, 6 * s - 5, 1), _month_end(y, 6 * s))
    except (ValueError, KeyError):
        return None
    return None


@lru_cache(maxsize=4096)
def period_sort_key(value: Any) -> tuple:
    """A key that orders periods in time; unparseable labels sort after every date, by text."""
    p = parse_period(value)
    if p is None:
        return (1, dt.date.max, dt.date.max, str(value))
    return (0, p.start, p.end, str(value))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _step(day: dt.date, months: float) -> dt.date:
    if months >= 1 and float(months).is_integer():
        return add_months(day, int(months))
    return day + dt.timedelta(days=max(1, round(months * 30.4375)))


def frekuensi_term(frekuensi: str) -> Any:
    """The frekuensi vocabulary term of a slug (``tahunan``) or MS-Keg code (``7``)."""

    vocab = vocabularies.vocabulary("frekuensi")
    term = vocab.get(frekuensi)
    if term is None:
        term = next((t for t in vocab if str(t.get("code")) == str(frekuensi)), None)
    return term


def expected_by(frekuensi: str, last_period: Any, *, grace_months: float | None = None) -> dt.date | None:
    """When the period after ``last_period`` is due: the end of that next period plus a
    grace of one interval, at most 3 months (``grace_months`` overrides it). None for a
    one-off (``sekali``) or unknown frekuensi, or an unreadable period.

    Examples: tahunan, last 2024 -> the 2025 figures are due by 2026-03-31; bulanan, last
    2024-03 -> April's are due by 2024-05-31; triwulanan, last 2024-Q1 -> Q2's by 2024-09-30.
    """
    term = frekuensi_term(frekuensi) if frekuensi else None
    period = parse_period(last_period)
    if term is None or period is None or not term.get("months"):
        return None
    months = float(term["months"])
    if term.code == "harian":
        months = 1 / 30.4375
    elif term.code == "mingguan":
        months = 7 / 30.4375
    grace = min(months, 3.0) if grace_months is None else grace_months
    next_end = _step(period.end + dt.timedelta(days=1), months) - dt.timedelta(days=1)
    return _step(next_end + dt.timedelta(days=1), grace) - dt.timedelta(days=1) if grace else next_end


def stale_check(
    frekuensi: str | None,
    last_period: Any,
    today: dt.date | None = None,
    *,
    grace_months: float | None = None,
) -> Finding | None:
    """A ``stale`` finding when the update after ``last_period`` is overdue on ``today``
    (see :func:`expected_by` for the due date), else None. Pure: ``today`` defaults to the
    current date only when not given."""
    if not frekuensi or last_period in (None, ""):
        return None
    due = expected_by(frekuensi, last_period, grace_months=grace_months)
    if due is None:
        return None
    today = today or dt.date.today()
    if today <= due:
        return None
    term = frekuensi_term(frekuensi)
    return Finding.make(
        "stale",
        value=str(last_period),
        details={
            "frekuensi": term.code,
            "frekuensi_label_id": term.text("id").lower(),
            "frekuensi_label_en": term.text("en").lower(),
            "last_period": str(last_period),
            "expected_by": due.isoformat(),
            "days_overdue": (today - due).days,
        },
    )
