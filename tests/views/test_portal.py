"""The public portal pages (#7) as visitors see them, in Bahasa Indonesia.

The home page is the city's data door: a search box, the datasets by sektor, the newest
verified data, Data Prioritas and the directory of OPDs. A dataset page shows its Satu Data
metadata in the groups of the form, "Terverifikasi Walidata" with the date, a preview of its
latest file and a chart of its figures over the years. An OPD page shows the OPD's profile
from the registry. Unpublished datasets never reach the public, and a broken file never
breaks a page.
"""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.portal import pages as portal
from ckanext.satudata_balikpapan.registry import opd
from tests.conftest import create_dataset, make_opd_org, publish
from tests.test_resource_files import local_server
from tests.test_tables import make_xlsx

ADMIN = {"ignore_auth": True}


def _page(res) -> BeautifulSoup:
    assert res.status_code == 200, res.status_code
    return BeautifulSoup(res.body, "html.parser")


def _upload(dataset_id: str, filename: str, content: bytes, fmt: str, periode: str | None = None) -> dict:
    site_user = helpers.call_action("get_site_user", context=dict(ADMIN))["name"]
    return helpers.call_action(
        "resource_create", context={"ignore_auth": True, "user": site_user}, package_id=dataset_id,
        url=filename, name=filename, format=fmt, periode=periode,
        upload=FileStorage(io.BytesIO(content), filename=filename),
    )  # fmt: skip


def _population_csv(year: int) -> bytes:
    rows = ["kode_wilayah,nama_wilayah,tahun,laki_laki,perempuan,jumlah"]
    for i, name in enumerate(("Balikpapan Timur", "Balikpapan Barat", "Balikpapan Utara"), start=1):
        men, women = 30000 * i + (year - 2021) * 500, 29000 * i + (year - 2021) * 450
        rows.append(f"64.71.0{i},{name},{year},{men},{women},{men + women}")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def catalogue(clean_db, clean_index):
    """Published datasets of Dinkes (health) and Disdukcapil (population), one with yearly CSV
    files; a draft of Dinkes that only its OPD may see; OPDs of several kinds."""
    portal.cache.clear()
    for code in (
        "dinkes",
        "disdukcapil",
        "diskominfo",
        "bappeda-litbang",
        "kec-balikpapan-utara",
        "rsud-kota",
    ):
        make_opd_org(code)
    dbd = create_dataset(name="kasus-dbd", title="Kasus DBD per Kelurahan", prioritas_tahun="2025")
    publish(dbd["id"])
    imunisasi = create_dataset(
        name="cakupan-imunisasi",
        title="Cakupan Imunisasi Dasar",
        prioritas_tahun="",
        ukuran="persentase",
        satuan="persen",
    )
    publish(imunisasi["id"])
    penduduk = create_dataset(
        name="jumlah-penduduk", title="Jumlah Penduduk per Kecamatan", owner_org="disdukcapil", sektor_kegiatan="2",
        kode_urusan="2.12", prioritas_tahun="", satuan="orang", tingkat_penyajian="kecamatan",
    )  # fmt: skip
    for year in (2021, 2022, 2023, 2024):
        _upload(penduduk["id"], f"penduduk-{year}.csv", _population_csv(year), "CSV", str(year))
    publish(penduduk["id"])
    draft = create_dataset(name="draf-rahasia", title="Draf Rahasia Belum Terbit", sektor_kegiatan="5",
                           prioritas_tahun="2026")  # fmt: skip
    return {"dbd": dbd, "imunisasi": imunisasi, "penduduk": penduduk, "draft": draft}


@pytest.fixture
def server():
    with local_server() as url:
        yield url


