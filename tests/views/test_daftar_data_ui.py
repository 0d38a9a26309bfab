"""The Daftar Data in the web UI, as its users walk it.

A visitor opens "Daftar Data <year>": the counts per OPD with two charts, every item with its
status, filters; the title of an unpublished draft never shows. The walidata adds and changes
items through a form that explains mistakes in Indonesian next to each field. A clerk starts a
dataset from an item of the OPD's list (the form comes filled in) and the dataset page names
the item.
"""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from tests.conftest import create_dataset, make_workflow_people, publish

YEAR = dt.date.today().year


@pytest.fixture
def users(clean_db, clean_index, clean_queues):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _page(res) -> BeautifulSoup:
    assert res.status_code == 200, (res.status_code, res.body[:500])
    return BeautifulSoup(res.body, "html.parser")


def _item(app, users, **fields):
    data = {"year": YEAR, "organization": "dinkes", "title": "Jumlah Kasus DBD per Kelurahan", **fields}
    res = app.post("/api/3/action/satudata_daftar_data_create", json=data, headers=users["walidata"])
    assert res.status_code == 200, res.body
    return res.json["result"]


def test_the_public_page_shows_what_each_opd_promised_and_delivered(app, users):
    published = _item(app, users, jadwal_rilis=f"{YEAR + 1}-03-31", prioritas=True)
    pending = _item(app, users, title="Cakupan Imunisasi Dasar Lengkap", jadwal_rilis=f"{YEAR + 1}-06-30")
    _item(app, users, organization="disdukcapil", title="Jumlah Penduduk menurut Kelurahan")
    done = create_dataset(user="produsen-dinkes", name="dbd-terbit", daftar_data=published["id"])
    publish(done["id"])
    create_dataset(user="produsen-dinkes", name="draf-imunisasi", title="Draf Imunisasi Rahasia",
                   daftar_data=pending["id"])  # fmt: skip

    page = _page(app.get(f"/daftar-data/{YEAR}"))

    assert page.select_one("h1").get_text(strip=True) == f"Daftar Data {YEAR}"
    per_opd = {
        row["data-organization"]: [td.get_text(strip=True) for td in row.select("td")]
        for row in page.select("table.satudata-daftar-opd-table tbody tr")
    }
    assert per_opd["dinkes"] == ["2", "1", "50%", "1", "0"]
    assert per_opd["disdukcapil"] == ["1", "0", "0%", "0", "0"]
    statuses = {
        row["data-item"]: row["data-status"] for row in page.select("table.satudata-daftar-table tbody tr")
    }
    assert statuses[published["id"]] == "terbit" and statuses[pending["id"]] == "draft"
    assert page.select_one(f"#butir-{published['id']} a[href$='/dataset/dbd-terbit']")
    assert "Draf Imunisasi Rahasia" not in page.get_text()
    assert "1 sedang disiapkan" in page.select_one(f"#butir-{pending['id']}").get_text()
    assert len(page.select("figure svg[role=img]")) == 2  # fulfilment and on-time charts
    assert page.select_one(".satudata-daftar-status-terbit").get_text(strip=True) == "Terbit"


def test_the_filters_narrow_the_list_and_a_bad_filter_is_explained(app, users):
    _item(app, users, prioritas=True)
    _item(app, users, organization="disdukcapil", title="Jumlah Penduduk menurut Kelurahan")

    only = _page(app.get(f"/daftar-data/{YEAR}", query_string={"organization": "disdukcapil"}))
    assert [
        r.select_one("td").get_text(" ", strip=True)
        for r in only.select("table.satudata-daftar-table tbody tr")
    ] == ["Jumlah Penduduk menurut Kelurahan"]
    priority = _page(app.get(f"/daftar-data/{YEAR}", query_string={"prioritas": "true"}))
    assert len(priority.select("table.satudata-daftar-table tbody tr")) == 1
    wrong = _page(app.get(f"/daftar-data/{YEAR}", query_string={"status": "hilang", "organization": "\x00"}))
    assert (
        "tidak dikenal" in wrong.select_one(".alert-danger").get_text()
        or "tidak ada" in wrong.select_one(".alert-danger").get_text()
    )
    assert len(wrong.select("table.satudata-daftar-table tbody tr")) == 2  # the whole list, unfiltered


def test_the_page_speaks_english_on_request_and_finds_this_year(app, users):
    _item(app, users)
    assert (
        app.get("/daftar-data", follow_redirects=False).headers["Location"].endswith(f"/daftar-data/{YEAR}")
    )
    page = _page(app.get(f"/en/daftar-data/{YEAR}"))
    assert page.select_one(".satudata-daftar-status").get_text(strip=True) == "Not started"
    assert "Share of the promised data published, by OPD" in page.get_text()
    assert app.get("/daftar-data/1800").status_code == 404
    assert app.get("/daftar-data/99999999999999999999").status_code == 404


