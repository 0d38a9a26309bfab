"""Search facets of the portal: Produsen Data, sektor, urusan, tahun, wilayah, frekuensi, format.

Filtering by a kecamatan finds the data of its kelurahan too; filtering by a year finds every
dataset whose reference period (or a resource's period) includes it.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from tests.conftest import create_dataset, make_opd_org, publish


@pytest.fixture
def catalogue(clean_db, clean_index, with_plugins):
    make_opd_org("dinkes")
    make_opd_org("disdukcapil")
    csv = [{"url": "https://data.balikpapan.go.id/a.csv", "format": "CSV", "periode": "2023"}]
    names = ["dbd-utara", "dbd-gunung-samarinda", "penduduk-per-kecamatan", "pad-kota", "penduduk-selatan"]
    create_dataset(
        name="dbd-utara", title="Kasus DBD Balikpapan Utara", tingkat_penyajian="kecamatan",
        kode_wilayah=["64.71.03"], periode_awal="2021", periode_akhir="2023", resources=csv,
    )  # fmt: skip
    create_dataset(
        name="dbd-gunung-samarinda", title="Kasus DBD Kelurahan Gunung Samarinda",
        tingkat_penyajian="kelurahan", kode_wilayah=["64.71.03.1002"], periode_awal="2024",
        periode_akhir="", frekuensi="bulanan",
    )  # fmt: skip
    create_dataset(
        name="penduduk-per-kecamatan", title="Penduduk menurut Kecamatan", owner_org="disdukcapil",
        sektor_kegiatan="2", kode_urusan="2.12", tingkat_penyajian="kecamatan",
        kode_wilayah=["64.71"], periode_awal="2020", periode_akhir="2020",
    )  # fmt: skip
    create_dataset(
        name="pad-kota", title="Pendapatan Asli Daerah", owner_org="disdukcapil",
        sektor_kegiatan="7", kode_urusan="2.12", tingkat_penyajian="kota",
        kode_wilayah=["64.71"], periode_awal="2020", periode_akhir="2020",
    )  # fmt: skip
    create_dataset(
        name="penduduk-selatan", title="Penduduk Balikpapan Selatan", owner_org="disdukcapil",
        sektor_kegiatan="2", kode_urusan="2.12", tingkat_penyajian="kecamatan",
        kode_wilayah=["64.71.05"], periode_awal="2019", periode_akhir="2020",
    )  # fmt: skip

    for name in names:
        publish(name)


def _names(**params):
    result = helpers.call_action("package_search", **params)
    return sorted(d["name"] for d in result["results"])


@pytest.mark.usefixtures("catalogue")
class TestFilters:
    def test_a_kecamatan_finds_its_own_data_its_kelurahan_data_and_city_tables_by_kecamatan(self):
        assert _names(fq='vocab_wilayah:"64.71.03"') == [
            "dbd-gunung-samarinda",
            "dbd-utara",
            "penduduk-per-kecamatan",
        ]

    def test_a_kelurahan_finds_only_data_with_figures_for_it(self):
        assert _names(fq='vocab_wilayah:"64.71.03.1002"') == ["dbd-gunung-samarinda"]

    def test_city_totals_are_not_found_under_a_kecamatan(self):
        assert "pad-kota" not in _names(fq='vocab_wilayah:"64.71.05"')
        assert _names(fq='vocab_wilayah:"64.71.05"') == [
            "penduduk-per-kecamatan",
            "penduduk-selatan",
        ]

    def test_the_city_finds_everything(self):
        assert len(_names(fq='vocab_wilayah:"64.71"')) == 5

    def test_a_year_inside_a_reference_period(self):
        assert _names(fq="vocab_tahun:2022") == ["dbd-utara"]
        assert _names(fq="vocab_tahun:2019") == ["penduduk-selatan"]

    def test_sektor_urusan_frekuensi_and_producer(self):
        assert _names(fq="sektor_kegiatan:2") == ["penduduk-per-kecamatan", "penduduk-selatan"]
        assert _names(fq='kode_urusan:"1.02"') == ["dbd-gunung-samarinda", "dbd-utara"]
        assert _names(fq="frekuensi:bulanan") == ["dbd-gunung-samarinda"]
        assert _names(fq="organization:dinkes") == ["dbd-gunung-samarinda", "dbd-utara"]

    def test_facet_values_carry_readable_labels(self):
        result = helpers.call_action(
            "package_search",
            **{"facet.field": '["vocab_wilayah", "sektor_kegiatan", "vocab_tahun"]'},
        )
        wilayah = {i["name"]: i["display_name"] for i in result["search_facets"]["vocab_wilayah"]["items"]}
        assert wilayah["64.71.03"] == "Kec. Balikpapan Utara"
        assert wilayah["64.71.03.1002"] == "Kel. Gunung Samarinda"
        assert wilayah["64.71"] == "Kota Balikpapan"
        sektor = {i["name"]: i["display_name"] for i in result["search_facets"]["sektor_kegiatan"]["items"]}
        assert sektor == {"9": "Kesehatan", "2": "Demografi dan Kependudukan", "7": "Keuangan"}
        years = {i["name"]: i["count"] for i in result["search_facets"]["vocab_tahun"]["items"]}
        assert years == {"2019": 1, "2020": 3, "2021": 1, "2022": 1, "2023": 1, "2024": 1}


def _facet_titles(page: BeautifulSoup) -> list[str]:
    return [h.get_text(" ", strip=True) for h in page.select("section.module-narrow h2.module-heading")]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("path", "titles", "labels"),
    [
        (
            "/dataset/",
            [
                "Produsen Data (Perangkat Daerah)",
                "Sektor",
                "Urusan Pemerintahan",
                "Tahun",
                "Wilayah",
                "Frekuensi",
                "Format",
            ],
            ["Kec. Balikpapan Utara", "Kesehatan"],
        ),
        (
            "/en/dataset/",
            ["Data producer (OPD)", "Sector", "Government affair", "Year", "Area", "Frequency"],
            ["Kec. Balikpapan Utara", "Health"],
        ),
    ],
    ids=["id", "en"],
)
def test_the_search_page_offers_the_facets_in_the_users_language(app, path, titles, labels):
    page = BeautifulSoup(app.get(path).body, "html.parser")
    shown = " | ".join(_facet_titles(page))
    for title in titles:
        assert title in shown, shown
    text = page.get_text(" ", strip=True)
    for label in labels:
        assert label in text


@pytest.mark.usefixtures("catalogue")
def test_filtering_by_kecamatan_on_the_search_page(app):
    page = BeautifulSoup(app.get("/dataset/?vocab_wilayah=64.71.03").body, "html.parser")
    titles = [a.get_text(strip=True) for a in page.select(".dataset-heading a")]
    assert sorted(titles) == [
        "Kasus DBD Balikpapan Utara",
        "Kasus DBD Kelurahan Gunung Samarinda",
        "Penduduk menurut Kecamatan",
    ]


def _accessible_name(link) -> str:
    return link.get("aria-label") or link.get_text(" ", strip=True)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/dataset/", ["Cari dataset berdasarkan Sektor: Kesehatan", "Cari dataset berdasarkan Tahun: 2020"]),
        ("/en/dataset/", ["Search datasets by Sector: Health", "Search datasets by Year: 2020"]),
    ],
    ids=["id", "en"],
)
def test_a_screen_reader_names_each_facet_link_by_the_facet_title_never_its_field(app, path, expected):

    page = BeautifulSoup(app.get(path).body, "html.parser")
    names = [_accessible_name(a) for a in page.select(".nav-facet a")]
    assert names
    fields = ("organization", "sektor_kegiatan", "kode_urusan", "vocab_tahun", "vocab_wilayah", "frekuensi",
              "res_format", "tags")  # fmt: skip
    assert [n for n in names if any(f in n.split(" ") or f"{f}:" in n for f in fields)] == []
    if tk.check_ckan_version(min_version="2.12"):  # 2.11's links are named by their text
        assert set(expected) <= set(names), names
