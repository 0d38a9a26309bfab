"""``ckan satudata seed-demo``: a realistic demo catalogue with yearly CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.satudata_balikpapan.demo import seed

WEIGHTS = {
    "64.71.01": 0.12,
    "64.71.02": 0.14,
    "64.71.03": 0.25,
    "64.71.04": 0.14,
    "64.71.05": 0.22,
    "64.71.06": 0.13,
}


def _spec(**series):
    base = {
        "name": "penduduk-uji",
        "kode_wilayah": ["64.71"],
        "series": {
            "by": "kecamatan",
            "years": [2021, 2025],
            "columns": [
                {
                    "name": "laki_laki",
                    "base": 370000,
                    "growth": 0.01,
                    "noise": 0.01,
                    "aggregate": "sum",
                },
                {
                    "name": "perempuan",
                    "base": 355000,
                    "growth": 0.01,
                    "noise": 0.01,
                    "aggregate": "sum",
                },
            ],
            "total_column": "jumlah",
        },
    }
    base["series"].update(series)
    return base


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


class TestSeries:
    def test_one_file_per_year_with_a_row_per_kecamatan_that_adds_up(self):
        tables = seed.series_tables(_spec(), WEIGHTS)
        assert sorted(tables) == [2021, 2022, 2023, 2024, 2025]
        rows = _rows(tables[2021])
        assert [r["kode_wilayah"] for r in rows] == [
            "64.71.01",
            "64.71.02",
            "64.71.03",
            "64.71.04",
            "64.71.05",
            "64.71.06",
        ]
        assert rows[2]["nama_wilayah"] == "Balikpapan Utara"
        total = sum(int(r["jumlah"]) for r in rows)
        assert 0.95 * 725000 < total < 1.05 * 725000
        for r in rows:
            assert int(r["jumlah"]) == int(r["laki_laki"]) + int(r["perempuan"])
        # the population grows about 1 % a year, and the largest kecamatan is the largest row
        later = sum(int(r["jumlah"]) for r in _rows(tables[2025]))
        assert 1.02 < later / total < 1.06
        assert max(rows, key=lambda r: int(r["jumlah"]))["kode_wilayah"] == "64.71.03"

    def test_the_figures_are_deterministic_and_not_copies_of_last_year(self):
        first = seed.series_tables(_spec(), WEIGHTS)
        again = seed.series_tables(_spec(), WEIGHTS)
        assert first == again
        assert _rows(first[2021])[0]["laki_laki"] != _rows(first[2022])[0]["laki_laki"]

    def test_kelurahan_rows_of_one_kecamatan(self):
        spec = _spec(by="kelurahan")
        spec["kode_wilayah"] = ["64.71.03"]
        rows = _rows(seed.series_tables(spec, WEIGHTS)[2023])
        assert len(rows) == 6
        assert all(r["kode_wilayah"].startswith("64.71.03.") for r in rows)

    def test_rates_stay_near_their_base(self):
        spec = _spec(
            columns=[
                {
                    "name": "apm_sd",
                    "base": 98.2,
                    "growth": 0.0,
                    "noise": 0.01,
                    "aggregate": "mean",
                    "decimals": 2,
                }
            ]
        )
        spec["series"].pop("total_column")
        rows = _rows(seed.series_tables(spec, WEIGHTS)[2021])
        assert all(85 < float(r["apm_sd"]) < 112 for r in rows)

    def test_city_level_series_have_one_row_per_year(self):
        spec = _spec(by="kota")
        rows = _rows(seed.series_tables(spec, WEIGHTS)[2024])
        assert len(rows) == 1
        assert list(rows[0]) == ["tahun", "laki_laki", "perempuan", "jumlah"]


class TestShippedCatalogue:
    def test_it_covers_at_least_30_datasets_of_10_opds_over_several_years(self):
        datasets = seed.catalogue()["datasets"]
        assert len(datasets) >= 30
        assert len({d["owner_org"] for d in datasets}) >= 10
        assert all(d["series"]["years"][1] - d["series"]["years"][0] >= 2 for d in datasets)
        assert len({d["name"] for d in datasets}) == len(datasets)


@pytest.mark.integration
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_seed_demo_creates_the_catalogue_once(cli):
    result = cli.invoke(ckan, ["satudata", "seed-demo"])
    assert result.exit_code == 0, result.output
    expected = seed.catalogue()["datasets"]
    admin = {"user": helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]}
    search = helpers.call_action(
        "package_search", context=admin, rows=1000, include_private=True, include_drafts=True
    )
    assert search["count"] == len(expected)
    # every verification state is shown, and only published datasets are public
    states = [seed.demo_state(i) for i in range(len(expected))]
    assert {"draft", "diajukan", "dikembalikan", "terbit"} <= set(states)
    public = helpers.call_action("package_search", rows=1000)
    assert public["count"] == states.count("terbit")
    organizations = {d["organization"]["name"] for d in search["results"]}
    assert len(organizations) >= 10
    sample = helpers.call_action("package_show", id=expected[0]["name"])
    first, last = expected[0]["series"]["years"]
    assert [r["periode"] for r in sample["resources"]] == [str(y) for y in range(first, last + 1)]
    assert all(r["format"] == "CSV" and r["url_type"] == "upload" for r in sample["resources"])

    # the year's Daftar Data across several OPDs: some published on time, some late, some open
    listed = helpers.call_action("satudata_daftar_data_list", context={"user": ""})
    items = {i["title"]: i for i in listed["results"]}
    assert len(items) == len(seed.catalogue()["daftar_data"])
    assert len({i["organization"]["name"] for i in items.values()}) >= 5
    assert {"terbit", "terlambat", "draft", "belum_ada"} <= {i["status"] for i in items.values()}
    assert any(i["on_time"] for i in items.values()) and any(i["on_time"] is False for i in items.values())
    assert items["Jumlah Penduduk menurut Kecamatan dan Jenis Kelamin"]["status"] == "terbit"
    if dt.date.today().timetuple().tm_yday > 60:  # its date (60 days ago) is kept within the year
        assert items["Jumlah Kasus DBD menurut Kecamatan dan Jenis Kelamin"]["status"] == "terlambat"

    again = cli.invoke(ckan, ["satudata", "seed-demo"])
    assert again.exit_code == 0
    assert (
        f"0 datasets created (0 files), 0 Daftar Data items, {len(expected)} already present" in again.output
    )
