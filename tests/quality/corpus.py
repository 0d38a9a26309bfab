"""A corpus of realistic Balikpapan tables, generated in code, for the quality tests.

The figures are synthetic but plausible: the six kecamatan of Kota Balikpapan with their
Kemendagri codes, yearly population by sex growing about 1.5 % a year, the kecamatan's
area, and the city total row (64.71) that is the sum of its kecamatan.
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

KECAMATAN = [
    # code, name, luas km2, population in 2021
    ("64.71.01", "Balikpapan Timur", 137.16, 92_431),
    ("64.71.02", "Balikpapan Barat", 179.95, 101_287),
    ("64.71.03", "Balikpapan Utara", 132.16, 178_504),
    ("64.71.04", "Balikpapan Tengah", 11.07, 118_722),
    ("64.71.05", "Balikpapan Selatan", 37.46, 165_830),
    ("64.71.06", "Balikpapan Kota", 11.14, 125_016),
]
KELURAHAN_SELATAN = [
    "64.71.05.1002",
    "64.71.05.1006",
    "64.71.05.1008",
    "64.71.05.1009",
    "64.71.05.1010",
    "64.71.05.1011",
    "64.71.05.1012",
]
YEARS = (2021, 2022, 2023, 2024, 2025)
HEADER = ["kode_wilayah", "nama_wilayah", "tahun", "laki_laki", "perempuan", "Jumlah (jiwa)", "luas_km2"]
LK, PR, JML, LUAS = 3, 4, 5, 6

# The schema a walidata confirms for that table (what infer() proposes, see its test).
SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "kode_wilayah",
            "type": "string",
            "satudata:role": "region",
            "constraints": {"required": True},
        },
        {
            "name": "nama_wilayah",
            "type": "string",
            "satudata:role": "label",
            "constraints": {"required": True},
        },
        {"name": "tahun", "type": "year", "satudata:role": "period", "constraints": {"required": True}},
        {"name": "laki_laki", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        {"name": "perempuan", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        {
            "name": "Jumlah (jiwa)",
            "type": "integer",
            "satudata:unit": "jiwa",
            "constraints": {"required": True, "minimum": 0},
        },
        {
            "name": "luas_km2",
            "type": "number",
            "satudata:unit": "km2",
            "constraints": {"required": True, "minimum": 0},
        },
    ],
    "missingValues": [""],
    "primaryKey": ["kode_wilayah", "tahun"],
    "satudata:totals": {
        "rows": {
            "by": "region",
            "field": "kode_wilayah",
            "fields": ["laki_laki", "perempuan", "luas_km2", "Jumlah (jiwa)"],
        },
        "columns": [{"field": "Jumlah (jiwa)", "parts": ["laki_laki", "perempuan"]}],
    },
}


def schema() -> dict[str, Any]:
    """A fresh copy of :data:`SCHEMA`."""
    return copy.deepcopy(SCHEMA)


def penduduk(years: Iterable[int] = YEARS, *, total: bool = True) -> list[list[Any]]:
    """Rows of the population table: per year, the six kecamatan then the city total."""
    rows: list[list[Any]] = []
    for year in years:
        for code, name, luas, base in KECAMATAN:
            n = round(base * 1.015 ** (year - 2021))
            lk = round(n * 0.507)
            rows.append([code, name, year, lk, n - lk, n, luas])
        if total:
            rows.append(["64.71", "Kota Balikpapan", year, 0, 0, 0, 0.0])
    return recompute_totals(rows)


def recompute_totals(rows: list[list[Any]]) -> list[list[Any]]:
    """Make every city row (64.71) the sum of its year's kecamatan rows again."""
    for row in rows:
        if row[0] == "64.71":
            parts = [
                r
                for r in rows
                if r[2] == row[2] and r[0] != "64.71" and isinstance(r[0], str) and r[0].count(".") == 2
            ]
            row[LK] = sum(r[LK] for r in parts)
            row[PR] = sum(r[PR] for r in parts)
            row[JML] = sum(r[JML] for r in parts)
            row[LUAS] = round(sum(r[LUAS] for r in parts), 2)
    return rows


def row_number(rows: Sequence[Sequence[Any]], code: str, year: int, *, header_row: int = 1) -> int:
    """The spreadsheet row number of (code, year): header is ``header_row``, data follow."""
    for i, row in enumerate(rows):
        if row[0] == code and row[2] == year:
            return header_row + 1 + i
    raise KeyError((code, year))


def find(rows: Sequence[list[Any]], code: str, year: int) -> list[Any]:
    """The row of (code, year)."""
    return next(r for r in rows if r[0] == code and r[2] == year)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """The table as a CSV file."""
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]) -> Path:
    """A workbook with one sheet per entry: header at A1, rows below, native cell types
    (numbers as numbers, None as an empty cell)."""

    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, list(header))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if hasattr(value, "isoformat") and not isinstance(value, str):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    workbook.close()
    return path


def per_year_workbook(path: Path, rows: Sequence[list[Any]], *, notes: bool = False) -> Path:
    """The population table as one sheet per year (each with its header), plus a notes
    sheet when ``notes``."""
    sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]] = {}
    for year in sorted({r[2] for r in rows}):
        sheets[str(year)] = (HEADER, [r for r in rows if r[2] == year])
    if notes:
        sheets["Catatan"] = (["Catatan"], [["Sumber: Disdukcapil Kota Balikpapan (data sintetis)"]])
    return write_xlsx(path, sheets)


# An office table as clerks and BPS lay it out (issue #15): title, unit, header, kecamatan rows
# in Indonesian number format, a total row, notes and a signature below.
TITLE = "Jumlah Penduduk dan Luas Wilayah, menurut Kecamatan, Kota Balikpapan, 2024"
OFFICE_HEADER = ["kode_wilayah", "kecamatan", "luas_km2", "jumlah_penduduk"]
OFFICE_ROWS = [
    ("64.71.01", "Balikpapan Timur", "137,16", "91.234"),
    ("64.71.02", "Balikpapan Barat", "179,95", "95.111"),
    ("64.71.03", "Balikpapan Utara", "132,16", "180.001"),
    ("64.71.04", "Balikpapan Tengah", "11,07", "110.222"),
    ("64.71.05", "Balikpapan Selatan", "35,12", "120.345"),
    ("64.71.06", "Balikpapan Kota", "11,91", "105.333"),
]
NOTES = [
    "Sumber: Dinas Kependudukan dan Pencatatan Sipil Kota Balikpapan",
    "Keterangan: data semester II, per 31 Desember",
]
SIGNATURE = ["Balikpapan, 31 Desember 2024", "Kepala Dinas"]


def semicolon_csv(path, *, total: str = "702.246", notes: bool = True):
    """The table as Excel in an Indonesian locale saves it: ``;``, decimal comma, grouping
    dot, Windows-1252, every row padded to the table's width."""
    lines = [f"{TITLE};;;", "Satuan: km2, jiwa;;;", ";".join(OFFICE_HEADER)]
    lines += [";".join(row) for row in OFFICE_ROWS]
    lines.append(f"64.71;Kota Balikpapan;507,37;{total}")
    if notes:
        lines += [";;;", *(f"{n};;;" for n in NOTES), *(f";;{s};" for s in SIGNATURE)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path
