"""Wide tables, merged headers and one sheet per period (issue #15).

The usual BPS layout puts the periods in the columns: rows = kecamatan, columns = 2020 ...
2024. Each period column is compared with the one before it, as a period row of a long
table is: a column copied from the year before, a tenfold jump in one cell and a wrong city
total are found and located by row and column; an honest table gives nothing. A header on
two rows with merged cells cannot be read, and the report says what to change.
"""

from __future__ import annotations

import csv

import pytest
import xlsxwriter

from ckanext.satudata_balikpapan.quality.engine import (
    SchemaError,
    ValidationContext,
    infer,
    load,
    validate,
)
from ckanext.satudata_balikpapan.quality.engine.periods import column_period
from tests.quality.corpus import KECAMATAN, NOTES, OFFICE_HEADER, OFFICE_ROWS

YEARS = (2020, 2021, 2022, 2023, 2024)
CITY_ROW = 10  # the file's line of the 64.71 row: title, unit, header, six kecamatan


def _wide_rows(*, copy_last: bool = False, jump: tuple[str, int] | None = None, city_off: int | None = None):
    """Population per kecamatan (rows) and year (columns), growing 1.5-2.5 % a year, and the
    city's total row; ``copy_last``: 2024 copies 2023; ``jump``: (code, year) x10;
    ``city_off``: the city total of that year is 7 too high."""
    rows = []
    for i, (code, name, _luas, pop) in enumerate(KECAMATAN):
        values = [round(pop * (1.015 + 0.002 * i) ** (y - 2021)) for y in YEARS]
        if copy_last:
            values[-1] = values[-2]
        if jump and jump[0] == code:
            values[YEARS.index(jump[1])] *= 10
        rows.append([code, name, *values])
    city = [sum(r[2 + k] for r in rows) for k in range(len(YEARS))]
    if city_off:
        city[YEARS.index(city_off)] += 7
    rows.append(["64.71", "Kota Balikpapan", *city])
    return rows


