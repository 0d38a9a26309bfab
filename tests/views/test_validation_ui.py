"""The validation in the web UI (#5): the resource page shows the file's status, each problem
with its row, column and message (Indonesian, or English under /en/), and the column schema
with a button to confirm a draft; the dataset page shows the walidata what blocks publication
and asks a reason for publishing past warnings."""

from __future__ import annotations

import io
import json

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from tests.conftest import create_dataset, make_workflow_people
from tests.quality import corpus
from tests.quality.test_service import LAST, PREV, copy_of, csv_bytes

pytestmark = [pytest.mark.integration]


@pytest.fixture
def users(clean_db, clean_index):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _page(res) -> BeautifulSoup:
    assert res.status_code == 200, res.status_code
    return BeautifulSoup(res.body, "html.parser")


def _upload(name: str, content: bytes, periode: str | None = None, **extra) -> dict:
    return helpers.call_action(
        "resource_create", context={"user": "produsen-dinkes"}, package_id="penduduk", url=f"{name}.csv",
        name=name, format="CSV", periode=periode, upload=FileStorage(io.BytesIO(content), filename=f"{name}.csv"),
        **extra,
    )  # fmt: skip


def _broken() -> tuple[dict, int]:
    rows = corpus.penduduk([LAST])
    corpus.find(rows, "64.71.03", LAST)[corpus.LK] = "91.2O4"
    create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa")
    resource = _upload("Penduduk", csv_bytes(rows), str(LAST), schema=json.dumps(corpus.schema()))
    return resource, corpus.row_number(rows, "64.71.03", LAST)


def test_the_resource_page_names_row_column_and_problem(app, users):
    resource, row = _broken()
    url = f"/dataset/penduduk/resource/{resource['id']}"
    panel = _page(app.get(url, headers=users["produsen-dinkes"])).select_one("#validasi-data")
    assert panel.select_one("[data-status]").get_text(strip=True) == "Tidak valid"
    finding = panel.select_one(f'tr.satudata-finding[data-code=type_error][data-row="{row}"]')
    cells = [td.get_text(" ", strip=True) for td in finding.select("td")]
    assert cells[0] == "Kesalahan" and cells[3:5] == [str(row), "laki_laki"]
    assert cells[5] == f'Baris {row}, kolom "laki_laki": nilai "91.2O4" bukan bilangan bulat'
    # the confirmed schema as a table, without a draft notice
    columns = [tr["data-column"] for tr in panel.select("table.satudata-schema tbody tr")]
    assert columns == corpus.HEADER and panel.select_one(".satudata-schema-draft") is None

    english = _page(app.get(f"/en{url}", headers=users["produsen-dinkes"])).select_one("#validasi-data")
    assert english.select_one("[data-status]").get_text(strip=True) == "Not valid"
    message = english.select_one("tr.satudata-finding[data-code=type_error] .satudata-finding-message")
    assert (
        message.get_text(strip=True) == f'Row {row}, column "laki_laki": value "91.2O4" is not a whole number'
    )


def test_a_draft_schema_is_confirmed_from_the_resource_page(app, users):
    create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa")
    resource = _upload("Penduduk", csv_bytes(corpus.penduduk([LAST])), str(LAST))
    url = f"/dataset/penduduk/resource/{resource['id']}"
    page = _page(app.get(url, headers=users["produsen-dinkes"]))
    assert page.select_one("#validasi-data [data-status]").get_text(strip=True) == "Valid"
    assert "draf yang disusun dari berkas" in page.select_one(".satudata-schema-draft").get_text()
    key_rows = [tr["data-column"] for tr in page.select("table.satudata-schema tbody tr") if "ya" in
                tr.select("td")[5].get_text()]  # fmt: skip
    assert key_rows == ["kode_wilayah", "tahun"]
    form = page.select_one("form.satudata-schema-confirm")
    assert form.button.get_text(strip=True) == "Konfirmasi skema"

    # another OPD's produsen may not confirm it
    assert app.post(form["action"], headers=users["produsen-disdukcapil"]).status_code in (403, 404)
    res = app.post(form["action"], headers=users["produsen-dinkes"], follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith(f"{url}#validasi-data")
    page = _page(app.get(url, headers=users["produsen-dinkes"]))
    assert (
        page.select_one(".satudata-schema-draft") is None
        and page.select_one("form.satudata-schema-confirm") is None
    )
    assert "satudata:draft" not in helpers.call_action("resource_show", id=resource["id"])["schema"]


def test_the_walidata_sees_the_warnings_and_publishes_with_a_reason(app, users):
    create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa")
    old = corpus.penduduk([PREV])
    _upload(f"Penduduk {PREV}", csv_bytes(old), str(PREV))
    _upload(f"Penduduk {LAST}", csv_bytes(copy_of(old, LAST)), str(LAST))
    helpers.call_action("satudata_submit", context={"user": "produsen-dinkes"}, id="penduduk")

    page = _page(app.get("/dataset/penduduk", headers=users["walidata"]))
    gate = page.select_one(".satudata-quality-gate")
    (warning,) = gate.select(".satudata-gate-warning-list li")
    assert warning["data-code"] == "copied_previous_period"
    assert warning.get_text(" ", strip=True).startswith(
        f'Penduduk {LAST}: Baris 2, kolom "tahun": 100% nilai'
    )
    reason = page.select_one("textarea#satudata-override-reason")
    assert reason["name"] == "override_reason"
    assert page.select_one("label[for=satudata-override-reason]").get_text(strip=True) == (
        "Alasan tetap menerbitkan meskipun ada peringatan"
    )
    # publishing is not the produsen's: no reason field for them
    clerk = _page(app.get("/dataset/penduduk", headers=users["produsen-dinkes"]))
    assert clerk.select_one("#satudata-override-reason") is None

    # without a reason: refused, with the message on the page
    res = app.post("/dataset/penduduk/verifikasi/publish", data={"note": ""}, headers=users["walidata"])
    text = _page(res).get_text(" ", strip=True)
    assert "Isi alasan untuk tetap menerbitkannya" in text
    assert helpers.call_action("package_show", id="penduduk")["publishing_status"] == "diajukan"

    res = app.post(
        "/dataset/penduduk/verifikasi/publish",
        data={"note": "", "override_reason": "Angka DKB memang sama"},
        headers=users["walidata"],
        follow_redirects=False,
    )
    assert res.status_code == 302
    page = _page(app.get("/dataset/penduduk", headers=users["walidata"]))
    assert "Terverifikasi Walidata pada" in page.select_one(".satudata-workflow").get_text()
    history = page.select_one("#riwayat-verifikasi").get_text(" ", strip=True)
    assert "Diterbitkan melewati 1 peringatan (copied_previous_period): Angka DKB memang sama" in history


def test_the_public_sees_the_validation_of_a_published_file_without_buttons(app, users):
    create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa")
    resource = _upload("Penduduk", csv_bytes(corpus.penduduk([LAST])), str(LAST))
    helpers.call_action("satudata_submit", context={"user": "produsen-dinkes"}, id="penduduk")
    helpers.call_action("satudata_publish", context={"user": "walidata"}, id="penduduk")
    panel = _page(app.get(f"/dataset/penduduk/resource/{resource['id']}")).select_one("#validasi-data")
    assert panel.select_one("[data-status]").get_text(strip=True) == "Valid"
    assert "Tidak ditemukan masalah." in panel.get_text()
    assert panel.select("form") == []