class TestHome:
    def test_the_hero_names_the_city_and_searches(self, app, catalogue):
        page = _page(app.get("/"))
        hero = page.select_one(".satudata-hero")
        assert "Satu Data Kota Balikpapan" in hero.h1.get_text()
        form = hero.select_one("form[role=search]")
        assert form["action"] == "/dataset/"
        assert form.select_one("input[name=q]")
        assert "3 dataset terbit dari 6 Perangkat Daerah" in hero.get_text(" ", strip=True)

    def test_datasets_by_sektor_with_counts_that_link_to_the_search(self, app, catalogue):
        page = _page(app.get("/"))
        tiles = {li["data-sektor"]: li for li in page.select(".satudata-sektor li")}
        assert set(tiles) == {"9", "2"}  # the draft's sektor has no public dataset
        assert tiles["9"].select_one(".satudata-tile-label").get_text(strip=True) == "Kesehatan"
        assert tiles["9"].select_one(".satudata-tile-count").get_text(strip=True) == "2 dataset"
        assert tiles["2"].a["href"] == "/dataset/?sektor_kegiatan=2"

    def test_the_newest_verified_datasets_come_first_with_their_date(self, app, catalogue):
        page = _page(app.get("/"))
        newest = page.select(".satudata-newest li")
        assert [li["data-dataset"] for li in newest] == ["jumlah-penduduk", "cakupan-imunisasi", "kasus-dbd"]
        badge = newest[0].select_one(".satudata-verified-badge")
        assert "Terverifikasi Walidata" in badge.get_text()
        assert badge.time["datetime"][:4].isdigit()

    def test_data_prioritas(self, app, catalogue):
        page = _page(app.get("/"))
        block = page.select_one(".satudata-prioritas")
        assert block.h2.get_text(strip=True) == "Data Prioritas"
        assert [li["data-dataset"] for li in block.select("li")] == ["kasus-dbd"]
        assert "Data Prioritas 2025" in block.get_text()

    def test_the_opd_directory_groups_offices_by_kind_with_their_counts(self, app, catalogue):
        page = _page(app.get("/"))
        kinds = {s["data-kind"]: s for s in page.select(".satudata-opd-kind")}
        assert list(kinds) == ["dinas", "badan", "rsud", "kecamatan"]
        assert kinds["dinas"].h3.get_text(strip=True) == "Dinas"
        assert kinds["kecamatan"].h3.get_text(strip=True) == "Kecamatan"
        counts = {
            li["data-opd"]: li.select_one(".satudata-count").get_text(strip=True)
            for li in page.select(".satudata-opd-list li")
        }
        assert counts["dinkes"] == "2 dataset"  # the draft is not counted
        assert counts["disdukcapil"] == "1 dataset"
        assert counts["kec-balikpapan-utara"] == "0 dataset"
        assert page.select_one("li[data-opd=dinkes] a")["href"] == "/organization/dinkes"

    @pytest.mark.parametrize("viewer", [None, "warga", "walidata"])
    def test_unpublished_datasets_never_appear_on_the_home_page(self, app, catalogue, viewer):
        headers = {}
        if viewer:
            factories.User(name=viewer)
            if viewer == "walidata":
                helpers.call_action("organization_member_create", context=dict(ADMIN), id="diskominfo",
                                    username=viewer, role="admin")  # fmt: skip
            headers = {"Authorization": factories.APIToken(user=viewer)["token"]}
        body = app.get("/", headers=headers).body
        assert "Draf Rahasia" not in body and "draf-rahasia" not in body

    def test_the_brand_comes_from_the_config(self, app, catalogue, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.satudata.city_name", "Kota Contoh")
        monkeypatch.setitem(ckan_config, "ckanext.satudata.color_primary", "#123abc")
        page = _page(app.get("/"))
        assert page.select_one(".satudata-logo-city").get_text(strip=True) == "Kota Contoh"
        assert page.select_one(".satudata-logo img")["src"].endswith("/satudata/logo-kota.svg")
        assert "--satudata-primary:#123abc" in "".join(s.get_text() for s in page.select("style"))
        stylesheet = next(
            link["href"] for link in page.select("link[rel=stylesheet]") if "portal" in link["href"]
        )
        assert "var(--satudata-primary)" in app.get(stylesheet).body
        assert app.get("/satudata/logo-kota.svg").status_code == 200


class TestDatasetPage:
    def test_metadata_in_the_groups_of_the_form_with_labels(self, app, catalogue):
        page = _page(app.get("/dataset/kasus-dbd"))
        groups = [h.get_text(strip=True) for h in page.select(".satudata-metadata-group h3")]
        assert groups[:2] == ["Informasi Umum", "Standar Data"]
        assert {"Metadata Indikator", "Metadata Kegiatan", "Cakupan", "Akses", "Kontak"} <= set(groups)
        row = page.select_one("#metadata-informasi_umum tr[data-field=sektor_kegiatan] td")
        assert row.get_text(strip=True) == "Kesehatan"
        assert "Tahunan" in page.select_one("tr[data-field=frekuensi] td").get_text()
        assert "Seksi Surveilans dan Imunisasi" in page.select_one("#metadata-kontak").get_text()
        # fields left empty are left out
        assert page.select_one("tr[data-field=ukuran_lainnya]") is None

    def test_the_verified_badge_with_the_date_of_publication(self, app, catalogue):
        page = _page(app.get("/dataset/kasus-dbd"))
        badge = page.select_one("h1 .satudata-verified-badge")
        assert "Terverifikasi Walidata" in badge.get_text()
        shown = helpers.call_action("package_show", context=dict(ADMIN), id="kasus-dbd")
        assert badge.time["datetime"] == shown["satudata_tanggal_terbit"]
        # the workflow panel and history stay
        assert page.select_one("#satudata-workflow")

    def test_a_preview_of_the_latest_csv(self, app, catalogue):
        page = _page(app.get("/dataset/jumlah-penduduk"))
        preview = page.select_one(".satudata-preview")
        assert "penduduk-2024.csv" in preview.h3.get_text()
        table = preview.select_one("table.satudata-preview-table")
        assert [th.get_text() for th in table.select("thead th")] == [
            "kode_wilayah", "nama_wilayah", "tahun", "laki_laki", "perempuan", "jumlah",
        ]  # fmt: skip
        first = [td.get_text() for td in table.select("tbody tr")[0].select("td")]
        assert first == ["64.71.01", "Balikpapan Timur", "2024", "31500", "30350", "61850"]

    def test_a_chart_of_the_yearly_totals(self, app, catalogue):
        page = _page(app.get("/dataset/jumlah-penduduk"))
        chart = page.select_one("#grafik figure.satudata-line-chart")
        svg = chart.find("svg")
        assert svg["role"] == "img"
        assert "total semua baris" in svg["aria-label"]
        desc = svg.find("desc").get_text()
        # the three kecamatan add up: 30000 + 60000 + 90000 men in 2021
        assert "Laki laki: 2021 180.000 orang" in desc
        assert [t.get_text() for t in chart.select("tbody th")] == ["2021", "2022", "2023", "2024"]

    def test_no_chart_without_yearly_figures(self, app, catalogue):
        page = _page(app.get("/dataset/kasus-dbd"))
        assert page.select_one("#grafik") is None

    def test_a_spreadsheet_is_previewed_too(self, app, catalogue):
        rows = [
            ["kecamatan", "tahun", "cakupan"],
            ["Balikpapan Utara", 2025, 92.5],
            ["Balikpapan Kota", 2025, 95],
        ]
        resource = _upload(catalogue["imunisasi"]["id"], "imunisasi.xlsx", make_xlsx(rows), "XLSX", "2025")
        page = _page(app.get(f"/dataset/cakupan-imunisasi/resource/{resource['id']}"))
        cells = [td.get_text() for td in page.select(".satudata-preview-table tbody td")]
        assert cells[:3] == ["Balikpapan Utara", "2025", "92.5"]

    def test_a_broken_file_gets_a_polite_message_and_no_error(self, app, catalogue):
        resource = _upload(
            catalogue["dbd"]["id"],
            "rusak.xlsx",
            b"PK\x03\x04 this is not really a spreadsheet",
            "XLSX",
            "2025",
        )
        for url in ("/dataset/kasus-dbd", f"/dataset/kasus-dbd/resource/{resource['id']}"):
            page = _page(app.get(url))
            message = page.select_one(".satudata-preview-message").get_text()
            assert "tidak dapat ditampilkan sebagai tabel" in message

    def test_a_linked_file_is_previewed_only_from_an_allowed_address(
        self, app, catalogue, server, ckan_config, monkeypatch
    ):
        site_user = helpers.call_action("get_site_user", context=dict(ADMIN))["name"]
        resource = helpers.call_action(
            "resource_create", context={"ignore_auth": True, "user": site_user},
            package_id=catalogue["dbd"]["id"], url=f"{server}/data.csv", name="DBD 2024", format="CSV",
        )  # fmt: skip
        url = f"/dataset/kasus-dbd/resource/{resource['id']}"
        # the portal never fetches from its own network on a visitor's behalf...
        message = _page(app.get(url)).select_one(".satudata-preview-message").get_text()
        assert "tidak dapat diambil" in message
        # ...unless the admin allows that host (an OPD's intranet server)
        portal.cache.clear()
        monkeypatch.setitem(ckan_config, "ckanext.satudata.fetch_allowed_hosts", ["127.0.0.1"])
        cells = [td.get_text() for td in _page(app.get(url)).select(".satudata-preview-table tbody td")]
        assert cells[:3] == ["64.71.01", "2024", "17"]

    def test_the_number_of_preview_rows_is_configurable(self, app, catalogue, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.satudata.preview_rows", 2)
        page = _page(app.get("/dataset/jumlah-penduduk"))
        assert len(page.select(".satudata-preview-table tbody tr")) == 2
        assert "Hanya 2 baris pertama" in page.select_one(".satudata-preview").get_text()

    def test_the_public_cannot_see_an_unpublished_dataset_or_its_preview(self, app, catalogue):
        _upload(catalogue["draft"]["id"], "rahasia.csv", b"tahun,nilai\n2024,1\n2025,2\n", "CSV", "2025")
        assert app.get("/dataset/draf-rahasia").status_code in (403, 404)


class TestOpdPage:
    def test_the_profile_from_the_registry_above_its_datasets(self, app, catalogue):
        page = _page(app.get("/organization/dinkes"))
        profile = page.select_one(".satudata-opd-profile")
        assert "Dinas Kesehatan" in profile.h1.get_text() and "(Dinkes)" in profile.h1.get_text()
        facts = dict(zip([dt.get_text(strip=True) for dt in profile.select("dt")],
                         [dd.get_text(" ", strip=True) for dd in profile.select("dd")], strict=True))  # fmt: skip
        assert facts["Kode"] == "dinkes"
        assert facts["Jenis Perangkat Daerah"] == "Dinas"
        assert facts["Urusan Pemerintahan"].startswith("1.02 ")
        assert facts["Nama dalam bahasa Inggris"] == "Health Office"
        # and CKAN's list of its datasets, public ones only
        listed = [a.get_text(strip=True) for a in page.select(".dataset-heading a")]
        assert "Kasus DBD per Kelurahan" in listed and "Draf Rahasia Belum Terbit" not in listed

    def test_a_kecamatan_office_shows_its_area(self, app, catalogue):
        page = _page(app.get("/organization/kec-balikpapan-utara"))
        assert "64.71.03 Kec. Balikpapan Utara" in page.select_one(".satudata-opd-profile").get_text()

    def test_predecessors_and_contact_come_from_the_registry(self, app, catalogue):
        make_opd_org("dkp", title="Dinas Ketahanan Pangan", kind="dinas", name_en="")
        registry = opd.parse_registry(
            {
                "opd": [
                    {"code": "diskominfo", "name": "Dinas Komunikasi dan Informatika", "kind": "dinas", "walidata": True},
                    {"code": "dp3", "name": "Dinas Pangan, Pertanian dan Perikanan", "abbreviation": "DP3", "kind": "dinas",
                     "predecessors": ["dkp"], "contact": {"email": "dp3@balikpapan.go.id", "address": "Jl. Jend. Sudirman 1"}},
                ]
            }
        )  # fmt: skip
        with app.flask_app.test_request_context():
            profile = portal.opd_profile({"name": "dp3"}, registry=registry)
        assert profile["predecessors"] == [{"code": "dkp", "title": "Dinas Ketahanan Pangan"}]
        assert (profile["email"], profile["address"]) == ("dp3@balikpapan.go.id", "Jl. Jend. Sudirman 1")
