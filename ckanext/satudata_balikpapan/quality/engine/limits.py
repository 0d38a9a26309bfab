"""Bounds on the work a file may cause, measured before the work starts.

A file's size says little about what reading it costs. A 1.9 MB CSV with 200,000 columns, a
2.8 MB workbook whose shared strings inflate to 1.5 GB, a sheet with one cell in ``A1`` and
one in ``XFD1048576`` (the spreadsheet reader allocates the whole rectangle), an XML part with
a document type declaration (entity expansion, "billion laughs"): each costs a web process or
a worker minutes and gigabytes. So every reader of the portal (the validator, the schema
guess, previews and charts) first :func:`measure` s the file against :class:`Limits`:

* ``columns``: the header's cells (CSV), or the widest referenced column (workbook);
* ``cells``: a workbook sheet's cells as the reader holds them, all at once, as a full
  rectangle: its last row times its last column (a CSV file is streamed in bounded batches,
  so its length costs time, bounded by ``seconds``, not memory). An ODS sheet says how often
  a row or a cell repeats (``number-rows-repeated``, ``number-columns-repeated``) and the
  reader expands every repeat that is followed by content: an 800-byte file can ask for
  100 million cells, so the repeats are summed, never expanded;
* ``unpacked_bytes``: a workbook's parts once decompressed, read as declared *and* checked
  against the real stream (a part longer than it claims fails its checksum);
* ``shared_strings_bytes``: the workbook's shared text table (``sharedStrings.xml``), held
  in memory whole by the reader;
* ``xml_entities``: any ``<!DOCTYPE``/``<!ENTITY`` in a workbook part is refused: Office
  never writes one, and expanding entities is how XML bombs work;
* ``header_bytes``: a CSV whose first megabyte holds no complete record;
* ``structure``: an ODS ``content.xml`` that is not well-formed XML (the counting above must
  see what the reader sees), or a legacy XLS workbook (BIFF records in an OLE container)
  whose structure is broken or points outside itself (a sheet beyond the end of its stream, a
  stream longer than the file). The XLS reader keeps every sheet in memory at once and trusts what the file
  declares: the rows x columns of a DIMENSIONS record, reserved up front, and the count of a
  shared string table; a 5 KB file declaring a billion cells makes the process abort, not
  raise. So for XLS the ``cells`` bound covers the declared dimensions as well as the cells
  every sheet spans, summed over the sheets, and the string table's reserved bytes count
  against ``shared_strings_bytes``;
* ``seconds``: the reading itself stops at a deadline (:meth:`Limits.deadline`).

Beyond a bound, :class:`LimitExceeded` names the limit, the value found and the bound, so the
finding (``file_error``) tells the produsen which rule the file broke. Measuring reads the
file once, streaming, in bounded memory; it stops early once a bound is passed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import time
import zipfile
from dataclasses import dataclass
from itertools import islice
from xml.parsers import expat

import olefile

from ckanext.satudata_balikpapan.quality.engine import readers

CHUNK = 1 << 20
OVERLAP = 256  # bytes kept from one chunk to the next, so no tag is cut in two
CSV_FIELD_LIMIT = 1 << 20

LIMIT_NAMES: dict[str, dict[str, str]] = {
    "columns": {"id": "jumlah kolom", "en": "number of columns"},
    "cells": {"id": "jumlah sel", "en": "number of cells"},
    "unpacked_bytes": {"id": "ukuran berkas setelah dibuka (byte)", "en": "unpacked size (bytes)"},
    "shared_strings_bytes": {
        "id": "ukuran tabel teks bersama (byte)",
        "en": "shared strings size (bytes)",
    },
    "xml_entities": {"id": "deklarasi DTD/entitas XML", "en": "XML DTD/entity declarations"},
    "header_bytes": {"id": "panjang baris judul (byte)", "en": "header row length (bytes)"},
    "structure": {"id": "struktur berkas", "en": "file structure"},
    "seconds": {"id": "waktu pemeriksaan (detik)", "en": "checking time (seconds)"},
}

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"([0-9]{1,7})\"")
# The fast forms of the same counts, for the usual part with no namespace prefix on its tags
# (what Excel, LibreOffice and every writer seen write): bytes.count and literal-led patterns
# instead of a lazy scan of every tag. A reference attribute is read wherever it stands,
# quoted either way, spaced around "=", with up to 12 digits: it can only make the bound
# stricter, never let a cell through unseen.
_PREFIXED = re.compile(rb"<\w+:(?:c|row)[\s>/]")
_REF_LETTERS = re.compile(rb"r\s*=\s*[\"']([A-Z]{1,3})[0-9]")
_REF_DIGITS = re.compile(rb"r\s*=\s*[\"'][A-Z]{0,3}([0-9]{1,12})[\"']")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_SHEET_CONTENT = ("content.xml",)


@dataclass(frozen=True)
class Limits:
    """The bounds one reading may not pass (see the module's documentation). The defaults
    are the background job's; a request uses smaller ones for what it does inline."""

    columns: int = 1_000
    cells: int = 5_000_000
    unpacked_bytes: int = 200 * 1024 * 1024
    shared_strings_bytes: int = 50 * 1024 * 1024
    seconds: float = 900.0

    def deadline(self) -> float:
        """The :func:`time.monotonic` instant the reading must stop by."""
        return time.monotonic() + self.seconds


@dataclass(frozen=True)
class Measure:
    """What reading a file will cost: its columns, cells and (workbooks) unpacked bytes."""

    columns: int
    cells: int
    unpacked_bytes: int


class LimitExceeded(Exception):
    """A file passes one of the :class:`Limits`: ``limit`` (a key of :data:`LIMIT_NAMES`),
    the ``value`` found (at least) and the ``bound``."""

    def __init__(self, limit: str, value: float, bound: float) -> None:
        super().__init__(f"{limit}: {value} > {bound}")
        self.limit = limit
        self.value = value
        self.bound = bound

    def details(self) -> dict[str, object]:
        """The finding's details: ``kind`` ``limit``, the limit, the value and the bound."""
        return {"kind": "limit", "limit": self.limit, "value": self.value, "bound": self.bound}


def check_deadline(deadline: float | None, limits: Limits) -> None:
    """Raise ``LimitExceeded("seconds")`` once ``deadline`` has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise LimitExceeded("seconds", limits.seconds, limits.seconds)


def measure(path: str, fmt: str, limits: Limits) -> Measure:
    """Measure the file at ``path`` (``fmt`` ``csv``, ``xlsx``, ``xlsm``, ``ods`` or ``xls``)
    against ``limits``; raises :class:`LimitExceeded` at the first bound passed. A workbook is
    recognised by its content (a zip archive, an OLE container), not by its ``fmt``. A workbook
    archive that is broken (truncated, or lying about its sizes: a part's checksum fails)
    raises :class:`zipfile.BadZipFile`, before any reader trusts it; any other file that is
    not what its format says is left to the reader, which reports it."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt == "csv":
        return _measure_csv(path, limits)
    if zipfile.is_zipfile(path):
        return _measure_zip(path, limits)
    if olefile.isOleFile(path):
        return _measure_xls(path, limits)
    return Measure(columns=0, cells=0, unpacked_bytes=0)


# --- CSV -------------------------------------------------------------------------------------


def _measure_csv(path: str, limits: Limits) -> Measure:
    """Columns from the top records (header and the title rows above it) of the first
    megabyte. A CSV file is read in batches of bounded size whatever its length, so its
    cells are bounded by the file size limit and the deadline, not counted here."""
    with open(path, "rb") as f:
        head = f.read(readers.SNIFF_BYTES)
    if not head:
        return Measure(0, 0, 0)
    encoding = readers.sniff_encoding(head, final=len(head) < readers.SNIFF_BYTES)
    text = head.decode(encoding, errors="replace")
    delimiter = readers.sniff_delimiter(text)
    if len(head) >= readers.SNIFF_BYTES and "\n" not in text and "\r" not in text:
        cells = text.count(delimiter) + 1  # at least: the record goes on past the first megabyte
        if cells > limits.columns:
            raise LimitExceeded("columns", cells, limits.columns)
        raise LimitExceeded("header_bytes", len(head), readers.SNIFF_BYTES)
    previous = csv.field_size_limit()
    csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        columns = max((len(r) for r in islice(records, readers.TITLE_SCAN_ROWS + 1)), default=0)
    except csv.Error:
        columns = text.split("\n", 1)[0].count(delimiter) + 1
    finally:
        csv.field_size_limit(previous)
    if columns > limits.columns:
        raise LimitExceeded("columns", columns, limits.columns)
    return Measure(columns=columns, cells=0, unpacked_bytes=0)


# --- workbooks (XLSX, XLSM, ODS: zip archives of XML parts) ----------------------------------


def column_number(letters: bytes) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _measure_zip(path: str, limits: Limits) -> Measure:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > limits.unpacked_bytes:
            raise LimitExceeded("unpacked_bytes", declared, limits.unpacked_bytes)
        for info in infos:
            strings = info.filename.lower().endswith("sharedstrings.xml")
            if strings and info.file_size > limits.shared_strings_bytes:
                raise LimitExceeded("shared_strings_bytes", info.file_size, limits.shared_strings_bytes)
        widest = cells = 0
        for info in infos:
            name = info.filename.lower()
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            if name in _ODS_SHEET_CONTENT:
                columns, sheet_cells = _scan_ods_content(archive, info, limits)
            else:
                columns, sheet_cells = _scan_part(
                    archive, info, is_sheet="worksheets/" in name, limits=limits
                )
            widest = max(widest, columns)
            cells = max(cells, sheet_cells)
    return Measure(columns=widest, cells=cells, unpacked_bytes=declared)


def _scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, is_sheet: bool, limits: Limits
) -> tuple[int, int]:
    """Stream one XML part: refuse declarations; for a worksheet, its widest column and the
    rectangle the reader will allocate (last row x last column, or the cell count when cells
    carry no reference). The stream is read to its end, so a part longer than it declares
    fails its checksum (``BadZipFile``)."""
    max_col = max_row = cell_count = row_count = 0
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            data = tail + chunk
            if any(d in data for d in _DECLARATIONS):
                raise LimitExceeded("xml_entities", 1, 0)
            if is_sheet:
                cut = len(data)
                if len(chunk) == CHUNK:  # more to come: keep the last tag whole for the next round
                    cut = data.rfind(b"<", 0, len(data) - OVERLAP)
                    cut = cut if cut > 0 else len(data) - OVERLAP
                body = data[:cut]
                if _PREFIXED.search(body) is None:
                    # every "<c"/"<row" tag: also <col>, <cfRule>, <rowBreaks>, a few, so at most
                    # a little stricter (the counts bound a sheet whose cells carry no reference)
                    cell_count += body.count(b"<c")
                    row_count += body.count(b"<row")
                    letters = set(_REF_LETTERS.findall(body))
                    if letters:
                        max_col = max(max_col, max(map(column_number, letters)))
                    numbers = set(_REF_DIGITS.findall(body))
                    if numbers:
                        max_row = max(max_row, max(map(int, numbers)))
                else:
                    cell_count += len(_CELL.findall(body))
                    row_count += len(_ROW.findall(body))
                    refs = set(_CELL_REF.findall(body))
                    if refs:
                        max_col = max(max_col, max(column_number(c) for c, _ in refs))
                        max_row = max(max_row, max(int(r) for _, r in refs))
                    rows = _ROW_REF.findall(body)
                    if rows:
                        max_row = max(max_row, max(map(int, rows)))
                if max_col > limits.columns:
                    raise LimitExceeded("columns", max_col, limits.columns)
                rectangle = max(max_row, row_count) * max_col if max_col else cell_count
                if rectangle > limits.cells:
                    raise LimitExceeded("cells", rectangle, limits.cells)
                tail = data[len(body) :]
            else:
                tail = data[-OVERLAP:]
    rectangle = max(max_row, row_count) * max_col if max_col else cell_count
    return max_col, rectangle


# --- ODS (content.xml: rows and cells that say how often they repeat) -----------------------


@dataclass
class _OdsSheet:
    """The rectangle an ODS sheet makes the reader allocate, counted from its repeats.

    The reader expands a repeated row or cell only when content follows it in the sheet
    (trailing empty rows and cells cost nothing), so the sheet spans up to its last row with
    content and its widest row's last cell with content. Counting happens per row: ``column``
    is the position reached in the current row, ``last_filled`` that of its last cell with
    content, ``row`` the rows passed, ``last_row`` the end of the last row with content."""

    limits: Limits
    before: int = 0  # cells of the earlier sheets: the reader holds every sheet at once
    row: int = 0
    last_row: int = 0
    widest: int = 0
    column: int = 0
    last_filled: int = 0
    row_repeat: int = 1
    cell_repeat: int = 1
    cell_filled: bool = False

    def rectangle(self) -> int:
        return self.last_row * self.widest

    def check(self) -> None:
        if self.widest > self.limits.columns:
            raise LimitExceeded("columns", self.widest, self.limits.columns)
        cells = self.before + self.rectangle()
        if cells > self.limits.cells:
            raise LimitExceeded("cells", cells, self.limits.cells)


def _repeat(attrs: dict[str, str], name: str) -> int:
    """A repeat count: a whole number (one of absurd length counts as beyond any bound),
    else 1."""
    text = attrs.get(f"{_ODS_TABLE} {name}", "1").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(int(text), 1) if len(text) <= 30 else 10**30


def _scan_ods_content(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> tuple[int, int]:
    """Stream an ODS ``content.xml`` through expat (no DTD: refused first) and count, for each
    sheet, the rectangle the reader will allocate; raise at the first bound passed. XML that
    is not well-formed is refused (``structure``): a more lenient reader could otherwise see
    rows the count did not. Returns the widest sheet's columns and the cells of all sheets,
    which the reader holds at once."""
    sheet: _OdsSheet | None = None
    widest = total = 0
    in_cell = 0  # depth inside the current cell: any element in it (text, a nested table) is content

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal sheet, in_cell
        ns, _, local = name.rpartition(" ")
        if sheet is not None and in_cell:
            in_cell += 1
            sheet.cell_filled = True
            return
        if ns == _ODS_TABLE and local == "table":
            if sheet is None:
                sheet = _OdsSheet(limits, before=total)
            return
        if sheet is None:
            return
        if ns == _ODS_TABLE and local == "table-row":
            sheet.row_repeat = _repeat(attrs, "number-rows-repeated")
            sheet.column = sheet.last_filled = 0
        elif ns == _ODS_TABLE and local in ("table-cell", "covered-table-cell"):
            sheet.cell_repeat = _repeat(attrs, "number-columns-repeated")
            sheet.cell_filled = f"{_ODS_OFFICE} value-type" in attrs
            in_cell = 1

    def end(name: str) -> None:
        nonlocal sheet, in_cell, widest, total
        ns, _, local = name.rpartition(" ")
        if sheet is None:
            return
        if in_cell:
            in_cell -= 1
            if in_cell:
                return
            sheet.column += sheet.cell_repeat
            if sheet.cell_filled:
                sheet.last_filled = sheet.column
            return
        if ns == _ODS_TABLE and local == "table-row":
            sheet.row += sheet.row_repeat
            if sheet.last_filled:
                sheet.last_row = sheet.row
                sheet.widest = max(sheet.widest, sheet.last_filled)
                sheet.check()
        elif ns == _ODS_TABLE and local == "table":
            widest = max(widest, sheet.widest)
            total += sheet.rectangle()
            sheet = None

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    deadline = limits.deadline()
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            if any(d in tail + chunk for d in _DECLARATIONS):
                raise LimitExceeded("xml_entities", 1, 0)
            tail = chunk[-OVERLAP:]
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError as error:
                raise _broken() from error
            check_deadline(deadline, limits)
    try:
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise _broken() from error
    return widest, total


# --- legacy XLS (BIFF records in an OLE container) ------------------------------------------

BIFF_EOF = 0x000A
BIFF_BOUNDSHEET = 0x0085
BIFF_SST = 0x00FC
BIFF_DIMENSIONS = 0x0200
BIFF_MULRK = 0x00BD
# the records the reader turns into cells, each starting with its row and column (u16, u16)
BIFF_CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})
RESERVED_STRING_BYTES = 24  # what the reader reserves per declared shared string
RECORDS_PER_DEADLINE_CHECK = 50_000


