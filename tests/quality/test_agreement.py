"""Agreement with frictionless (the engine of ckanext-validation) on the checks both make.

On a corpus of broken Balikpapan files, the sets of (kind, row, column) that each reports
for types, constraints and missing values are equal. frictionless's ``type-error`` is our
``type_error``; its ``constraint-error`` is our ``constraint_error``, except on
``required``, which with ``missing-cell`` is our ``missing_value``. The deliberate
differences of the engine (documented in ``quality/engine.py``) are shown by the last test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from frictionless import Resource, Schema, formats

from ckanext.satudata_balikpapan.quality.engine import ValidationContext, validate
from tests.quality import corpus

KINDS = ("type_error", "constraint_error", "missing_value")

SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "kode_wilayah",
            "type": "string",
            "constraints": {"required": True, "pattern": r"64\.71(\.\d{2}(\.\d{4})?)?"},
        },
        {"name": "nama_wilayah", "type": "string", "constraints": {"minLength": 3, "maxLength": 40}},
        {
            "name": "tahun",
            "type": "year",
            "constraints": {"required": True, "minimum": 2000, "maximum": 2030},
        },
        {"name": "tanggal_update", "type": "date"},
        {"name": "jumlah", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        {"name": "persentase", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "jenis_kelamin", "type": "string", "constraints": {"enum": ["L", "P"]}},
        {"name": "terverifikasi", "type": "boolean"},
        {"name": "catatan", "type": "string"},
    ],
}
HEADER = [f["name"] for f in SCHEMA["fields"]]

GOOD = ["64.71.01", "Balikpapan Timur", "2024", "2024-03-31", "92431", "51.2", "L", "true", ""]


def _row(**changes: str) -> list[str]:
    row = list(GOOD)
    for name, value in changes.items():
        row[HEADER.index(name)] = value
    return row


# Every cell problem both engines look at, one or two per row.
BROKEN_ROWS: list[list[str]] = [
    GOOD,
    _row(jumlah="1.000"),  # Indonesian thousands separator
    _row(persentase="12,5"),  # Indonesian decimal comma
    _row(jumlah=""),  # required
    _row(tahun=" 2021"),  # five characters
    _row(tahun="1999"),
    _row(persentase="150", jenis_kelamin="X"),
    _row(persentase="NaN"),
    _row(persentase="-0.5", terverifikasi="ya"),
    _row(kode_wilayah="64.71.9"),
    _row(kode_wilayah=" 64.71.01"),
    _row(nama_wilayah="BP"),
    _row(nama_wilayah="Kelurahan dengan nama yang jauh terlalu panjang sekali"),
    _row(tanggal_update="2021-02-30"),
    _row(tanggal_update="2021-1-5"),
    _row(tanggal_update="05/01/2021"),
    _row(tanggal_update="2021-13-01", terverifikasi="TRUE"),
    _row(jumlah=" 42 ", persentase=".5"),
    _row(jumlah="+7", persentase="1e1"),
    _row(jumlah="1_000", persentase="inf"),
    _row(jumlah="1e3", persentase="  "),
    _row(jumlah="4.0", terverifikasi="1"),
    _row(jumlah="-0", tahun="+202"),
    _row(jumlah="007", terverifikasi="0"),
    _row(jumlah="-12", kode_wilayah=""),
    _row(catatan="baris dua\nbaris tiga", jumlah="sekitar 500"),
    GOOD[:5],  # short: four cells missing
    [*GOOD, "sel lebih"],  # an extra cell
    [""] * 9,  # blank row
    [],  # empty line
    _row(jumlah="", tahun="", kode_wilayah=""),
    GOOD,
]


def ours(path: Path, fmt: str, schema: dict[str, Any] = SCHEMA) -> set[tuple[str, int, str]]:
    report = validate(str(path), fmt, schema, context=ValidationContext(max_findings=100_000))
    return {(f.code, f.row, f.column) for f in report.findings if f.code in KINDS}


def frictionless(path: Path, schema: dict[str, Any] = SCHEMA, **options: Any) -> set[tuple[str, int, str]]:

    control = None
    if "sheet" in options:
        control = formats.ExcelControl(sheet=options.pop("sheet"))
    elif "delimiter" in options:
        control = formats.CsvControl(delimiter=options.pop("delimiter"))
    resource = Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=Schema.from_descriptor(schema),
        control=control,
        **options,
    )
    found = set()
    for error in resource.validate(limit_errors=100_000).tasks[0].errors:
        if error.type == "type-error":
            found.add(("type_error", error.row_number, error.field_name))
        elif error.type == "missing-cell" or (
            error.type == "constraint-error" and '"required"' in error.note
        ):
            found.add(("missing_value", error.row_number, error.field_name))
        elif error.type == "constraint-error":
            found.add(("constraint_error", error.row_number, error.field_name))
    return found


def _write(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    return corpus.write_csv(path, rows, HEADER, delimiter=delimiter, encoding=encoding)


def test_broken_csv_agrees(tmp_path):
    path = _write(tmp_path / "rusak.csv", BROKEN_ROWS)
    expected = frictionless(path)
    assert {kind for kind, _, _ in expected} == set(KINDS)
    assert len(expected) >= 30
    assert ours(path, "csv") == expected


def test_broken_semicolon_latin1_csv_agrees(tmp_path):
    rows = [list(r) for r in BROKEN_ROWS]
    rows[1][1] = "Balikpapan Selatan (Café)"
    rows[5][1] = "Sepinggan ©"
    path = _write(tmp_path / "rusak-excel.csv", rows, delimiter=";", encoding="latin-1")
    assert ours(path, "csv") == frictionless(path, delimiter=";", encoding="latin-1")


def test_custom_missing_values_agree(tmp_path):
    schema = dict(SCHEMA, missingValues=["", "-", "NA"])
    rows = [
        _row(jumlah="-"),
        _row(persentase="NA"),
        _row(jumlah="NA", tahun="-"),
        _row(persentase="n/a"),
        GOOD,
    ]
    path = _write(tmp_path / "strip.csv", rows)
    expected = frictionless(path, schema)
    assert ("missing_value", 2, "jumlah") in expected
    assert ours(path, "csv", schema) == expected


def test_number_formats_agree(tmp_path):
    schema = {
        "fields": [
            {"name": "kode_wilayah", "type": "string"},
            {"name": "nilai", "type": "number", "decimalChar": ",", "groupChar": "."},
        ]
    }
    rows = [["64.71.01", v] for v in ("1.234,5", "12,5", "1.000", "1,2,3", "12.5,0", "abc", "-3,25")]
    path = corpus.write_csv(tmp_path / "id-angka.csv", rows, ["kode_wilayah", "nilai"])
    assert ours(path, "csv", schema) == frictionless(path, schema)


def test_broken_xlsx_agrees(tmp_path):
    def cells(**changes: Any) -> list[Any]:
        row: list[Any] = [
            "64.71.01",
            "Balikpapan Timur",
            2024,
            dt.date(2024, 3, 31),
            92431,
            51.2,
            "L",
            True,
            None,
        ]
        for name, value in changes.items():
            row[HEADER.index(name)] = value
        return row

    rows = [
        cells(),
        cells(jumlah="1.000"),  # text in a number column
        cells(jumlah="12"),  # a number stored as text
        cells(jumlah=46000.5),  # a fraction in an integer column
        cells(jumlah=None),  # required
        cells(persentase=dt.date(2024, 1, 1)),  # a date in a number column
        cells(persentase=150),
        cells(persentase=-1.5, jenis_kelamin="X"),
        cells(tahun=2021.5),
        cells(tahun=1999),
        cells(tahun="2O24"),
        cells(tanggal_update=dt.datetime(2024, 3, 31, 14, 30)),  # a time where a date is due
        cells(tanggal_update="2024-03-31"),
        cells(tanggal_update=45382),  # a date typed as its serial number
        cells(terverifikasi=1),  # a number where a boolean is due
        cells(terverifikasi="ya"),
        cells(terverifikasi=False),
        cells(kode_wilayah="64.71.9", nama_wilayah="BP"),
        cells(kode_wilayah=None, tahun=None, jumlah=None),
        [None] * 9,  # blank row
        cells(),
    ]
    path = corpus.write_xlsx(tmp_path / "rusak.xlsx", {"2024": (HEADER, rows), "2025": (HEADER, rows[::-1])})
    for sheet in ("2024", "2025"):
        expected = frictionless(path, sheet=sheet)
        assert {kind for kind, _, _ in expected} == set(KINDS)
        got = {(kind, row, col) for kind, row, col in ours_with_sheet(path, sheet)}
        assert got == expected, sheet


def ours_with_sheet(path: Path, sheet: str) -> set[tuple[str, int, str]]:
    report = validate(str(path), "xlsx", SCHEMA, context=ValidationContext(max_findings=100_000))
    return {(f.code, f.row, f.column) for f in report.findings if f.code in KINDS and f.sheet == sheet}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_clean_files_agree_on_nothing(tmp_path, fmt):
    rows = corpus.penduduk()
    if fmt == "csv":
        path = corpus.write_csv(tmp_path / "p.csv", rows)
        assert frictionless(path, corpus.SCHEMA) == ours(path, "csv", corpus.SCHEMA) == set()
    else:
        path = corpus.write_xlsx(tmp_path / "p.xlsx", {"Penduduk": (corpus.HEADER, rows)})
        assert (
            frictionless(path, corpus.SCHEMA, sheet="Penduduk") == ours(path, "xlsx", corpus.SCHEMA) == set()
        )


def test_deliberate_differences(tmp_path):
    """Where the engine departs from frictionless, on purpose: a number typed into a text
    column of a workbook is its text (kode 6471 is still reported, as an invalid region
    code); non-ASCII digits are not digits; columns are found by name, not position."""
    schema = {"fields": [{"name": "kode", "type": "string"}, {"name": "tahun", "type": "year"}]}
    path = corpus.write_xlsx(
        tmp_path / "d.xlsx", {"S": (["kode", "tahun"], [[6471, 2024], ["64.71", "\uff12\uff10\uff12\uff14"]])}
    )
    assert frictionless(path, schema, sheet="S") == {("type_error", 2, "kode")}
    assert ours(path, "xlsx", schema) == {("type_error", 3, "tahun")}
    swapped = corpus.write_csv(tmp_path / "swapped.csv", [["2024", "64.71"]], ["tahun", "kode"])
    assert ours(swapped, "csv", schema) == set()
    assert frictionless(swapped, schema) != set()
