"""Files as OPD clerks and BPS tables lay them out (issue #15): a title and a unit above the
header, notes, the source and a signature block below the data, Indonesian Excel's ``;`` CSV
with decimal commas and grouping dots in Windows-1252. The checks read the table, show the
notes as catatan, and find what is wrong in the figures, no more."""

from __future__ import annotations

import pyarrow as pa
import xlsxwriter

from ckanext.satudata_balikpapan.quality.engine import infer, personal, readers, validate
from tests.quality import corpus
from tests.quality.corpus import NOTES, OFFICE_HEADER, OFFICE_ROWS, SIGNATURE, TITLE, semicolon_csv


def test_the_delimiter_is_the_one_the_header_shares_with_the_rows(tmp_path):
    text = semicolon_csv(tmp_path / "penduduk.csv").read_text(encoding="cp1252")
    # the title line holds more commas than semicolons, and so do the figures' decimals
    assert text.splitlines()[0].count(",") >= text.splitlines()[0].count(";")
    assert readers.sniff_delimiter(text) == ";"
    assert readers.sniff_delimiter("a,b,c\n1,2,3\n4,5,6\n") == ","
    assert readers.sniff_delimiter("a\tb\n1\t2\n") == "\t"


def test_a_semicolon_csv_with_notes_below_reads_clean_and_lists_the_notes(tmp_path):
    path = semicolon_csv(tmp_path / "penduduk.csv")
    schema = infer(str(path), "csv")

    fields = {f["name"]: f for f in schema["fields"]}
    assert (fields["luas_km2"]["decimalChar"], fields["luas_km2"]["groupChar"]) == (",", ".")
    assert fields["jumlah_penduduk"]["type"] == "number"  # 120.345 is a hundred and twenty thousand
    assert fields["kode_wilayah"]["satudata:role"] == "region"
    report = validate(str(path), "csv", schema)
    assert report.counts == {}
    assert report.rows == 7
    assert [n["text"] for n in report.notes] == [*NOTES, *SIGNATURE]
    assert report.notes[0]["row"] == 12  # the line of the file, for the clerk to find


def test_a_wrong_total_above_the_notes_is_found(tmp_path):
    path = semicolon_csv(tmp_path / "penduduk.csv", total="702.000")
    schema = infer(str(path), "csv")
    clean = infer(str(semicolon_csv(tmp_path / "tanpa-catatan.csv", total="702.000", notes=False)), "csv")
    assert schema == clean  # the notes change nothing in what is inferred

    report = validate(str(path), "csv", schema)
    assert set(report.counts) == {"total_mismatch"}
    finding = next(f for f in report.findings if f.code == "total_mismatch")
    assert (finding.row, finding.column) == (10, "jumlah_penduduk")