def _broken() -> LimitExceeded:
    """A workbook whose structure cannot be trusted: refused before any reader sees it."""
    return LimitExceeded("structure", 1, 0)


def _measure_xls(path: str, limits: Limits) -> Measure:
    """Read the workbook stream's records as the XLS reader will, and bound what it will
    allocate: the shared string table it reserves, and for every sheet (all held at once) the
    larger of the rectangle a DIMENSIONS record declares and the one its cells span."""
    size = 0
    try:
        with olefile.OleFileIO(path) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                return Measure(0, 0, 0)  # no workbook stream: the reader reports the file
            size = ole.get_size(name)
            if size > os.path.getsize(path):
                raise _broken()
            if size > limits.unpacked_bytes:
                raise LimitExceeded("unpacked_bytes", size, limits.unpacked_bytes)
            stream = ole.openstream(name).read()
    except LimitExceeded:
        raise
    except Exception as error:  # a broken container: olefile names it; refuse, never read
        raise _broken() from error
    deadline = limits.deadline()
    sheets: list[int] = []
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = _BIFF_HEADER.unpack_from(stream, pos)
        data = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == BIFF_EOF:
            break
        if kind == BIFF_BOUNDSHEET and len(data) >= 4:
            sheets.append(int.from_bytes(data[:4], "little"))
        elif kind == BIFF_SST and len(data) >= 8:
            unique = int.from_bytes(data[4:8], "little", signed=True)
            reserved = max(unique, 0) * RESERVED_STRING_BYTES
            if reserved > limits.shared_strings_bytes:
                raise LimitExceeded("shared_strings_bytes", reserved, limits.shared_strings_bytes)
    widest = total = 0
    for start in sheets:
        if start >= len(stream):
            raise _broken()
        columns, cells = _scan_xls_sheet(stream, start, limits, deadline)
        widest = max(widest, columns)
        total += cells
        if total > limits.cells:
            raise LimitExceeded("cells", total, limits.cells)
    return Measure(columns=widest, cells=total, unpacked_bytes=size)