def test_the_walidata_adds_and_changes_an_item_through_the_form(app, users):
    assert app.get("/daftar-data/butir/baru", headers=users["produsen-dinkes"]).status_code == 403
    form = _page(app.get("/daftar-data/butir/baru", headers=users["walidata"]))
    assert form.select_one("#field-year")["value"] == str(YEAR)

    refused = _page(app.post("/daftar-data/butir/baru", headers=users["walidata"],
                             data={"year": YEAR, "organization": "dinkes", "title": "", "jadwal_rilis": "besok"}))  # fmt: skip
    summary = refused.select_one(".error-explanation").get_text(" ", strip=True)
    assert "Judul" in summary and "wajib diisi" in summary and "bukan tanggal" in summary

    res = app.post("/daftar-data/butir/baru", headers=users["walidata"], follow_redirects=False,
                   data={"year": YEAR, "organization": "dinkes", "title": "Jumlah Puskesmas",
                         "prioritas": "true", "jadwal_rilis": f"{YEAR}-11-30"})  # fmt: skip
    assert res.status_code == 302 and f"/daftar-data/{YEAR}" in res.headers["Location"]
    listed = app.post("/api/3/action/satudata_daftar_data_list", json={"year": YEAR}).json["result"][
        "results"
    ]
    item = next(i for i in listed if i["title"] == "Jumlah Puskesmas")
    assert item["prioritas"] and item["jadwal_rilis"] == f"{YEAR}-11-30"

    edit = _page(app.get(f"/daftar-data/butir/{item['id']}/ubah", headers=users["walidata"]))
    assert edit.select_one("#field-title")["value"] == "Jumlah Puskesmas"
    app.post(f"/daftar-data/butir/{item['id']}/ubah", headers=users["walidata"],
             data={"year": YEAR, "organization": "dinkes", "title": "Jumlah Puskesmas menurut Kecamatan"})  # fmt: skip
    shown = app.post("/api/3/action/satudata_daftar_data_show", json={"id": item["id"]}).json["result"]
    assert (shown["title"], shown["prioritas"], shown["jadwal_rilis"]) == (
        "Jumlah Puskesmas menurut Kecamatan", False, None
    )  # fmt: skip
    app.post(f"/daftar-data/butir/{item['id']}/hapus", headers=users["walidata"])
    assert app.post("/api/3/action/satudata_daftar_data_show", json={"id": item["id"]}).status_code == 404


def test_a_clerk_starts_a_dataset_from_an_item_and_the_dataset_names_it(app, users):
    item = _item(app, users, satuan="kasus", frekuensi="tahunan", konsep="Demam berdarah dengue.")
    other = _item(app, users, organization="disdukcapil", title="Jumlah Penduduk menurut Kelurahan")

    listing = _page(app.get(f"/daftar-data/{YEAR}", headers=users["produsen-dinkes"]))
    start = listing.select_one(f"#butir-{item['id']} a.satudata-daftar-start")
    assert start["href"].endswith(f"/dataset/new?daftar_data={item['id']}")
    assert not listing.select_one(f"#butir-{other['id']} a.satudata-daftar-start")  # not the clerk's OPD

    form = _page(app.get(start["href"], headers=users["produsen-dinkes"]))
    assert form.select_one("#field-title")["value"] == "Jumlah Kasus DBD per Kelurahan"
    assert form.select_one("#field-daftar_data option[selected]")["value"] == item["id"]
    assert form.select_one("#field-konsep").get_text() == "Demam berdarah dengue."
    assert other["id"] not in str(form.select_one("#field-daftar_data"))

    dataset = create_dataset(user="produsen-dinkes", daftar_data=item["id"])
    page = _page(app.get(f"/dataset/{dataset['name']}", headers=users["produsen-dinkes"]))
    link = page.find("a", href=lambda h: h and f"#butir-{item['id']}" in h)
    assert link and "Jumlah Kasus DBD per Kelurahan" in link.get_text()


def test_the_scorecard_and_the_dashboard_count_what_each_opd_delivered_of_its_daftar_data(app, users):
    published = _item(app, users, jadwal_rilis=f"{YEAR + 1}-03-31")
    _item(app, users, title="Cakupan Imunisasi Dasar Lengkap")
    publish(create_dataset(user="produsen-dinkes", name="dbd-terbit", daftar_data=published["id"])["id"])

    card = app.post("/api/3/action/satudata_opd_scorecard", json={"id": "dinkes"}).json["result"]
    assert card["daftar_data"] == {
        "year": YEAR, "promised": 2, "prioritas": 0, "published": 1, "on_time": 1, "dated_published": 1,
        "late": 0, "fulfilment": 50.0, "on_time_share": 100.0,
    }  # fmt: skip
    opd = _page(app.get("/organization/dinkes"))
    assert "1 dari 2 butir terbit" in opd.select_one(".satudata-scorecard-daftar").get_text(" ", strip=True)
    dashboard = _page(app.get("/dasbor-kualitas"))
    row = dashboard.select_one("tr[data-opd=dinkes]")
    assert row.select_one("[data-column=daftar_data]").get_text(strip=True) == "1/2"
    assert row.select_one("[data-column=on_time]").get_text(strip=True) == "100%"
    assert (
        dashboard.select_one("tr[data-opd=disdukcapil] [data-column=daftar_data]").get_text(strip=True)
        == "\u2013"
    )
