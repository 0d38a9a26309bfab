"""The "Templat Metadata" workbook: written for an OPD, read back when the clerk uploads it.

Sheet ``Metadata``: row 1 the Indonesian headers (required fields marked ``*``, a comment with
the help text), row 2 the field keys (what the reader goes by; greyed), then one row a dataset,
the OPD's existing ones pre-filled. A column with choices has a dropdown (data validation) of
its labels, listed on the hidden sheet ``Pilihan``. Sheet ``Petunjuk`` says how to fill it in.

Reading an upload is bounded like every spreadsheet the portal reads: the file is measured
first (:func:`..quality.engine.limits.measure`: columns, cells, unpacked bytes, XML bombs),
then read with openpyxl in read-only mode, values only (no formula is ever evaluated).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ckanext.satudata_balikpapan.bulk.columns import Column
from ckanext.satudata_balikpapan.quality.engine import limits

SHEET = "Metadata"
CHOICES_SHEET = "Pilihan"
GUIDE_SHEET = "Petunjuk"
HEADER_ROW, KEY_ROW, FIRST_ROW = 1, 2, 3
EMPTY_ROWS = 200  # rows with dropdowns below the pre-filled ones, for new datasets
# An upload is one OPD's metadata: far below the bounds of a data file.
BOUNDS = limits.Limits(columns=200, cells=500_000, unpacked_bytes=50 * 1024**2,
                       shared_strings_bytes=20 * 1024**2, seconds=60)  # fmt: skip
MAX_ROWS = 5_000

# The guide sheet of the template (the template is for the city's clerks: Indonesian).
GUIDE = [
    "Templat Metadata Satu Data Kota Balikpapan",
    "",
    "1. Satu baris untuk satu dataset. Baris yang sudah terisi adalah dataset OPD Anda saat ini.",
    "2. Kolom URL: biarkan sama untuk memperbarui dataset itu; isi URL baru (huruf kecil, angka,",
    "   '-') untuk dataset baru.",
    "3. Kolom bertanda * wajib diisi. Kolom dengan daftar pilihan: pilih dari daftar.",
    "4. Cakupan Wilayah: kode Kemendagri dipisahkan koma, mis. 64.71 atau 64.71.01, 64.71.02.",
    "5. Jangan ubah baris 2 (kunci kolom): portal membaca kolom menurut baris itu.",
    "6. Unggah berkas ini di halaman OPD > Templat Metadata. Portal memeriksa setiap baris dengan",
    "   aturan yang sama dengan formulir dataset dan menyebut lembar, baris, kolom dan masalahnya.",
    "   Dataset baru dibuat sebagai draf; perubahan dataset yang sudah terbit diajukan kembali",
    "   untuk verifikasi walidata.",
]


class SheetError(ValueError):
    """The upload is not a template the portal can read; the message says why (translated)."""


@dataclass
class Row:
    """One filled-in row: its number in the sheet and its cells by column key."""

    number: int
    cells: dict[str, Any]


def write(cols: list[Column], rows: Iterable[list[Any]], title: str, lines: list[str] | None = None) -> bytes:
    """The template workbook for ``cols``, pre-filled with ``rows`` (cells in column order),
    with ``lines`` (default: the Templat Metadata's) on its guide sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    bold, grey = Font(bold=True), Font(color="808080", size=8)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, col in enumerate(cols, start=1):
        header = sheet.cell(HEADER_ROW, index, col.header("id"))
        header.font, header.fill = bold, fill
        header.alignment = Alignment(wrap_text=True, vertical="top")
        if col.help.get("id"):
            header.comment = Comment(col.help["id"], "Satu Data")
        sheet.cell(KEY_ROW, index, col.key).font = grey
        sheet.column_dimensions[get_column_letter(index)].width = 24
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(FIRST_ROW + count - 1, index, value)
    last = FIRST_ROW + count + EMPTY_ROWS
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 2)

    choices = book.create_sheet(CHOICES_SHEET)
    choices.sheet_state = "hidden"
    at = 0
    for index, col in enumerate(cols, start=1):
        if not col.choices:
            continue
        at += 1
        letter = get_column_letter(at)
        choices.cell(1, at, col.key)
        for n, (_value, labels) in enumerate(col.choices, start=2):
            choices.cell(n, at, labels.get("id") or _value)
        ref = f"{quote_sheetname(CHOICES_SHEET)}!${letter}$2:${letter}${len(col.choices) + 1}"
        validation = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
        target = get_column_letter(index)
        validation.add(f"{target}{FIRST_ROW}:{target}{last}")
        sheet.add_data_validation(validation)

    guide = book.create_sheet(GUIDE_SHEET)
    guide.cell(1, 1, title).font = bold
    for n, line in enumerate((lines or GUIDE)[1:], start=2):
        guide.cell(n, 1, line)
    guide.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(path: Path, cols: list[Column], anchor: str = "name") -> Iterator[Row]:
    """The filled-in rows of an uploaded template (rows without any value are skipped); row 2
    must hold the column keys, ``anchor`` (the key that says which record a row is) among
    them. Raises :class:`SheetError` for a file that is not a readable template."""
    try:
        limits.measure(str(path), "xlsx", BOUNDS)
    except limits.LimitExceeded as error:
        raise SheetError(tk._("File refused: it passes a bound ({limit}: {value:g} > {bound:g})").format(
            limit=error.limit, value=error.value, bound=error.bound)) from error  # fmt: skip
    except Exception as error:
        raise SheetError(tk._("The file is not a readable Excel workbook (.xlsx)")) from error
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise SheetError(tk._("The file is not a readable Excel workbook (.xlsx)")) from error
    try:
        if SHEET not in book.sheetnames:
            raise SheetError(
                tk._('The sheet "{sheet}" is missing: upload the template downloaded from the portal').format(
                    sheet=SHEET
                )
            )
        rows = book[SHEET].iter_rows(values_only=True)
        next(rows, None)  # headers
        keys_row = next(rows, None) or ()
        known = {c.key for c in cols}
        keys = [str(k).strip() if k is not None else "" for k in keys_row]
        if anchor not in keys or not known & set(keys):
            raise SheetError(
                tk._(
                    "Row 2 (the column keys) is not the template's: "
                    "upload the template downloaded from the portal"
                )
            )
        for number, values in enumerate(rows, start=FIRST_ROW):
            if number - FIRST_ROW >= MAX_ROWS:
                raise SheetError(
                    tk._("More than {rows} rows: split the file into several uploads").format(rows=MAX_ROWS)
                )
            cells = {key: value for key, value in zip(keys, values, strict=False) if key in known}
            if any(v not in (None, "") for v in cells.values()):
                yield Row(number, cells)
    finally:
        book.close()


def column_letter(cols: list[Column], key: str) -> str:
    """The column letter of a field in the template (or of the first column for a row-wide
    problem)."""
    for index, col in enumerate(cols, start=1):
        if col.key == key or col.key.split(".", 1)[0] == key:
            return get_column_letter(index)
    return "A"


def export(cols: list[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A plain workbook of published metadata: one header row, one row a dataset."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Katalog"
    sheet.append([c.header("id").rstrip(" *") for c in cols])
    for row in rows:
        sheet.append([row.get(c.key) for c in cols])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