_BIFF_HEADER = struct.Struct("<HH")
_ROW_COL = struct.Struct("<HH")


def _scan_xls_sheet(stream: bytes, pos: int, limits: Limits, deadline: float) -> tuple[int, int]:
    """One sheet's records from ``pos`` to its EOF: its width and the cells the reader will
    allocate for it (its span, or its declared dimensions when larger)."""
    rows: tuple[int, int] | None = None
    cols: tuple[int, int] | None = None
    declared = records = 0
    while pos + 4 <= len(stream):
        kind, length = _BIFF_HEADER.unpack_from(stream, pos)
        start, pos = pos + 4, pos + 4 + length
        if kind == BIFF_EOF:
            break
        records += 1
        if records % RECORDS_PER_DEADLINE_CHECK == 0:
            check_deadline(deadline, limits)
        if kind == BIFF_DIMENSIONS and length in (10, 14):
            if length == 14:
                first_row, last_row = struct.unpack_from("<II", stream, start)
                first_col, last_col = struct.unpack_from("<HH", stream, start + 8)
            else:
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", stream, start)
            declared = max(declared, max(last_row - first_row, 1) * max(last_col - first_col, 1))
            if declared > limits.cells:
                raise LimitExceeded("cells", declared, limits.cells)
            continue
        if kind in BIFF_CELLS and length >= 4:
            row, col = _ROW_COL.unpack_from(stream, start)
            last = col
        elif kind == BIFF_MULRK and length >= 6:
            row, col = _ROW_COL.unpack_from(stream, start)
            last = int.from_bytes(stream[pos - 2 : pos], "little")
        else:
            continue
        rows = (min(rows[0], row), max(rows[1], row)) if rows else (row, row)
        cols = (min(cols[0], col), max(cols[1], last)) if cols else (col, last)
        width = cols[1] - cols[0] + 1
        if width > limits.columns:
            raise LimitExceeded("columns", width, limits.columns)
        span = (rows[1] - rows[0] + 1) * width
        if span > limits.cells:
            raise LimitExceeded("cells", span, limits.cells)
    if rows is None or cols is None:
        return 0, declared
    width = cols[1] - cols[0] + 1
    return width, max(declared, (rows[1] - rows[0] + 1) * width)
