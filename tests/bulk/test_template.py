"""Bulk metadata through Excel (issue #18): an OPD downloads its "Templat Metadata", fills it in
as clerks do, and uploads it; nothing is saved while a row has a problem, and the report names
sheet, row, column and problem in Indonesian."""

from __future__ import annotations

import csv
import io

import ckan.plugins.toolkit as tk
import openpyxl
import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from ckanext.satudata_balikpapan.bulk import workbook
from ckanext.satudata_balikpapan.registry.roles import site_context
from tests.conftest import create_dataset, make_workflow_people, publish

pytestmark = [pytest.mark.integration]


@pytest.fixture
def users(clean_db, clean_index):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _template(app, headers, org="dinkes") -> openpyxl.Workbook:
    answer = app.get(f"/organization/{org}/templat-metadata.xlsx", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(answer.get_data()))


def _keys(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[workbook.KEY_ROW] if cell.value}


def _upload(app, headers, book: openpyxl.Workbook, org="dinkes", only_valid=False) -> BeautifulSoup:
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    answer = app.post(
        f"/organization/{org}/unggah-metadata", headers=headers,
        data={"upload": (data, "templat.xlsx"), "only_valid": "true" if only_valid else "false"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.body[:500]
    return BeautifulSoup(answer.body, "html.parser")


def _fill(sheet, row: int, values: dict) -> None:
    keys = _keys(sheet)
    for key, value in values.items():
        sheet.cell(row, keys[key], value)


NEW = {
    "name": "jumlah-puskesmas", "title": "Jumlah Puskesmas per Kecamatan", "notes": "Puskesmas menurut kecamatan.",
    "sektor_kegiatan": None, "kode_urusan": None, "konsep": "Puskesmas", "definisi": "Pusat kesehatan masyarakat",
    "periode_awal": 2024, "kode_wilayah": "64.71", "penanggung_jawab.nama": "Seksi Data",
    "penanggung_jawab.jabatan": "Kepala Seksi", "penanggung_jawab.email": "data@dinkes.balikpapan.go.id",
}  # fmt: skip


def _complete(sheet, row: int, **overrides) -> None:
    """A new dataset filled in from a row of the example dataset's choices."""
    keys = _keys(sheet)
    example = {k: sheet.cell(workbook.FIRST_ROW, c).value for k, c in keys.items()}
    values = {**example, **{k: v for k, v in NEW.items() if v is not None}, **overrides}
    _fill(sheet, row, values)


def test_the_template_has_the_opds_datasets_indonesian_headers_and_dropdowns(app, users):
    create_dataset(user="produsen-dinkes")
    book = _template(app, users["produsen-dinkes"])

    sheet = book[workbook.SHEET]
    headers = [c.value for c in sheet[workbook.HEADER_ROW]]
    assert headers[0].startswith("URL") and "Judul *" in headers and "Frekuensi Penerbitan *" in headers
    keys = _keys(sheet)
    assert sheet.cell(workbook.FIRST_ROW, keys["name"]).value == "kasus-dbd-per-kelurahan"
    assert sheet.cell(workbook.FIRST_ROW, keys["frekuensi"]).value == "Tahunan"  # the label, not the code
    assert (
        sheet.cell(workbook.FIRST_ROW, keys["penanggung_jawab.email"]).value
        == "surveilans.dinkes@balikpapan.go.id"
    )
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789") for v in sheet.data_validations.dataValidation}
    frekuensi = openpyxl.utils.get_column_letter(keys["frekuensi"])
    assert frekuensi in lists
    assert book[workbook.CHOICES_SHEET].sheet_state == "hidden"


def test_only_the_opds_producers_and_the_walidata_get_its_template(app, users):
    assert (
        app.get(
            "/organization/dinkes/templat-metadata.xlsx", headers=users["produsen-disdukcapil"]
        ).status_code
        == 403
    )
    assert app.get("/organization/dinkes/templat-metadata.xlsx").status_code == 403
    assert app.get("/organization/dinkes/templat-metadata.xlsx", headers=users["admin"]).status_code == 200


def test_a_sheet_with_one_bad_row_saves_nothing_and_names_sheet_row_column_and_problem(app, users):
    create_dataset(user="produsen-dinkes")
    book = _template(app, users["produsen-dinkes"])
    sheet = book[workbook.SHEET]
    _complete(sheet, 4)
    _complete(sheet, 5, name="jumlah-posyandu", title="Jumlah Posyandu", periode_awal=1800,
              **{"penanggung_jawab.email": "data.dinkes"})  # fmt: skip

    page = _upload(app, users["produsen-dinkes"], book)

    problems = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in page.select(".satudata-template-problems tbody tr")
    ]

    keys = _keys(sheet)
    columns = {row[2] for row in problems}
    assert {row[0] for row in problems} == {"Metadata"} and {row[1] for row in problems} == {"5"}
    assert openpyxl.utils.get_column_letter(keys["periode_awal"]) in columns
    assert openpyxl.utils.get_column_letter(keys["penanggung_jawab.email"]) in columns
    assert "Nothing was saved" not in page.get_text() and "Tidak ada yang disimpan" in page.get_text()
    assert helpers.call_action("package_search", context=site_context(), q="name:jumlah-puskesmas",
                               include_private=True, include_drafts=True)["count"] == 0  # fmt: skip


def test_the_valid_rows_only_when_the_clerk_chooses_so(app, users):
    create_dataset(user="produsen-dinkes")
    book = _template(app, users["produsen-dinkes"])
    sheet = book[workbook.SHEET]
    _complete(sheet, 4)
    _complete(sheet, 5, name="jumlah-posyandu", title="Jumlah Posyandu", periode_awal=1800)

    _upload(app, users["produsen-dinkes"], book, only_valid=True)

    created = helpers.call_action("package_show", context=site_context(), id="jumlah-puskesmas")
    assert (created["publishing_status"], created["private"], created["organization"]["name"]) == (
        "draft",
        True,
        "dinkes",
    )
    assert created["frekuensi"] == "tahunan" and created["kode_wilayah"] == ["64.71"]
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("package_show", context=site_context(), id="jumlah-posyandu")


def test_an_update_of_a_published_dataset_goes_back_under_review(app, users):
    dataset = create_dataset(user="produsen-dinkes")
    publish(dataset["id"])
    book = _template(app, users["produsen-dinkes"])
    sheet = book[workbook.SHEET]
    _fill(sheet, workbook.FIRST_ROW, {"title": "Jumlah Kasus DBD per Kelurahan (revisi)"})

    page = _upload(app, users["produsen-dinkes"], book)

    assert page.select(".satudata-template-problems") == []
    shown = helpers.call_action("package_show", context=site_context(), id=dataset["id"])
    assert shown["title"] == "Jumlah Kasus DBD per Kelurahan (revisi)"
    assert (shown["publishing_status"], shown["satudata_terbit"]) == ("diajukan", True)


def test_a_file_that_is_no_template_gets_a_clear_message(app, users):
    answer = app.post("/organization/dinkes/unggah-metadata", headers=users["produsen-dinkes"],
                      data={"upload": (io.BytesIO(b"not a workbook"), "templat.xlsx")})  # fmt: skip
    text = BeautifulSoup(answer.body, "html.parser").select_one(".satudata-template-error").get_text()
    assert "buku kerja Excel" in text
    other = openpyxl.Workbook()
    data = io.BytesIO()
    other.save(data)
    answer = app.post("/organization/dinkes/unggah-metadata", headers=users["produsen-dinkes"],
                      data={"upload": (io.BytesIO(data.getvalue()), "lain.xlsx")})  # fmt: skip
    assert (
        "Metadata"
        in BeautifulSoup(answer.body, "html.parser").select_one(".satudata-template-error").get_text()
    )


def test_the_published_catalogue_exports_as_xlsx_and_csv_without_drafts(app, users):
    published = create_dataset(user="produsen-dinkes")
    publish(published["id"])
    create_dataset(user="produsen-dinkes", name="draf-saja", title="Draf Saja")

    answer = app.get("/katalog/metadata.csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Produsen Data (OPD)" or rows[0][0]
    assert [r[1] for r in rows[1:]] == ["kasus-dbd-per-kelurahan"]
    book = openpyxl.load_workbook(io.BytesIO(app.get("/katalog/metadata.xlsx").get_data()))
    assert [c.value for c in book.active["B"]][1:] == ["kasus-dbd-per-kelurahan"]
