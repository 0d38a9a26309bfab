"""The validation engine on realistic Balikpapan tables: every finding code planted in a
file is found, with its severity and location; clean files produce no finding."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json

import pytest
import xlsxwriter

from ckanext.satudata_balikpapan.quality.engine import ValidationContext, validate
from ckanext.satudata_balikpapan.quality.engine.findings import CODES
from tests.quality import corpus
from tests.quality.corpus import JML, LK, LUAS, PR


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def only(report, code: str):
    found = [f for f in report.findings if f.code == code]
    assert found, f"no {code} in {[f.message('en') for f in report.findings]}"
    return found


def at(report, code: str, row: int | None, column: str | None, sheet: str | None = None):
    """The finding of ``code`` at that place (fails, listing the findings, if none)."""
    for f in report.findings:
        if f.code == code and f.row == row and f.column == column and f.sheet == sheet:
            assert f.severity == CODES[code].severity
            return f
    raise AssertionError(f"no {code} at {sheet}/{row}/{column}: {[f.message('en') for f in report.findings]}")


@pytest.fixture
def rows():
    return corpus.penduduk()


# Clean files -------------------------------------------------------------------------


def test_a_clean_csv_has_no_finding(tmp_path, rows):
    path = corpus.write_csv(tmp_path / "penduduk.csv", rows)
    report = validate(str(path), "csv", corpus.schema(), context=ValidationContext(satuan="jiwa"))
    assert report.findings == []
    assert report.valid
    assert report.rows == len(rows) == 35
    assert report.counts == {}


def test_a_clean_xlsx_has_no_finding(tmp_path, rows):
    path = corpus.per_year_workbook(tmp_path / "penduduk.xlsx", rows)
    report = validate(str(path), "xlsx", corpus.schema(), context=ValidationContext(satuan="jiwa"))
    assert report.findings == []
    assert report.sheets == ["2021", "2022", "2023", "2024", "2025"]
    assert report.rows == 35


def test_a_clean_file_stays_clean_against_its_earlier_periods_and_schedule(tmp_path, rows):
    old = corpus.write_csv(tmp_path / "2021-2023.csv", [r for r in rows if r[2] <= 2023])
    new = corpus.write_csv(tmp_path / "2024-2025.csv", [r for r in rows if r[2] >= 2024])
    first = validate(str(old), "csv", corpus.schema())
    context = ValidationContext(
        satuan="jiwa",
        previous={"Penduduk 2021-2023": first.profile},
        known_hashes={first.sha256: "Penduduk 2021-2023"},
        frekuensi="tahunan",
        today=dt.date(2026, 3, 1),
    )
    report = validate(str(new), "csv", corpus.schema(), context=context)
    assert report.findings == []


# One test per code ---------------------------------------------------------------------


def test_type_error_names_row_and_column(tmp_path, rows):
    corpus.find(rows, "64.71.03", 2023)[LK] = "91.2O4"  # letter O typed for a zero
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "type_error", corpus.row_number(rows, "64.71.03", 2023), "laki_laki")
    assert f.value == "91.2O4"
    assert f.severity == "error"
    assert codes(report) == {"type_error"}
    assert not report.valid


def test_missing_value_in_a_required_column(tmp_path, rows):
    corpus.find(rows, "64.71.05", 2022)[JML] = ""
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    at(report, "missing_value", corpus.row_number(rows, "64.71.05", 2022), "Jumlah (jiwa)")
    assert codes(report) == {"missing_value"}


def test_constraint_error_for_a_negative_count(tmp_path, rows):
    row = corpus.find(rows, "64.71.04", 2024)
    row[PR] = -60_000
    row[JML] = row[LK] + row[PR]
    corpus.recompute_totals(rows)
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "constraint_error", corpus.row_number(rows, "64.71.04", 2024), "perempuan")
    assert f.details == {"constraint": "minimum", "limit": 0}
    assert "kurang dari batas bawah 0" in f.message("id")


def test_invalid_region_code(tmp_path, rows):
    corpus.find(rows, "64.71.02", 2021)[0] = "64.71.07"  # Balikpapan has six kecamatan
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "invalid_region_code", 3, "kode_wilayah")
    assert f.value == "64.71.07"
    assert codes(report) == {"invalid_region_code"}


def test_a_kelurahan_code_is_a_valid_region(tmp_path):
    header = ["kode_kelurahan", "tahun", "jumlah_rt"]
    data = [[code, 2024, 30 + i] for i, code in enumerate(corpus.KELURAHAN_SELATAN)]
    data.append(["64.71.05.1001", 2024, 12])  # numbering gap in Balikpapan Selatan: no 1001
    path = corpus.write_csv(tmp_path / "rt.csv", data, header)
    schema = {
        "fields": [
            {"name": "kode_kelurahan", "type": "string", "satudata:role": "region"},
            {"name": "tahun", "type": "year", "satudata:role": "period"},
            {"name": "jumlah_rt", "type": "integer"},
        ],
        "primaryKey": ["kode_kelurahan", "tahun"],
    }
    report = validate(str(path), "csv", schema)
    assert [(f.code, f.row, f.value) for f in report.findings] == [
        ("invalid_region_code", 9, "64.71.05.1001")
    ]


def _append_other_figures_for(rows, code: str, year: int) -> None:
    """A second row for one kelurahan and year, with other figures: one key, two values."""
    twin = list(corpus.find(rows, code, year))
    twin[LK] += 5
    twin[JML] += 5
    rows.append(twin)


def test_duplicate_key_points_at_the_first_occurrence(tmp_path, rows):
    _append_other_figures_for(rows, "64.71.02", 2022)
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "duplicate_key", len(rows) + 1, "kode_wilayah")
    assert f.details["first_row"] == corpus.row_number(rows, "64.71.02", 2022)
    assert f.details["key"] == ["kode_wilayah", "tahun"]
    assert f.details["key_value"] == "64.71.02 / 2022"
    assert codes(report) == {"duplicate_key"}
    assert "64.71.02 / 2022" in f.message("id")


def test_a_row_pasted_twice_in_a_keyed_table_is_a_duplicate_row_not_a_duplicate_key(tmp_path, rows):
    pasted = list(corpus.find(rows, "64.71.03", 2023))
    rows.insert(4, pasted)  # the copy sits higher up than the row it copies
    _append_other_figures_for(rows, "64.71.02", 2022)
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())

    assert report.counts["duplicate_row"] == 1 and report.counts["duplicate_key"] == 1
    first, second = sorted(i + 2 for i, r in enumerate(rows) if r == pasted)
    row = at(report, "duplicate_row", second, None)
    assert row.details["first_row"] == first
    assert "sama persis" in row.message("id")
    key = at(report, "duplicate_key", len(rows) + 1, "kode_wilayah")
    assert key.details["key_value"] == "64.71.02 / 2022"


def test_duplicate_row_in_a_table_without_key(tmp_path):
    header = ["nama_fasilitas", "jenis", "kode_kelurahan", "jumlah_tenaga"]
    data = [
        ["Puskesmas Sepinggan", "Puskesmas", "64.71.05.1002", 41],
        ["Puskesmas Damai", "Puskesmas", "64.71.05.1011", 38],
        ["Klinik Pratama Sehat", "Klinik", "64.71.05.1011", 12],
        ["Puskesmas Damai", "Puskesmas", "64.71.05.1011", 38],
    ]
    path = corpus.write_csv(tmp_path / "faskes.csv", data, header)
    schema = {
        "fields": [
            {"name": "nama_fasilitas", "type": "string"},
            {"name": "jenis", "type": "string"},
            {"name": "kode_kelurahan", "type": "string", "satudata:role": "region"},
            {"name": "jumlah_tenaga", "type": "integer"},
        ]
    }
    report = validate(str(path), "csv", schema)
    f = at(report, "duplicate_row", 5, None)
    assert f.severity == "warning"
    assert f.details == {"first_row": 3}
    assert report.valid  # a warning does not block
    assert codes(report) == {"duplicate_row"}


def test_total_mismatch_of_a_city_row(tmp_path, rows):
    corpus.find(rows, "64.71", 2023)[LUAS] = 510.94  # the kecamatan add up to 508.94
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "total_mismatch", corpus.row_number(rows, "64.71", 2023), "luas_km2")
    assert f.details["total"] == 510.94
    assert f.details["sum"] == pytest.approx(508.94)
    assert len(f.details["parts"]) == 6
    assert codes(report) == {"total_mismatch"}


def test_total_mismatch_of_a_total_column(tmp_path, rows):
    corpus.find(rows, "64.71.04", 2022)[JML] += 7
    corpus.recompute_totals(rows)
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    row = corpus.find(rows, "64.71.04", 2022)
    f = at(report, "total_mismatch", corpus.row_number(rows, "64.71.04", 2022), "Jumlah (jiwa)")
    assert f.details["kind"] == "column"
    assert f.details["parts"] == ["laki_laki", "perempuan"]
    assert f.details["sum"] == row[LK] + row[PR]
    assert codes(report) == {"total_mismatch"}


def test_a_labelled_total_row(tmp_path):
    header = ["No", "Kecamatan", "Jumlah Sekolah", "Jumlah Guru"]
    data = [[i + 1, k[1], 20 + i, 300 + 10 * i] for i, k in enumerate(corpus.KECAMATAN)]
    data.append(["", "Jumlah", sum(r[2] for r in data), sum(r[3] for r in data) + 1])
    path = corpus.write_csv(tmp_path / "sekolah.csv", data, header)
    schema = {
        "fields": [
            {"name": "No", "type": "integer", "satudata:role": "id"},
            {"name": "Kecamatan", "type": "string", "satudata:role": "label"},
            {"name": "Jumlah Sekolah", "type": "integer"},
            {"name": "Jumlah Guru", "type": "integer"},
        ],
        "satudata:totals": {
            "rows": {"field": "Kecamatan", "labels": ["Jumlah"], "fields": ["Jumlah Sekolah", "Jumlah Guru"]}
        },
    }
    report = validate(str(path), "csv", schema, context=ValidationContext(period="2024"))
    assert [(f.code, f.row, f.column) for f in report.findings] == [("total_mismatch", 8, "Jumlah Guru")]


def test_unit_mismatch_between_header_and_dataset(tmp_path, rows):
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema(), context=ValidationContext(satuan="persen"))
    f = at(report, "unit_mismatch", None, "Jumlah (jiwa)")
    assert f.value == "jiwa"
    assert f.details["expected"] == "persen"
    assert f.severity == "warning"
    assert codes(report) == {"unit_mismatch"}


def test_unit_mismatch_in_a_satuan_column(tmp_path):
    header = ["kode_wilayah", "tahun", "indikator", "nilai", "satuan"]
    data = [[k[0], 2024, "Penduduk", 100_000 + i, "Jiwa"] for i, k in enumerate(corpus.KECAMATAN)]
    data[3][4] = "Orang"
    path = corpus.write_csv(tmp_path / "ind.csv", data, header)
    schema = {
        "fields": [
            {"name": "kode_wilayah", "type": "string", "satudata:role": "region"},
            {"name": "tahun", "type": "year", "satudata:role": "period"},
            {"name": "indikator", "type": "string"},
            {"name": "nilai", "type": "integer"},
            {"name": "satuan", "type": "string", "satudata:role": "unit"},
        ],
        "primaryKey": ["kode_wilayah", "tahun", "indikator"],
    }
    report = validate(str(path), "csv", schema, context=ValidationContext(satuan="jiwa"))
    assert [(f.code, f.row, f.column, f.value) for f in report.findings] == [
        ("unit_mismatch", 5, "satuan", "Orang")
    ]


def test_extreme_change_against_the_previous_year(tmp_path, rows):
    row = corpus.find(rows, "64.71.06", 2023)
    for i in (LK, PR, JML):
        row[i] *= 100  # two zeros typed too many
    corpus.recompute_totals(rows)
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "extreme_change", corpus.row_number(rows, "64.71.06", 2023), "Jumlah (jiwa)")
    assert f.details["previous_period"] == "2022"
    assert f.details["ratio"] == pytest.approx(100 * 1.015, rel=1e-3)
    # back to normal the next year: a drop to 1/100 is just as extreme
    at(report, "extreme_change", corpus.row_number(rows, "64.71.06", 2024), "Jumlah (jiwa)")
    assert codes(report) == {"extreme_change"}


def test_extreme_change_factor_is_configurable(tmp_path, rows):
    row = corpus.find(rows, "64.71.01", 2025)
    for i in (LK, PR, JML):
        row[i] *= 3
    corpus.recompute_totals(rows)
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    assert "extreme_change" not in codes(validate(str(path), "csv", corpus.schema()))
    report = validate(str(path), "csv", corpus.schema(), context=ValidationContext(extreme_change_factor=2.5))
    at(report, "extreme_change", corpus.row_number(rows, "64.71.01", 2025), "Jumlah (jiwa)")


def test_extreme_change_against_an_earlier_resource(tmp_path, rows):
    old = validate(
        str(corpus.write_csv(tmp_path / "2024.csv", [r for r in rows if r[2] == 2024])),
        "csv",
        corpus.schema(),
    )
    new_rows = [list(r) for r in rows if r[2] == 2025]
    corpus.find(new_rows, "64.71.02", 2025)[LK] //= 20
    corpus.find(new_rows, "64.71.02", 2025)[JML] = (
        corpus.find(new_rows, "64.71.02", 2025)[LK] + corpus.find(new_rows, "64.71.02", 2025)[PR]
    )
    corpus.recompute_totals(new_rows)
    path = corpus.write_csv(tmp_path / "2025.csv", new_rows)
    report = validate(
        str(path), "csv", corpus.schema(), context=ValidationContext(previous={"Penduduk 2024": old.profile})
    )
    f = at(report, "extreme_change", 3, "laki_laki")
    assert f.details["source"] == "Penduduk 2024"
    assert f.details["previous_period"] == "2024"
    assert "Penduduk 2024" in f.message("id")


def test_copied_previous_period_inside_one_file(tmp_path, rows):
    for row in rows:
        if row[2] == 2024:
            prev = corpus.find(rows, row[0], 2023)
            row[LK], row[PR], row[JML] = prev[LK], prev[PR], prev[JML]
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    report = validate(str(path), "csv", corpus.schema())
    f = at(report, "copied_previous_period", corpus.row_number(rows, "64.71.01", 2024), "tahun")
    assert f.details["period"] == "2024"
    assert f.details["previous_period"] == "2023"
    assert f.details["share"] == 1.0
    assert f.severity == "warning"
    assert codes(report) == {"copied_previous_period"}


def test_copied_previous_period_from_another_resource_in_share_of_cells(tmp_path, rows):
    old = validate(
        str(corpus.write_csv(tmp_path / "2023.csv", [r for r in rows if r[2] == 2023])),
        "csv",
        corpus.schema(),
    )
    new_rows = []
    for row in rows:
        if row[2] == 2023:
            copy = list(row)
            copy[2] = 2024
            new_rows.append(copy)
    corpus.find(new_rows, "64.71.01", 2024)[LK] += 12  # one kecamatan edited: 90 % of cells still equal
    corpus.find(new_rows, "64.71.01", 2024)[JML] += 12
    corpus.recompute_totals(new_rows)
    path = corpus.write_csv(tmp_path / "2024.csv", new_rows)
    context = ValidationContext(previous={"Penduduk 2023 (CSV)": old.profile}, copied_share=0.85)
    report = validate(str(path), "csv", corpus.schema(), context=context)
    f = at(report, "copied_previous_period", 2, "tahun")
    assert f.details["source"] == "Penduduk 2023 (CSV)"
    assert 0.85 <= f.details["share"] < 1
    assert codes(report) == {"copied_previous_period"}
    assert "copied_previous_period" not in codes(
        validate(
            str(path),
            "csv",
            corpus.schema(),
            context=ValidationContext(previous={"x": old.profile}, copied_share=0.95),
        )
    )


def test_a_stable_but_honest_series_is_not_flagged_as_copied(tmp_path, rows):
    """About 90 % of cells unchanged (one kecamatan's figures updated) is a stable series,
    not a copy: the default share is 95 % (docs/quality.md)."""
    old = validate(
        str(corpus.write_csv(tmp_path / "2023.csv", [r for r in rows if r[2] == 2023])),
        "csv",
        corpus.schema(),
    )
    new_rows = [[*row[:2], 2024, *row[3:]] for row in rows if row[2] == 2023]
    copied = validate(
        str(corpus.write_csv(tmp_path / "copied.csv", new_rows)),
        "csv",
        corpus.schema(),
        context=ValidationContext(previous={"Penduduk 2023 (CSV)": old.profile}),
    )
    assert "copied_previous_period" in codes(copied)
    corpus.find(new_rows, "64.71.01", 2024)[LK] += 12
    corpus.find(new_rows, "64.71.01", 2024)[JML] += 12
    corpus.recompute_totals(new_rows)
    stable = validate(
        str(corpus.write_csv(tmp_path / "stable.csv", new_rows)),
        "csv",
        corpus.schema(),
        context=ValidationContext(previous={"Penduduk 2023 (CSV)": old.profile}),
    )
    assert "copied_previous_period" not in codes(stable)


def test_copied_previous_period_between_sheets_named_by_year(tmp_path, rows):
    header = [h for h in corpus.HEADER if h != "tahun"]
    sheets = {}
    for year in (2022, 2023):
        sheets[str(year)] = (header, [[c for i, c in enumerate(r) if i != 2] for r in rows if r[2] == 2022])
    path = corpus.write_xlsx(tmp_path / "per-tahun.xlsx", sheets)
    schema = corpus.schema()
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "tahun"]
    schema["primaryKey"] = ["kode_wilayah"]
    report = validate(str(path), "xlsx", schema)
    f = at(report, "copied_previous_period", 2, None, sheet="2023")
    assert (f.details["period"], f.details["previous_period"]) == ("2023", "2022")


def test_identical_file(tmp_path, rows):
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    context = ValidationContext(known_hashes={sha: "Penduduk per Kecamatan 2024 (Disdukcapil)"})
    report = validate(str(path), "csv", corpus.schema(), context=context)
    f = at(report, "identical_file", None, None)
    assert f.details["other"] == "Penduduk per Kecamatan 2024 (Disdukcapil)"
    assert report.sha256 == sha
    assert "sama persis" in f.message("id")
    assert codes(report) == {"identical_file"}


def test_stale_when_the_next_year_is_overdue(tmp_path, rows):
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    context = ValidationContext(frekuensi="tahunan", today=dt.date(2027, 6, 1))
    report = validate(str(path), "csv", corpus.schema(), context=context)
    f = at(report, "stale", None, None)
    assert f.details["last_period"] == "2025"
    assert f.details["expected_by"] == "2027-03-31"
    assert f.details["days_overdue"] == 62
    assert codes(report) == {"stale"}


# Structure and reading -------------------------------------------------------------------


def test_type_error_in_an_xlsx_sheet_names_the_sheet(tmp_path, rows):
    corpus.find(rows, "64.71.02", 2023)[PR] = "51.0OO"
    path = corpus.per_year_workbook(tmp_path / "p.xlsx", rows)
    report = validate(str(path), "xlsx", corpus.schema())
    f = at(report, "type_error", 3, "perempuan", sheet="2023")
    assert f.message("id").startswith('Lembar "2023", baris 3, kolom "perempuan"')
    assert f.message("en").startswith('Sheet "2023", row 3, column "perempuan"')


def test_xlsx_native_types_that_cannot_be_the_field_type(tmp_path, rows):
    data = [r for r in rows if r[2] == 2021]
    corpus.find(data, "64.71.01", 2021)[LK] = 46_000.5  # a fraction of a person
    corpus.find(data, "64.71.02", 2021)[LUAS] = dt.date(2021, 1, 1)  # a date for an area
    corpus.find(data, "64.71.03", 2021)[JML] = True
    path = corpus.write_xlsx(tmp_path / "p.xlsx", {"Data": (corpus.HEADER, data)})
    report = validate(str(path), "xlsx", corpus.schema())
    found = {(f.row, f.column) for f in report.findings if f.code == "type_error"}
    assert found == {(2, "laki_laki"), (3, "luas_km2"), (4, "Jumlah (jiwa)")}


def test_the_schemas_sheets_limit_the_validated_sheets(tmp_path, rows):
    path = corpus.per_year_workbook(tmp_path / "p.xlsx", rows, notes=True)
    report = validate(str(path), "xlsx", corpus.schema())
    assert at(report, "header_mismatch", 1, "kode_wilayah", sheet="Catatan").details == {"kind": "missing"}
    schema = corpus.schema()
    schema["satudata:sheets"] = [str(y) for y in corpus.YEARS]
    assert validate(str(path), "xlsx", schema).findings == []


def test_header_mismatch_missing_and_extra_columns(tmp_path, rows):
    header = list(corpus.HEADER)
    header[6] = "luas_wilayah"
    path = corpus.write_csv(tmp_path / "p.csv", rows, header)
    report = validate(str(path), "csv", corpus.schema())
    assert at(report, "header_mismatch", 1, "luas_km2").details == {"kind": "missing"}
    assert at(report, "header_mismatch", 1, "luas_wilayah").details == {"kind": "extra", "position": 7}


def test_malformed_and_short_rows_are_located_by_record_number(tmp_path):
    text = (
        "kode_wilayah,nama_wilayah,tahun,laki_laki,perempuan,Jumlah (jiwa),luas_km2\n"
        '64.71.01,"Balikpapan\nTimur",2024,50000,48000,98000,137.16\n'  # one record on two lines
        "64.71.02,Balikpapan Barat,2024,52000,50000,102000\n"  # short
        "\n"  # an empty line is a (blank) row
        "64.71.03,Balikpapan Utara,2024,90000,88000,178000,132.16,oops\n"  # long
    )
    path = tmp_path / "p.csv"
    path.write_text(text)
    schema = corpus.schema()
    del schema["satudata:totals"]
    report = validate(str(path), "csv", schema)
    assert [(f.code, f.row, f.column) for f in report.findings] == [
        ("missing_value", 3, "luas_km2"),
        ("malformed_row", 5, None),
    ]
    assert report.findings[0].details == {"reason": "missing_cell"}
    assert report.blank_rows == 1
    assert report.rows == 3


def test_semicolon_latin1_csv_from_excel(tmp_path, rows):
    data = [list(r) for r in rows]
    corpus.find(data, "64.71.05", 2025)[1] = "Balikpapan Selatan (Café Sepinggan)"  # Windows-1252/Latin-1
    corpus.find(data, "64.71.05", 2025)[LK] = "x"
    path = corpus.write_csv(tmp_path / "p.csv", data, delimiter=";", encoding="latin-1")
    report = validate(str(path), "csv", corpus.schema())
    assert (report.encoding, report.delimiter) == ("latin-1", ";")
    at(report, "type_error", corpus.row_number(data, "64.71.05", 2025), "laki_laki")


def test_utf8_bom_csv(tmp_path, rows):
    path = corpus.write_csv(tmp_path / "p.csv", rows, encoding="utf-8-sig")
    report = validate(str(path), "csv", corpus.schema())
    assert report.encoding == "utf-8-sig"
    assert report.findings == []


def test_an_unreadable_file_is_a_finding_not_a_crash(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    report = validate(str(path), "xlsx", corpus.schema())
    assert [f.code for f in report.findings] == ["file_error"]
    assert not report.valid


def test_findings_are_capped_per_code_but_all_counted(tmp_path):
    header = ["kode_wilayah", "tahun", "jumlah"]
    data = [["64.71.01", 2000 + i % 50, "n/a" if i % 2 else i] for i in range(400)]
    path = corpus.write_csv(tmp_path / "p.csv", data, header)
    schema = {
        "fields": [
            {"name": "kode_wilayah", "type": "string"},
            {"name": "tahun", "type": "year"},
            {"name": "jumlah", "type": "integer"},
        ]
    }
    report = validate(str(path), "csv", schema, context=ValidationContext(max_findings=5))
    kept = [f for f in report.findings if f.code == "type_error"]
    assert [f.row for f in kept] == [3, 5, 7, 9, 11]
    assert report.counts["type_error"] == 200
    assert report.truncated


def test_a_large_file_streams_with_a_bounded_profile(tmp_path):
    header = ["kode_wilayah", "tahun", "bulan", "jumlah"]
    codes_ = [k[0] for k in corpus.KECAMATAN]
    data = []
    for i in range(30_000):  # 6 kecamatan x 12 months x 416 years
        year, month, kec = i // 72, 1 + (i // 6) % 12, i % 6
        data.append([codes_[kec], 1900 + year, month, 1000 + 3 * year + month + kec])
    data[-1][3] = "-"
    path = corpus.write_csv(tmp_path / "big.csv", data, header)
    schema = {
        "fields": [
            {"name": "kode_wilayah", "type": "string", "satudata:role": "region"},
            {"name": "tahun", "type": "year", "satudata:role": "period"},
            {"name": "bulan", "type": "integer", "satudata:role": "dimension"},
            {"name": "jumlah", "type": "integer"},
        ],
        "primaryKey": ["kode_wilayah", "tahun", "bulan"],
    }
    report = validate(str(path), "csv", schema)
    assert report.rows == 30_000
    assert [(f.code, f.row) for f in report.findings] == [("type_error", 30_001)]
    profile = report.profile
    assert profile["truncated"] is True
    assert sum(len(p["entries"]) for p in profile["periods"].values()) == 5_000
    assert sum(p["rows"] for p in profile["periods"].values()) == 30_000


def test_report_to_dict_is_json_with_both_languages(tmp_path, rows):

    corpus.find(rows, "64.71.03", 2023)[LK] = "?"
    path = corpus.write_csv(tmp_path / "p.csv", rows)
    data = validate(str(path), "csv", corpus.schema()).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert data["valid"] is False
    assert data["counts"] == {"type_error": 1}
    finding = data["findings"][0]
    assert finding["message"]["id"].startswith("Baris 18, kolom")
    assert finding["message"]["en"].startswith("Row 18, column")
    assert finding["title"] == {"id": "Jenis nilai salah", "en": "Wrong value type"}
    assert "profile" in json.loads(text)


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "kosong.csv"
    path.write_bytes(b"")
    report = validate(str(path), "csv", corpus.schema())
    assert [(f.code, f.message("id"), f.message("en")) for f in report.findings] == [
        ("file_error", "Berkas kosong", "The file is empty")
    ]


# Title rows above the header ---------------------------------------------------------


def _csv_with_titles(path, rows, delimiter=","):
    """A table as an OPD exports it: title, unit note and a blank line above the header."""

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["Jumlah Penduduk menurut Kecamatan di Kota Balikpapan"])
        writer.writerow(["(jiwa)", "", ""])
        writer.writerow([])
        writer.writerow(corpus.HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_title_rows_above_a_csv_header_are_skipped_and_rows_keep_their_file_numbers(
    tmp_path, rows, delimiter
):
    corpus.find(rows, "64.71.03", 2023)[LK] = "91.2O4"
    path = _csv_with_titles(tmp_path / "p.csv", rows, delimiter)
    report = validate(str(path), "csv", corpus.schema())
    assert report.rows == len(rows)
    f = at(report, "type_error", corpus.row_number(rows, "64.71.03", 2023, header_row=4), "laki_laki")
    assert f.message("id").startswith(f"Baris {f.row},")
    assert codes(report) == {"type_error"}


def test_title_rows_above_a_sheets_header_are_skipped(tmp_path, rows):

    path = tmp_path / "p.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("2023")
    sheet.merge_range(0, 0, 0, 6, "Jumlah Penduduk menurut Kecamatan, 2023")
    sheet.write_row(2, 0, corpus.HEADER)
    year = [r for r in rows if r[2] == 2023]
    year[1][PR] = "51.0OO"
    for r, row in enumerate(year, start=3):
        sheet.write_row(r, 0, row)
    workbook.close()
    report = validate(str(path), "xlsx", corpus.schema())
    assert report.rows == len(year)
    f = at(report, "type_error", 5, "perempuan", sheet="2023")  # header on row 3, data from row 4
    assert f.message("en").startswith('Sheet "2023", row 5, column "perempuan"')


def test_a_single_column_table_has_no_title_rows(tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_text("kecamatan\nBalikpapan Selatan\nBalikpapan Kota\n", encoding="utf-8")
    schema = {"fields": [{"name": "kecamatan", "type": "string"}]}
    report = validate(str(path), "csv", schema)
    assert report.rows == 2 and report.findings == []