def _wide_csv(path, rows, years=YEARS, header_years=None):
    """The table as a BPS-style CSV from Excel in an Indonesian locale: a title, a unit line,
    ``;`` and Windows-1252, the source below."""
    labels = header_years or [str(y) for y in years]
    width = 2 + len(labels)
    pad = ";" * (width - 1)
    lines = [f"Jumlah Penduduk menurut Kecamatan, Kota Balikpapan, 2020-2024{pad}", f"(jiwa){pad}"]
    lines.append(";".join(["Kode Wilayah", "Kecamatan", *labels]))
    lines += [";".join(str(c) for c in row) for row in rows]
    lines += [pad, f"Sumber: BPS Kota Balikpapan{pad}"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def test_column_headers_name_their_periods():
    assert column_period("2024") == "2024"
    assert column_period("Tahun 2024") == "2024"
    assert column_period("2024*") == "2024"  # BPS marks provisional figures so
    assert column_period("2024 (Angka Sementara)") == "2024"
    assert column_period("Semester I 2024") == "2024-S1"
    assert column_period("semester_2_2024") == "2024-S2"
    assert column_period("Triwulan II 2024") == column_period("TW II 2024") == "2024-Q2"
    assert column_period("Januari 2024") == column_period("Jan 2024") == "2024-01"
    assert column_period("Januari") is None  # no year: it names no period by itself ...
    assert column_period("Januari", 2024) == "2024-01"  # ... but the resource's year completes it
    for other in ("Jumlah", "Kecamatan", "Luas (km2)", "3000", "Semester III 2024"):
        assert column_period(other) is None


def test_inference_proposes_the_wide_layout(tmp_path):
    schema = infer(str(_wide_csv(tmp_path / "penduduk.csv", _wide_rows())), "csv")

    periods = {f["name"]: f.get("satudata:period") for f in schema["fields"]}
    assert periods == {"Kode Wilayah": None, "Kecamatan": None, **{str(y): str(y) for y in YEARS}}
    assert schema["primaryKey"] == ["Kode Wilayah"]
    assert schema["satudata:totals"]["rows"]["by"] == "region"


def test_an_honest_wide_table_gives_no_finding(tmp_path):
    path = _wide_csv(tmp_path / "penduduk.csv", _wide_rows())
    report = validate(str(path), "csv", infer(str(path), "csv"))

    assert report.counts == {}
    assert {"copied_previous_period", "extreme_change", "total_mismatch"} <= set(report.checks["ran"])
    assert report.profile["period_columns"] == {str(y): str(y) for y in YEARS}
    assert [n["text"] for n in report.notes] == ["Sumber: BPS Kota Balikpapan"]


def test_a_year_column_copied_from_the_one_before_is_found(tmp_path):
    clean = infer(str(_wide_csv(tmp_path / "bersih.csv", _wide_rows())), "csv")
    path = _wide_csv(tmp_path / "penduduk.csv", _wide_rows(copy_last=True))
    report = validate(str(path), "csv", clean)

    assert set(report.counts) == {"copied_previous_period"}
    (finding,) = report.findings
    assert (finding.row, finding.column) == (4, "2024")
    assert (finding.details["period"], finding.details["previous_period"]) == ("2024", "2023")
    assert finding.message("id").startswith('Baris 4, kolom "2024": 100% nilai periode 2024')


def test_a_tenfold_jump_in_one_cell_is_found_in_its_row_and_column(tmp_path):
    clean = infer(str(_wide_csv(tmp_path / "bersih.csv", _wide_rows())), "csv")
    path = _wide_csv(tmp_path / "penduduk.csv", _wide_rows(jump=("64.71.03", 2022)))
    report = validate(str(path), "csv", clean)

    jumps = [f for f in report.findings if f.code == "extreme_change"]
    # 64.71.03: ten times 2021 (and 2023 back at a tenth of it, grown: just within the factor)
    assert [(f.row, f.column, f.details["previous_period"]) for f in jumps] == [(6, "2022", "2021")]
    assert set(report.counts) == {"extreme_change"}  # the city row adds the jump up: no mismatch


def test_a_wrong_city_total_in_one_year_column_is_found(tmp_path):
    clean = infer(str(_wide_csv(tmp_path / "bersih.csv", _wide_rows())), "csv")
    path = _wide_csv(tmp_path / "penduduk.csv", _wide_rows(city_off=2022))
    report = validate(str(path), "csv", clean)

    assert set(report.counts) == {"total_mismatch"}
    (finding,) = report.findings
    assert (finding.row, finding.column) == (CITY_ROW, "2022")
    assert finding.details["total"] - finding.details["sum"] == 7


def test_a_plain_schema_gets_its_period_columns_from_their_names_and_says_so(tmp_path):
    path = _wide_csv(tmp_path / "penduduk.csv", _wide_rows(copy_last=True))
    plain = {"fields": [{"name": "Kode Wilayah", "type": "string"}, {"name": "Kecamatan", "type": "string"}]
             + [{"name": str(y), "type": "integer"} for y in YEARS]}  # fmt: skip
    report = validate(str(path), "csv", plain)

    assert "copied_previous_period" in report.counts
    assert {"field": "2024", "role": "period", "period": "2024"} in report.checks["roles_given"]


def test_a_declared_layout_reads_columns_whatever_their_names(tmp_path):
    names = ["jml_2023", "jml_2024"]
    rows = [[code, name, pop, pop] for code, name, _luas, pop in KECAMATAN]
    path = tmp_path / "penduduk.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["kode_wilayah", "kecamatan", *names], *rows])
    schema = infer(str(path), "csv")
    assert not any("satudata:period" in f for f in schema["fields"])  # "jml_2024" names no period
    for fld in schema["fields"]:
        if fld["name"] in names:
            fld["satudata:period"] = fld["name"][-4:]

    report = validate(str(path), "csv", schema)
    (finding,) = report.findings
    assert (finding.code, finding.column, finding.row) == ("copied_previous_period", "jml_2024", 2)


def test_a_wrong_period_declaration_is_refused_naming_the_field():
    schema = {"fields": [{"name": "kecamatan", "type": "string", "satudata:period": "2024"},
                         {"name": "nilai", "type": "integer", "satudata:period": "tahun lalu"}]}  # fmt: skip
    with pytest.raises(SchemaError) as exc:
        load(schema)
    assert 'Kolom "kecamatan"' in str(exc.value) and 'Kolom "nilai"' in str(exc.value)


def test_semester_and_month_columns_are_periods_too(tmp_path):
    path = tmp_path / "kunjungan.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Kecamatan", "Semester I 2024", "Semester II 2024"])
        w.writerows([name, pop // 100, pop // 100] for _c, name, _l, pop in KECAMATAN)
    report = validate(str(path), "csv", infer(str(path), "csv"))
    (finding,) = report.findings
    assert (finding.column, finding.details["previous_period"]) == ("Semester II 2024", "2024-S1")

    months = tmp_path / "bulanan.csv"  # months without their year: the resource's year completes them
    with open(months, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Kecamatan", "Januari", "Februari", "Maret"])
        w.writerows([name, pop // 50, pop // 49, pop // 48] for _c, name, _l, pop in KECAMATAN)
    schema = infer(str(months), "csv")
    report = validate(str(months), "csv", schema, context=ValidationContext(period="2024"))
    assert report.counts == {}
    assert report.profile["period_columns"] == {
        "2024-01": "Januari",
        "2024-02": "Februari",
        "2024-03": "Maret",
    }
    assert not validate(str(months), "csv", schema).profile.get("period_columns")


def _merged_workbook(path):
    """Two sheets with headers on two rows: "Jumlah Penduduk" merged over its three columns,
    and "Tahun" merged over 2022 ... 2024 (as numbers)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Jenis Kelamin")
    sheet.write(0, 0, "Penduduk menurut Kecamatan dan Jenis Kelamin, 2024")
    sheet.merge_range(2, 0, 3, 0, "Kecamatan")
    sheet.merge_range(2, 1, 2, 3, "Jumlah Penduduk")
    sheet.write_row(3, 1, ["Laki-laki", "Perempuan", "Jumlah"])
    for i, (_c, name, _l, pop) in enumerate(KECAMATAN):
        sheet.write_row(4 + i, 0, [name, pop // 2, pop - pop // 2, pop])
    sheet = book.add_worksheet("Tahun")
    sheet.merge_range(0, 0, 1, 0, "Kecamatan")
    sheet.merge_range(0, 1, 0, 3, "Tahun")
    sheet.write_row(1, 1, [2022, 2023, 2024])
    for i, (_c, name, _l, pop) in enumerate(KECAMATAN):
        sheet.write_row(2 + i, 0, [name, pop, pop + 10, pop + 20])
    book.close()
    return path


def test_a_header_on_two_rows_with_merged_cells_says_what_to_change(tmp_path):
    path = _merged_workbook(tmp_path / "penduduk.xlsx")
    report = validate(str(path), "xlsx", {"fields": [{"name": "Kecamatan"}, {"name": "Jumlah Penduduk"}]})

    assert report.counts == {"header_mismatch": 2}  # one per sheet, nothing else: no row is read
    first, second = report.findings
    assert (first.sheet, first.row, first.column, first.details["kind"]) == (
        "Jenis Kelamin",
        3,
        "Jumlah Penduduk",
        "merged",
    )
    assert first.message("id") == (
        'Lembar "Jenis Kelamin", baris 3, kolom "Jumlah Penduduk": judul kolom ditulis dalam dua '
        'baris dengan sel digabung ("Jumlah Penduduk" di atas "Laki-laki", "Perempuan", "Jumlah"), '
        "sehingga tabel tidak dapat dibaca. Jadikan satu baris judul dengan satu nama untuk setiap "
        'kolom, misalnya "Jumlah Penduduk Laki-laki", lalu hapus baris judul kedua (baris 4) dan '
        "gabungan selnya"
    )
    assert "delete the second header row (row 4)" in first.message("en")
    assert (second.sheet, second.details["example"]) == ("Tahun", "Tahun 2022")
    assert not report.valid


def test_a_merged_header_in_a_csv_export_is_found_and_a_blank_header_is_not_taken_for_one(tmp_path):
    path = tmp_path / "penduduk.csv"
    lines = ["Kecamatan;Jumlah Penduduk;;", ";Laki-laki;Perempuan;Jumlah"]
    lines += [f"{name};{pop // 2};{pop - pop // 2};{pop}" for _c, name, _l, pop in KECAMATAN]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(str(path), "csv", {"fields": [{"name": "Kecamatan"}, {"name": "Jumlah Penduduk"}]})
    assert [f.details["kind"] for f in report.findings] == ["merged"]

    lines = ["Kecamatan;Jumlah Penduduk;"] + [f"{name};{pop};{pop}" for _c, name, _l, pop in KECAMATAN]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(str(path), "csv", {"fields": [{"name": "Kecamatan"}, {"name": "Jumlah Penduduk"}]})
    assert {f.details.get("kind") for f in report.findings} == {"blank"}  # figures under it: data


def test_a_workbook_with_one_sheet_per_year_is_compared_sheet_to_sheet(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "penduduk.xlsx"))
    for name in ("Tahun 2023", "Tahun 2024"):
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, f"Penduduk menurut Kecamatan, {name}")
        sheet.write_row(2, 0, OFFICE_HEADER)
        for r, (code, kec, luas, jiwa) in enumerate(OFFICE_ROWS, start=3):
            sheet.write_row(r, 0, [code, kec, float(luas.replace(",", ".")), int(jiwa.replace(".", ""))])
        sheet.write(3 + len(OFFICE_ROWS) + 1, 0, NOTES[0])
    book.close()
    path = str(tmp_path / "penduduk.xlsx")
    report = validate(path, "xlsx", infer(path, "xlsx"))

    assert set(report.counts) == {"copied_previous_period"}
    (finding,) = report.findings
    assert (finding.sheet, finding.details["period"], finding.details["previous_period"]) == (
        "Tahun 2024",
        "2024",
        "2023",
    )
