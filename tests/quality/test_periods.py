"""Periods and the staleness rule."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.satudata_balikpapan.quality.engine import expected_by, parse_period, stale_check
from ckanext.satudata_balikpapan.quality.engine.periods import period_sort_key


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("03/2024", dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
        ("2024-Q2", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ("Triwulan IV 2024", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024 S2", dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
        ("Semester I 2024", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
        ("2024-03-15", dt.date(2024, 3, 15), dt.date(2024, 3, 15)),
        (2024, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_parse_period(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_unreadable_periods_sort_last():
    assert parse_period("tahun lalu") is None
    assert sorted(["2025", "x", "2023-Q4", "2024"], key=period_sort_key) == ["2023-Q4", "2024", "2025", "x"]


@pytest.mark.parametrize(
    ("frekuensi", "last", "due"),
    [
        ("tahunan", "2024", "2026-03-31"),
        ("7", "2024", "2026-03-31"),  # the MS-Keg code of tahunan
        ("bulanan", "2024-03", "2024-05-31"),
        ("triwulanan", "2024-Q1", "2024-09-30"),
        ("semesteran", "2024-S1", "2025-03-31"),
        ("harian", "2024-03-15", "2024-03-17"),
        ("mingguan", "2024-03-15", "2024-03-29"),
    ],
)
def test_the_next_update_is_due_one_period_later_plus_a_grace(frekuensi, last, due):
    assert expected_by(frekuensi, last).isoformat() == due


def test_stale_only_after_the_due_date():
    assert stale_check("tahunan", "2024", dt.date(2026, 3, 31)) is None
    finding = stale_check("tahunan", "2024", dt.date(2026, 4, 30))
    assert finding.code == "stale" and finding.severity == "warning"
    assert finding.details["days_overdue"] == 30
    assert finding.message("id") == (
        "Pembaruan tahunan terakhir untuk periode 2024; periode berikutnya seharusnya terbit paling "
        "lambat 2026-03-31 (30 hari terlambat)"
    )
    assert "annual" in finding.message("en")


def test_one_off_and_unknown_schedules_are_never_stale():
    assert stale_check("sekali", "2010", dt.date(2026, 1, 1)) is None
    assert stale_check("kadang-kadang", "2010", dt.date(2026, 1, 1)) is None
    assert stale_check("tahunan", None, dt.date(2026, 1, 1)) is None
