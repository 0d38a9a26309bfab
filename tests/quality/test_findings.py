"""Findings: stable codes, severities and readable messages in both languages."""

from __future__ import annotations

import json

from ckanext.satudata_balikpapan.quality.engine import CODES, Finding

REQUIRED_CODES = {
    "type_error",
    "missing_value",
    "constraint_error",
    "invalid_region_code",
    "duplicate_row",
    "duplicate_key",
    "total_mismatch",
    "unit_mismatch",
    "extreme_change",
    "copied_previous_period",
    "identical_file",
    "stale",
}


def test_every_code_of_the_issue_is_registered_with_a_severity_and_titles():
    assert set(CODES) >= REQUIRED_CODES
    for code, info in CODES.items():
        assert info.severity in ("error", "warning"), code
        assert info.title["id"] and info.title["en"], code


def test_what_blocks_publication_and_what_needs_acknowledgement():
    errors = {c for c, i in CODES.items() if i.severity == "error"}
    assert {
        "type_error",
        "missing_value",
        "constraint_error",
        "invalid_region_code",
        "duplicate_key",
        "total_mismatch",
    } <= errors
    warnings = {c for c, i in CODES.items() if i.severity == "warning"}
    assert warnings == {
        "duplicate_row",
        "unit_mismatch",
        "extreme_change",
        "copied_previous_period",
        "identical_file",
        "stale",
    }


def test_a_message_names_sheet_row_column_and_problem():
    f = Finding.make(
        "type_error",
        row=12,
        column="jumlah_penduduk",
        sheet="2024",
        value="12.5OO",
        details={"type": "integer"},
    )
    assert f.severity == "error"
    assert (
        f.message() == 'Lembar "2024", baris 12, kolom "jumlah_penduduk": nilai "12.5OO" bukan bilangan bulat'
    )
    assert (
        f.message("en")
        == 'Sheet "2024", row 12, column "jumlah_penduduk": value "12.5OO" is not a whole number'
    )


def test_every_code_has_a_message_in_both_languages():
    for code in CODES:
        f = Finding.make(code, row=3, column="x", value="v")
        assert f.message("id") and f.message("en"), code
        assert f.message("id") != f.message("en") or code == "file_error", code


def test_a_file_level_finding_has_no_location_prefix():
    f = Finding.make("identical_file", details={"other": "Penduduk 2023"})
    assert f.message() == "Berkas ini sama persis (byte demi byte) dengan Penduduk 2023"


def test_an_identical_file_names_published_matches_and_only_counts_unpublished_ones():
    both = Finding.make("identical_file", details={"other": '"A" (Data A)', "unpublished": 2})
    assert (
        both.message("id")
        == 'Berkas ini sama persis (byte demi byte) dengan "A" (Data A) dan 2 berkas lain yang belum terbit'
    )
    assert (
        both.message("en")
        == 'This file is byte for byte the same as "A" (Data A) and 2 other unpublished files'
    )
    hidden = Finding.make("identical_file", details={"other": "", "unpublished": 1})
    assert (
        hidden.message("id")
        == "Berkas ini sama persis (byte demi byte) dengan 1 berkas lain yang belum terbit"
    )
    assert hidden.message("en") == "This file is byte for byte the same as 1 unpublished file"


def test_to_dict_is_json_safe_and_round_trips():
    f = Finding.make(
        "total_mismatch",
        row=8,
        column="luas_km2",
        value="510.94",
        details={"total": 510.94, "sum": float("nan"), "kind": "row", "parts": ["64.71.01"]},
    )
    data = f.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["details"]["sum"] is None
    assert data["message"]["id"].startswith("Baris 8, kolom")
    assert Finding.from_dict(data).row == 8