def _workbook(path, sheets: dict[str, list[tuple]]):
    """A workbook as a clerk makes it: per sheet a title, a unit line, the header, the rows
    (native numbers), a blank line, the source and a signature."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, TITLE.replace("2024", name))
        sheet.write(1, 0, "Satuan: km2, jiwa")
        sheet.write_row(3, 0, OFFICE_HEADER)
        for r, row in enumerate(rows, start=4):
            sheet.write_row(r, 0, row)
        below = 4 + len(rows) + 1
        sheet.write(below, 0, NOTES[0])
        sheet.write(below + 2, 2, SIGNATURE[0])
        sheet.write(below + 3, 2, SIGNATURE[1])
    book.close()
    return path


def _figures(factor: float = 1.0) -> list[tuple]:
    return [
        (code, name, float(luas.replace(",", ".")), round(int(jiwa.replace(".", "")) * factor))
        for code, name, luas, jiwa in OFFICE_ROWS
    ]


def test_a_workbook_with_titles_and_notes_per_sheet_reads_clean(tmp_path):
    path = _workbook(tmp_path / "penduduk.xlsx", {"2023": _figures(0.97), "2024": _figures()})
    schema = infer(str(path), "xlsx")
    report = validate(str(path), "xlsx", schema)

    assert report.counts == {}
    assert report.rows == 12
    assert [(n["sheet"], n["text"]) for n in report.notes] == [
        (sheet, text) for sheet in ("2023", "2024") for text in (NOTES[0], *SIGNATURE)
    ]


def test_a_sheet_that_copies_the_previous_one_is_found_below_its_notes(tmp_path):
    path = _workbook(tmp_path / "penduduk.xlsx", {"2023": _figures(), "2024": _figures()})
    report = validate(str(path), "xlsx", infer(str(path), "xlsx"))

    assert set(report.counts) == {"copied_previous_period"}
    finding = next(f for f in report.findings if f.code == "copied_previous_period")
    assert (finding.details["period"], finding.details["previous_period"]) == ("2024", "2023")


def test_two_kecamatan_codes_swapped_between_named_rows_are_found(tmp_path):
    path = semicolon_csv(tmp_path / "penduduk.csv")
    text = path.read_bytes().decode("cp1252")
    text = text.replace("64.71.05;Balikpapan Selatan", "64.71.XX;Balikpapan Selatan")
    text = text.replace("64.71.06;Balikpapan Kota", "64.71.05;Balikpapan Kota")
    text = text.replace("64.71.XX;Balikpapan Selatan", "64.71.06;Balikpapan Selatan")
    path.write_bytes(text.encode("cp1252"))
    report = validate(str(path), "csv", infer(str(path), "csv"))

    wrong = [f for f in report.findings if f.code == "invalid_region_code"]
    assert [(f.row, f.value, f.details["name"], f.details["expected_code"]) for f in wrong] == [
        (8, "64.71.06", "Balikpapan Selatan", "64.71.05"),
        (9, "64.71.05", "Balikpapan Kota", "64.71.06"),
    ]
    assert wrong[0].message("id") == (
        'Baris 8, kolom "kode_wilayah": kode wilayah "64.71.06" bukan kode "Balikpapan Selatan" '
        "(kode Balikpapan Selatan adalah 64.71.05)"
    )


def test_labels_that_name_no_region_are_not_compared(tmp_path):
    path = semicolon_csv(tmp_path / "penduduk.csv")
    text = path.read_bytes().decode("cp1252").replace(";Balikpapan Utara;", ";Kec. Balikpapan  Utara;")
    path.write_bytes(text.replace(";Kota Balikpapan;", ";Jumlah;").encode("cp1252"))

    assert "invalid_region_code" not in validate(str(path), "csv", infer(str(path), "csv")).counts


def test_personal_data_in_cells_and_in_the_signature_block_blocks_publication(tmp_path):
    path = semicolon_csv(tmp_path / "penduduk.csv")
    text = path.read_bytes().decode("cp1252")
    text = text.replace("Keterangan: data semester II, per 31 Desember", "Keterangan: hubungi 0812-3456-7890")
    text = text.replace(";;Kepala Dinas;", ";;NIP. 19700101 199001 1 001;")
    text += "64.71.06;Balikpapan Kota;6471014107900003;andi.warga@gmail.com\r\n"  # a NIK, an address
    path.write_bytes(text.encode("cp1252"))
    report = validate(str(path), "csv", infer(str(semicolon_csv(tmp_path / "bersih.csv")), "csv"))

    found = sorted((f.row, f.column, f.details["kind"], f.details["masked"]) for f in report.findings
                   if f.code == "personal_data")  # fmt: skip
    assert found == [
        (13, "kode_wilayah", "phone", "0812…90"),
        (15, "luas_km2", "nip", "1970…01"),
        (16, "jumlah_penduduk", "email", "…@gmail.com"),
        (16, "luas_km2", "nik", "6471…03"),
    ]
    assert not report.valid
    messages = " ".join(f.message("id") for f in report.findings if f.code == "personal_data")
    assert "6471014107900003" not in messages and "andi.warga" not in messages
    assert "UU 27/2022" in messages


def test_office_contacts_are_not_personal_data(tmp_path):
    path = semicolon_csv(tmp_path / "penduduk.csv")
    text = (
        path.read_bytes()
        .decode("cp1252")
        .replace(
            "Keterangan: data semester II, per 31 Desember",
            "Keterangan: pertanyaan ke disdukcapil@balikpapan.go.id atau (0542) 421000",
        )
    )
    path.write_bytes(text.encode("cp1252"))

    assert "personal_data" not in validate(str(path), "csv", infer(str(path), "csv")).counts


def _plain(schema: dict) -> dict:
    """``schema`` as frictionless or another portal writes it: no Satu Data properties."""
    fields = [{k: v for k, v in f.items() if not k.startswith("satudata:")} for f in schema["fields"]]
    return {k: v for k, v in schema.items() if not k.startswith("satudata:")} | {"fields": fields}


def test_a_plain_table_schema_gets_its_roles_from_the_field_names_and_says_what_did_not_run(tmp_path):
    rows = corpus.penduduk()
    for row in rows:  # the last year copies the one before: the period check must see it
        if row[2] == 2024:
            before = corpus.find(rows, row[0], 2023)
            row[3:] = before[3:]
    path = corpus.write_csv(tmp_path / "penduduk.csv", rows)
    report = validate(str(path), "csv", _plain(corpus.schema()))

    assert {"field": "kode_wilayah", "role": "region"} in report.checks["roles_given"]
    assert {"field": "tahun", "role": "period"} in report.checks["roles_given"]
    assert {"invalid_region_code", "copied_previous_period", "duplicate_key"} <= set(report.checks["ran"])
    assert "copied_previous_period" in report.counts
    not_run = {c["check"]: c["why"] for c in report.checks["not_run"]}
    assert "satudata:totals" in not_run["total_mismatch"]["id"]  # the plain schema declares no totals


def test_a_schema_with_its_own_roles_is_taken_as_it_is(tmp_path):
    path = corpus.write_csv(tmp_path / "penduduk.csv", corpus.penduduk())
    report = validate(str(path), "csv", corpus.schema())

    assert report.checks["roles_given"] == []
    assert "total_mismatch" in report.checks["ran"]


def test_a_short_e_mail_address_is_found_in_a_column_of_long_cells():
    """The length shortcut must not hide ``a@gm.id`` (seven bytes) behind a column whose
    other cells are long names: the scan looks at every distinct cell with an ``@``."""
    column = pa.array(["Kelurahan Gunung Samarinda Baru", "a@gm.id", None, "Kelurahan Karang Joang"])

    hits = personal.scan(column)

    assert [(h.kind, h.positions, h.masked) for h in hits] == [("email", [1], ["…@gm.id"])]


def test_a_column_of_short_figures_holds_no_personal_data():
    assert personal.scan(pa.array(["12", "3.456", None, "7"])) == []
