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
  so its length costs time, bounded by ``seconds``, not memory);
* ``unpacked_bytes``: a workbook's parts once decompressed, read as declared *and* checked
  against the real stream (a part longer than it claims fails its checksum);
* ``shared_strings_bytes``: the workbook's shared text table (``sharedStrings.xml``), held
  in memory whole by the reader;
* ``xml_entities``: any ``<!DOCTYPE``/``<!ENTITY`` in a workbook part is refused: Office
  never writes one, and expanding entities is how XML bombs work;
* ``header_bytes``: a CSV whose first megabyte holds no complete record;
* ``seconds``: the reading itself stops at a deadline (:meth:`Limits.deadline`).

Beyond a bound, :class:`LimitExceeded` names the limit, the value found and the bound, so the
finding (``file_error``) tells the produsen which rule the file broke. Measuring reads the
file once, streaming, in bounded memory; it stops early once a bound is passed.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass
from itertools import islice

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
    "seconds": {"id": "waktu pemeriksaan (detik)", "en": "checking time (seconds)"},
}

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"([0-9]{1,7})\"")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


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
    against ``limits``; raises :class:`LimitExceeded` at the first bound passed. A workbook
    archive that is broken (truncated, or lying about its sizes: a part's checksum fails)
    raises :class:`zipfile.BadZipFile`, before any reader trusts it; any other file that is
    not what its format says is left to the reader, which reports it."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt == "csv":
        return _measure_csv(path, limits)
    if zipfile.is_zipfile(path):
        return _measure_zip(path, limits)
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
            sheet = "worksheets/" in name
            columns, sheet_cells = _scan_part(archive, info, is_sheet=sheet, limits=limits)
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
                cell_count += len(_CELL.findall(body))
                row_count += len(_ROW.findall(body))
                letters = set(_CELL_REF.findall(body))
                if letters:
                    max_col = max(max_col, max(column_number(c) for c, _ in letters))
                    max_row = max(max_row, max(int(r) for _, r in letters))
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
