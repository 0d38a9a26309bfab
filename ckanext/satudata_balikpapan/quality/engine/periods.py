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


MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_COLUMN_YEAR = re.compile(r"^(?:tahun|thn|th|year)?\s*(\d{4})$")
_COLUMN_PART = re.compile(
    r"^(?:(?P<y1>\d{4})\s+)?(?P<kind>triwulan|tw|kuartal|quarter|q|semester|sem|s)\s*"
    r"(?P<n>iv|i{1,3}|[1-4])(?:\s+(?:tahun\s+)?(?P<y2>\d{4}))?$"
)
_COLUMN_MONTH = re.compile(r"^(?:(?P<y1>\d{4})\s+)?(?P<month>[a-z]+)(?:\s+(?:tahun\s+)?(?P<y2>\d{4}))?$")
_MARKS = re.compile(r"\([^)]*\)|\[[^\]]*\]|[*]+|\b(?:angka\s+)?(?:sementara|sangat\s+sementara|revisi)\b")


@lru_cache(maxsize=4096)
def column_period(label: str, year: int | None = None) -> str | None:
    """The period a *column header* of a wide table names, as a period label that
    :func:`parse_period` reads, or None: ``2024``, ``Tahun 2024``, ``2024*`` (BPS marks
    provisional figures so) -> ``2024``; ``Semester I 2024`` -> ``2024-S1``; ``Triwulan II
    2024``/``TW II 2024``/``Q2 2024`` -> ``2024-Q2``; ``Januari 2024``/``Jan 2024`` ->
    ``2024-01``. A header naming a month, quarter or semester without its year (``Januari``)
    takes ``year`` (the resource's), and names nothing without it.

    The usual BPS layout puts the periods in the columns (rows = kecamatan, columns = 2020 ...
    2024); without reading them, a 2024 column copied from 2023 gave no finding at all."""
    text = _MARKS.sub(" ", str(label).lower().replace("_", " ").replace("-", " "))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    if m := _COLUMN_YEAR.match(text):
        y = int(m.group(1))
        return str(y) if 1900 <= y <= 2100 else None
    found_year: str | None = None
    if m := _COLUMN_PART.match(text):
        found_year = m.group("y1") or m.group("y2")
        n = _num(m.group("n"))
        semester = m.group("kind") in ("semester", "sem", "s")
        if semester and n > 2:
            return None
        label_part = f"S{n}" if semester else f"Q{n}"
    elif (m := _COLUMN_MONTH.match(text)) and m.group("month") in MONTHS:
        found_year = m.group("y1") or m.group("y2")
        label_part = f"{MONTHS[m.group('month')]:02d}"
    else:
        return None
    y = int(found_year) if found_year else year
    if y is None or not 1900 <= y <= 2100:
        return None
    return f"{y}-{label_part}"


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
