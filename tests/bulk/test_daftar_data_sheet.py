"""The Daftar Data through Excel (issue #19): the walidata downloads the year's workbook,
fills in the Forum's list as it comes from the meeting, and uploads it; nothing is stored
while a row has a problem, the report names row, column and problem in Indonesian, and a
clean workbook lands whole."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup

from ckanext.satudata_balikpapan.bulk import workbook
from tests.conftest import make_workflow_people

pytestmark = [pytest.mark.integration]

YEAR = dt.date.today().year


@pytest.fixture
def users(clean_db, clean_index):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _template(app, headers, year=YEAR) -> openpyxl.Workbook:
    answer = app.get(f"/daftar-data/templat/{year}", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(answer.get_data()))


def _keys(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[workbook.KEY_ROW] if cell.value}


def _fill(sheet, row: int, values: dict) -> None:
    keys = _keys(sheet)
    for key, value in values.items():
        sheet.cell(row, keys[key], value)


def _upload(app, headers, book: openpyxl.Workbook, year=YEAR) -> dict:
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    answer = app.post("/api/3/action/satudata_daftar_data_import", headers=headers,
                      data={"year": str(year), "upload": (data, "daftar-data.xlsx")})  # fmt: skip
    assert answer.status_code == 200, answer.body[:500]
    return answer.json["result"]


def _items(app) -> dict[str, dict]:
    result = app.post("/api/3/action/satudata_daftar_data_list", json={"year": YEAR}).json["result"]
    return {i["title"]: i for i in result["results"]}


def _create(app, users, **fields):
    data = {"year": YEAR, "organization": "dinkes", "title": "Jumlah Kasus DBD per Kelurahan", **fields}
    assert (
        app.post(
            "/api/3/action/satudata_daftar_data_create", json=data, headers=users["walidata"]
        ).status_code
        == 200
    )


def test_the_workbook_holds_the_years_items_with_labels_and_dropdowns(app, users):
    _create(app, users, prioritas=True, frekuensi="tahunan", jadwal_rilis=f"{YEAR}-06-30")
    sheet = _template(app, users["walidata"])[workbook.SHEET]

    keys = _keys(sheet)
    assert sheet.cell(workbook.HEADER_ROW, keys["title"]).value == "Judul *"
    row = {key: sheet.cell(workbook.FIRST_ROW, column).value for key, column in keys.items()}
    assert (row["title"], row["organization"], row["prioritas"], row["frekuensi"], row["jadwal_rilis"]) == (
        "Jumlah Kasus DBD per Kelurahan", "Dinas Kesehatan", "Ya", "Tahunan", f"{YEAR}-06-30"
    )  # fmt: skip
    assert sheet.data_validations.dataValidation  # the choices are dropdowns


def test_only_the_walidata_downloads_and_uploads_the_workbook(app, users):
    assert app.get(f"/daftar-data/templat/{YEAR}", headers=users["produsen-dinkes"]).status_code == 403
    answer = app.post("/api/3/action/satudata_daftar_data_import", headers=users["produsen-dinkes"],
                      data={"year": str(YEAR), "upload": (io.BytesIO(b"x"), "a.xlsx")})  # fmt: skip
    assert answer.status_code == 403


def test_a_clean_workbook_adds_and_updates_items_in_one_go(app, users):
    _create(app, users, frekuensi="tahunan")
    book = _template(app, users["walidata"])
    sheet = book[workbook.SHEET]
    _fill(sheet, workbook.FIRST_ROW, {"jadwal_rilis": dt.datetime(YEAR, 9, 30), "prioritas": "Ya"})
    _fill(sheet, workbook.FIRST_ROW + 1, {"title": "Jumlah Penduduk menurut Kelurahan",
                                          "organization": "Dinas Kependudukan dan Pencatatan Sipil",
                                          "frekuensi": "Semesteran", "satuan": "jiwa"})  # fmt: skip
    _fill(sheet, workbook.FIRST_ROW + 2, {"title": "Cakupan Imunisasi", "organization": "dinkes",
                                          "kriteria_prioritas": "Standar Pelayanan Minimal (SPM)"})  # fmt: skip

    report = _upload(app, users["walidata"], book)

    assert (report["applied"], report["created"], report["updated"], report["problems"]) == (True, 2, 1, [])
    items = _items(app)
    assert items["Jumlah Kasus DBD per Kelurahan"]["jadwal_rilis"] == f"{YEAR}-09-30"
    assert items["Jumlah Kasus DBD per Kelurahan"]["prioritas"] is True
    assert items["Jumlah Penduduk menurut Kelurahan"]["organization"]["name"] == "disdukcapil"
    assert items["Cakupan Imunisasi"]["kriteria_prioritas"] == "spm"


def test_a_workbook_with_problems_stores_nothing_and_names_each_row_and_column(app, users):
    book = _template(app, users["walidata"])
    sheet = book[workbook.SHEET]
    keys = _keys(sheet)
    _fill(sheet, 3, {"title": "Jumlah Puskesmas", "organization": "dinkes"})  # fine on its own
    _fill(sheet, 4, {"title": "Jumlah Sekolah", "organization": "Dinas Antah Berantah"})
    _fill(sheet, 5, {"title": "Jumlah Guru", "organization": "dinkes", "jadwal_rilis": f"{YEAR + 5}-01-01"})
    _fill(sheet, 6, {"organization": "dinkes", "catatan": "judul lupa diisi"})
    _fill(sheet, 7, {"title": "jumlah puskesmas", "organization": "Dinas Kesehatan"})

    report = _upload(app, users["walidata"], book)

    assert not report["applied"] and report["rows"] == 5
    found = {(p["row"], p["field"]) for p in report["problems"]}
    assert found == {(4, "organization"), (5, "jadwal_rilis"), (6, "title"), (7, "title")}
    by_row = {p["row"]: p for p in report["problems"]}
    assert by_row[4]["message"] == 'Perangkat Daerah: "Dinas Antah Berantah" tidak ada'
    assert by_row[4]["column"] == openpyxl.utils.get_column_letter(keys["organization"])
    assert "Judul wajib diisi" in by_row[6]["message"]
    assert "baris 3" in by_row[7]["message"]
    assert _items(app) == {}  # not even row 3


def test_a_file_that_is_no_workbook_is_refused_clearly_and_the_page_reports_it(app, users):
    answer = app.post("/api/3/action/satudata_daftar_data_import", headers=users["walidata"],
                      data={"year": str(YEAR), "upload": (io.BytesIO(b"bukan excel"), "a.xlsx")})  # fmt: skip
    assert answer.status_code == 409
    assert "bukan buku kerja Excel" in answer.json["error"]["upload"][0]

    page = app.post("/daftar-data/unggah", headers=users["walidata"],
                    data={"year": "tahun depan", "upload": (io.BytesIO(b"x"), "a.xlsx")})  # fmt: skip
    assert page.status_code == 200
    error = BeautifulSoup(page.body, "html.parser").select_one(".satudata-daftar-upload-error").get_text()
    assert "bukan tahun" in error
