"""The EPSS evidence of an OPD for a year (issue #19): every figure against a hand count of a
year's work (two items promised, one published on time after a return, one not started, one
data request rejected with a reason), each figure with how it was computed; the same numbers
in the API, the printable page and the workbook; seen by the walidata, BPS and the OPD only."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from tests.conftest import TEST_OVERRIDE_REASON, create_dataset, make_workflow_people

YEAR = dt.date.today().year


@pytest.fixture
def year_of_work(clean_db, clean_index, clean_queues):
    """Dinkes's year: an item published on time after one return, an item not started, a
    data request rejected with a reason; Disdukcapil's item, not counted for Dinkes."""
    tokens = make_workflow_people()
    call = helpers.call_action
    done = call("satudata_daftar_data_create", context={"user": "walidata"}, year=YEAR, organization="dinkes",
                title="Jumlah Kasus DBD per Kelurahan", prioritas=True, jadwal_rilis=f"{YEAR + 1}-06-30",
                konsep="DBD", definisi="Kasus DBD", satuan="kasus")  # fmt: skip
    call("satudata_daftar_data_create", context={"user": "walidata"}, year=YEAR, organization="dinkes",
         title="Cakupan Imunisasi Dasar Lengkap")  # fmt: skip
    call("satudata_daftar_data_create", context={"user": "walidata"}, year=YEAR, organization="disdukcapil",
         title="Jumlah Penduduk")  # fmt: skip
    dataset = create_dataset(user="produsen-dinkes", daftar_data=done["id"])
    call("satudata_submit", context={"user": "produsen-dinkes"}, id=dataset["id"])
    call(
        "satudata_return", context={"user": "walidata"}, id=dataset["id"], note="Lengkapi metode perhitungan"
    )
    call("satudata_submit", context={"user": "produsen-dinkes"}, id=dataset["id"])
    call(
        "satudata_publish",
        context={"user": "walidata"},
        id=dataset["id"],
        override_reason=TEST_OVERRIDE_REASON,
    )
    request = call("satudata_request_create", context={"user": ""}, name="Budi", email="budi@example.org",
                   purpose="Skripsi", data_description="Kasus DBD per RT", organization="dinkes")  # fmt: skip
    call("satudata_request_update_state", context={"user": "walidata"}, id=request["reference"], state="ditolak",
         reason="Data per RT tidak dikumpulkan")  # fmt: skip
    return {name: {"Authorization": token} for name, token in tokens.items()}


def _evidence(app, headers, org="dinkes"):
    res = app.post("/api/3/action/satudata_epss_evidence", json={"id": org, "year": YEAR}, headers=headers)
    assert res.status_code == 200, res.body[:300]
    return res.json["result"]


def _figures(data) -> dict:
    return {f["key"]: f["value"] for aspect in data["aspects"] for f in aspect["figures"]}


def test_every_figure_matches_the_hand_count_of_the_year(app, year_of_work):
    data = _evidence(app, year_of_work["walidata"])

    assert [a["code"] for a in data["aspects"]] == [
        "perencanaan",
        "pengumpulan",
        "pemeriksaan",
        "penyebarluasan",
    ]
    figures = _figures(data)
    assert {k: figures[k] for k in ("promised", "prioritas", "standard_share", "linked_share")} == {
        "promised": 2, "prioritas": 1, "standard_share": 50.0, "linked_share": 50.0}  # fmt: skip
    assert {k: figures[k] for k in ("submitted", "returned", "publications", "published", "fulfilment")} == {
        "submitted": 2, "returned": 1, "publications": 1, "published": 1, "fulfilment": 50.0}  # fmt: skip
    assert (figures["on_time_share"], figures["late"], figures["requests_answered"]) == (100.0, 0, 1)
    assert all(f["how"] and f["inferred"] for a in data["aspects"] for f in a["figures"])
    assert "Peraturan BPS Nomor 3 Tahun 2022" in data["source"] and "disimpulkan" in data["source"]
    (returned,) = [e for e in data["history"] if e["action"] == "return"]
    assert returned["note"] == "Lengkapi metode perhitungan"
    assert data["requests"] == {"assigned": 1, "baru": 0, "diproses": 0, "dipenuhi": 0, "ditolak": 1}
    assert {i["title"] for i in data["items"]} == {
        "Jumlah Kasus DBD per Kelurahan",
        "Cakupan Imunisasi Dasar Lengkap",
    }


@pytest.mark.parametrize(("who", "allowed"), [("anonim", False), ("warga", False), ("produsen-disdukcapil", False),
                                              ("produsen-dinkes", True), ("walidata", True), ("pembina-bps", True)])  # fmt: skip
def test_the_walidata_bps_and_the_opd_itself_see_the_evidence(app, year_of_work, who, allowed):
    res = app.post("/api/3/action/satudata_epss_evidence", json={"id": "dinkes", "year": YEAR},
                   headers=year_of_work.get(who, {}))  # fmt: skip
    assert res.status_code == (200 if allowed else 403)


def test_the_page_and_the_workbook_show_the_same_numbers(app, year_of_work):
    headers = year_of_work["pembina-bps"]
    data = _evidence(app, headers)

    page = BeautifulSoup(app.get(f"/daftar-data/{YEAR}/epss/dinkes", headers=headers).body, "html.parser")
    assert page.select_one("h1").get_text(strip=True) == f"Bukti EPSS {YEAR}: Dinas Kesehatan"
    assert page.select_one("[data-figure=fulfilment] td").get_text(strip=True) == "50"
    assert page.select_one("figure svg[role=img]")
    assert "Lengkapi metode perhitungan" in page.select_one(".satudata-epss-history").get_text()

    answer = app.get(f"/daftar-data/{YEAR}/epss/dinkes/bukti-epss.xlsx", headers=headers)
    book = openpyxl.load_workbook(io.BytesIO(answer.get_data()))
    assert book.sheetnames == ["Ringkasan", "Daftar Data", "Riwayat Verifikasi", "Permohonan Data"]
    rows = {r[1]: r[2] for r in book["Ringkasan"].iter_rows(min_row=5, values_only=True) if r[1]}
    labels = {f["label"]: f["value"] for a in data["aspects"] for f in a["figures"]}
    assert rows == {k: (v if v is not None else "-") for k, v in labels.items()}
    assert app.get(f"/daftar-data/{YEAR}/epss/dinas-tidak-ada", headers=headers).status_code == 404
    assert app.get(f"/daftar-data/{YEAR}/epss/dinkes").status_code == 403
