"""Profiles: the compact per-period summary, and the checks that compare periods and
resources through it without reading the earlier files again."""

from __future__ import annotations

import json

from ckanext.satudata_balikpapan.quality.engine import (
    check_copied,
    check_extreme,
    check_total_mismatch,
    validate,
)
from ckanext.satudata_balikpapan.quality.engine.profile import MAX_ENTRIES
from tests.quality import corpus


def profile_of(tmp_path, rows, name="p.csv"):
    return validate(str(corpus.write_csv(tmp_path / name, rows)), "csv", corpus.schema()).profile


def test_a_profile_is_compact_json_keyed_on_region_per_year(tmp_path):
    profile = profile_of(tmp_path, corpus.penduduk())
    assert json.loads(json.dumps(profile, allow_nan=False)) == profile
    assert profile["key_fields"] == ["kode_wilayah"]
    assert profile["period_field"] == "tahun"
    assert profile["value_fields"] == ["laki_laki", "perempuan", "Jumlah (jiwa)", "luas_km2"]
    assert sorted(profile["periods"]) == ["2021", "2022", "2023", "2024", "2025"]
    y2023 = profile["periods"]["2023"]
    assert y2023["rows"] == 7
    assert y2023["entries"]["64.71.03"]["r"] == corpus.row_number(corpus.penduduk(), "64.71.03", 2023)
    assert y2023["entries"]["64.71"]["v"][3] == 508.94
    assert profile["decimals"] == [0, 0, 0, 2]
    assert MAX_ENTRIES == 5_000


def test_identical_periods_have_the_same_digest(tmp_path):
    rows = corpus.penduduk([2023])
    again = [[r[0], r[1], 2024, *r[3:]] for r in rows]
    a = profile_of(tmp_path, rows, "a.csv")
    b = profile_of(tmp_path, again, "b.csv")
    assert a["periods"]["2023"]["digest"] == b["periods"]["2024"]["digest"]


def test_check_copied_across_resources_keeps_the_best_earlier_period(tmp_path):
    rows = corpus.penduduk()
    earlier = {
        "2021-2022": profile_of(tmp_path, [r for r in rows if r[2] <= 2022], "a.csv"),
        "2023": profile_of(tmp_path, [r for r in rows if r[2] == 2023], "b.csv"),
    }
    copied = [[r[0], r[1], 2025, *r[3:]] for r in rows if r[2] == 2022]
    new = profile_of(tmp_path, copied, "c.csv")
    [finding] = check_copied(new, earlier)
    assert (finding.details["period"], finding.details["previous_period"], finding.details["source"]) == (
        "2025",
        "2022",
        "2021-2022",
    )
    assert finding.row == 2
    assert check_copied(new, None) == []


def test_check_copied_needs_enough_cells():
    profile = {
        "value_fields": ["nilai"],
        "period_field": "tahun",
        "periods": {
            "2023": {"entries": {"64.71": {"r": 2, "v": [5]}}},
            "2024": {"entries": {"64.71": {"r": 3, "v": [5]}}},
        },
    }
    assert check_copied(profile) == []
    assert [f.row for f in check_copied(profile, min_cells=1)] == [3]


def test_check_extreme_uses_the_nearest_earlier_period_and_skips_zeros():
    profile = {
        "value_fields": ["kasus"],
        "period_field": "tahun",
        "periods": {
            "2022": {"entries": {"64.71.01": {"r": 2, "v": [10]}, "64.71.02": {"r": 3, "v": [0]}}},
            "2024": {"entries": {"64.71.01": {"r": 4, "v": [900]}, "64.71.02": {"r": 5, "v": [70]}}},
        },
    }
    earlier = {
        "2023 (resource lain)": {
            "value_fields": ["kasus"],
            "periods": {"2023": {"entries": {"64.71.01": {"r": 9, "v": [100]}}}},
        }
    }
    assert [(f.row, f.details["previous"]) for f in check_extreme(profile)] == [(4, 10)]
    assert check_extreme(profile, earlier) == []  # 900 is 9x the 2023 value: under the factor
    [f] = check_extreme(profile, earlier, factor=5)
    assert (f.row, f.details["previous_period"], f.details["source"]) == (4, "2023", "2023 (resource lain)")


def test_check_total_mismatch_on_a_profile_by_region_hierarchy():
    profile = {
        "value_fields": ["jumlah"],
        "key_fields": ["kode_wilayah"],
        "decimals": [0],
        "totals": {"rows": {"by": "region", "field": "kode_wilayah", "fields": ["jumlah"]}},
        "periods": {
            "2024": {
                "entries": {
                    "64.71": {"r": 2, "v": [30]},
                    "64.71.05": {"r": 3, "v": [10]},
                    "64.71.05.1002": {"r": 4, "v": [4]},
                    "64.71.05.1006": {"r": 5, "v": [5]},
                    "64.71.06": {"r": 6, "v": [20]},
                }
            }
        },
    }
    found = [(f.row, f.details["total"], f.details["sum"]) for f in check_total_mismatch(profile)]
    assert found == [(3, 10, 9)]  # the city adds up (10 + 20), Balikpapan Selatan does not (4 + 5)
