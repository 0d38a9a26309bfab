"""Streaming readers of CSV and XLSX files into batches of text columns.

Every reader yields :class:`RawBatch` es: one Arrow string array per header column, plus
the spreadsheet row number of each row. Memory is bounded by the batch size, not the file
size, except that an XLSX *sheet* is read whole by calamine (a workbook is read sheet by
sheet, so memory follows the largest sheet, not the workbook).

Title rows above the header (a table's title, a subtitle, a unit note, blank rows: rows with at
most one filled cell, as government workbooks and their CSV exports often have) are skipped:
the header is the first of the top rows with two or more filled cells. Row numbers stay those
of the file.

CSV has two paths that produce the same rows and row numbers:

* the fast path, pyarrow's streaming CSV reader, used whenever every record has as many
  cells as the header (empty lines included: they become rows of empty cells);
* the slow path, Python's ``csv`` module (what frictionless uses), taken when pyarrow
  meets a record with more or fewer cells. It pads short rows with nulls (absent cells)
  and reports long rows, so the engine can name both.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook

SNIFF_BYTES = 1 << 20
CSV_BLOCK_BYTES = 1 << 22  # a piece parsed at once: about 70,000 rows of a 10-column table
CSV_PARSE_BLOCK_BYTES = 1 << 21  # pyarrow's block within a piece: two, parsed in parallel, a batch each
SLOW_BATCH_ROWS = 20_000
XLSX_BATCH_ROWS = 20_000
BATCH_CELLS = 500_000  # a batch of a wide table has fewer rows: memory follows cells, not rows
DELIMITERS = (",", ";", "\t", "|")
TITLE_SCAN_ROWS = 10  # how far down the header is looked for
# How a note line below a table starts, in Indonesian and English office files (RE2 and
# Python syntax alike): "Sumber: Dinas ...", "Keterangan:", "Ket.", "Catatan:", "*) ...", "1) ...".
NOTE_RE = r"(?i)^(sumber|keterangan|ket\s*[.:]|catatan|cat\s*[.:]|note|notes|source)\b|^\*|^\d{1,2}\)\s"
HEADER_SCAN_ROWS = 50  # records read to choose the delimiter (the header and rows below it)


def batch_rows(width: int, most: int) -> int:
    """Rows per batch for a table ``width`` columns wide: ``most``, fewer for wide tables, so
    that a batch holds at most :data:`BATCH_CELLS` cells (and at least one row)."""
    return max(1, min(most, BATCH_CELLS // max(width, 1)))


_COUNTING: list[pa.Array] = [pa.array([], pa.int64())]


def row_numbers(first: int, n: int) -> pa.Array:
    """``first``, ``first + 1``, ... (``n`` numbers) as an int64 array, from one cached run
    of 0, 1, 2, ... (grown when needed): an array built from a Python ``range`` cost a tenth
    of the reading of a large file."""
    if len(_COUNTING[0]) < n:
        _COUNTING[0] = pa.array(range(max(n, 2 * len(_COUNTING[0]))), pa.int64())
    base = _COUNTING[0].slice(0, n)
    return pc.add(base, first) if first else base


class Restart(Exception):
    """The fast CSV path met something only the slow path handles; start again slowly."""


class EncodingRestart(Exception):
    """The file is not the UTF-8 its beginning promised; read it again as Latin-1."""


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: ``encoding`` (``utf-8``, ``utf-8-sig``, ``utf-16`` or ``latin-1``) and
    ``delimiter`` (``,``, ``;``, tab or ``|``)."""

    encoding: str
    delimiter: str
    skip: int = 0  # title records above the header
    skip_lines: int = 0  # the lines they take (more than ``skip`` when one spans lines)


def note_rows(rows: Sequence[Sequence[Any]]) -> list[int]:
    """The positions of the note lines below a table: a row with one filled cell that starts
    like a note (:data:`NOTE_RE`), and every row with at most one filled cell after it (the
    note's next lines, the signature block: place and date, office, name, NIP). They are
    catatan, not data. The validator applies the same rule to Arrow columns."""
    out: list[int] = []
    for index, row in enumerate(rows):
        cells = [c if isinstance(c, str) else cell_text(c) for c in row if c is not None]
        filled = [c.strip() for c in cells if c.strip()]
        if len(filled) > 1 or not filled:
            continue
        if out or re.match(NOTE_RE, filled[0]):
            out.append(index)
    return out


def title_rows(rows: Sequence[Sequence[Any]]) -> int:
    """How many of the top rows are titles above the header: rows with at most one filled
    cell, before the first row with two or more (none when no top row has two)."""
    for index, row in enumerate(rows[:TITLE_SCAN_ROWS]):
        filled = 0
        for cell in row:
            if cell is not None and (cell.strip() if isinstance(cell, str) else cell_text(cell).strip()):
                filled += 1
                if filled >= 2:
                    return index
    return 0


@dataclass
class RawBatch:
    """Rows of one table as text: ``columns[i]`` is the string array of header position
    ``i`` (null where a short row has no cell), ``rows`` their row numbers. ``forced[i]``,
    when not None, marks XLSX cells whose native type cannot be the field's type (a
    date in an integer column). ``extra`` lists (row, cell count) of rows longer than the
    header."""

    columns: list[pa.Array]
    rows: pa.Array
    forced: list[pa.Array | None] | None = None
    extra: list[tuple[int, int]] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return len(self.rows)


def sniff_encoding(head: bytes, final: bool = True) -> str:
    """The encoding of a text file from its first bytes ``head`` (``final``: the whole file):
    its byte order mark (``utf-8-sig``, ``utf-16``), else ``utf-8`` when ``head`` decodes
    as UTF-8 (a character cut at the end of a partial ``head`` allowed), else ``latin-1``,
    which decodes any byte and keeps the accented letters of Windows-1252 exports. The one
    rule for every reader of the portal: the validator, previews and charts."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=final)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def sniff_csv(path: str) -> CsvDialect:
    """How a CSV file is written: the encoding (:func:`sniff_encoding` of the first megabyte),
    the delimiter (:func:`sniff_delimiter`: the header's agreement with the rows) and the title rows
    above the header (:func:`title_rows`)."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    encoding = sniff_encoding(head, final=len(head) < SNIFF_BYTES)
    text = head.decode(encoding, errors="replace")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    top = list(islice(reader, TITLE_SCAN_ROWS))
    skip = title_rows(top)
    if not skip:
        return CsvDialect(encoding, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for _ in islice(reader, skip):
        pass
    return CsvDialect(encoding, delimiter, skip, reader.line_num)


def sniff_delimiter(text: str) -> str:
    """The delimiter under which the header agrees with the rows below it.

    For each of ``, ; tab |`` the top records are read as CSV; the header is the first
    record with two or more filled cells (title lines above it have one), and the delimiter
    scores by how many of the records after it have as many cells as the header, then by
    the header's width. Counting characters instead is fooled by Indonesian exports: a ``;``
    file whose title line reads "Jumlah Penduduk, menurut Kecamatan, 2024" and whose figures
    carry decimal commas ("1.234,5") has more commas on some line than semicolons. A file of
    one line keeps the widest header; none with two cells gives ``,``."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            records = list(islice(reader, HEADER_SCAN_ROWS))
        except csv.Error:  # e.g. a cell past the csv module's field limit: not this delimiter
            continue
        if len(records) > 1 and not text.endswith(("\n", "\r")):
            records.pop()  # the last record of a partial head may be cut short
        header = next((i for i, r in enumerate(records) if sum(1 for c in r if c.strip()) >= 2), None)
        if header is None:
            continue
        width = len(records[header])
        score = (sum(1 for r in records[header + 1 :] if len(r) == width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _skip_titles(reader: Any, dialect: CsvDialect) -> None:
    for _ in islice(reader, dialect.skip):
        pass


def csv_header(path: str, dialect: CsvDialect) -> list[str]:
    """The header labels: the first record below the title rows."""
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter)
        _skip_titles(reader, dialect)
        return next(reader, [])


def csv_sample(path: str, dialect: CsvDialect, rows: int) -> tuple[list[str], list[list[str]]]:
    """The header and up to ``rows`` data rows, read with Python's csv module."""
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter)
        _skip_titles(reader, dialect)
        header = next(reader, [])
        data = []
        for row in reader:
            data.append(row)
            if len(data) >= rows:
                break
    return header, data


def csv_batches_fast(path: str, dialect: CsvDialect, width: int) -> tuple[list[str], Iterator[RawBatch]]:
    """pyarrow's CSV parser, on the file cut into pieces of whole records
    (:func:`record_chunks`). The header is read as the first record, so that row numbers
    are record numbers exactly as the csv module counts them. Raises :class:`Restart`
    (possibly while iterating) when the slow path is needed, and :class:`EncodingRestart`
    when a UTF-8 file turns out not to be.

    Why pieces, not pyarrow's streaming reader: that reader's memory grew with the file (its
    pool's peak was 77 MB on a 60 MB file against 21 MB on a 6 MB one), where a fresh parse
    of each piece holds one piece at a time."""
    if dialect.skip_lines != dialect.skip:
        raise Restart("a title record spans lines")  # pyarrow skips lines, not records
    if dialect.encoding == "utf-16":
        raise Restart("utf-16 is cut by the csv module")  # a newline byte is half a character
    names = [f"c{i}" for i in range(width)]
    parse = pa_csv.ParseOptions(
        delimiter=dialect.delimiter, newlines_in_values=True, ignore_empty_lines=False
    )
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    encoding = "utf8" if dialect.encoding in ("utf-8", "utf-8-sig") else dialect.encoding

    def record_batches() -> Iterator[pa.RecordBatch]:
        with open(path, "rb") as f:
            for i, chunk in enumerate(record_chunks(f, CSV_BLOCK_BYTES)):
                read = pa_csv.ReadOptions(
                    encoding=encoding,
                    block_size=CSV_PARSE_BLOCK_BYTES,
                    column_names=names,
                    use_threads=True,
                    skip_rows=dialect.skip_lines if i == 0 else 0,
                )
                try:
                    table = pa_csv.read_csv(
                        pa.py_buffer(chunk), read_options=read, parse_options=parse, convert_options=convert
                    )
                except pa.ArrowInvalid as exc:
                    raise _restart_for(exc) from exc
                del chunk
                yield from table.to_batches()

    stream = record_batches()
    first = next(stream, None)
    if first is None:
        return [], iter(())
    header = [first.column(i)[0].as_py() for i in range(width)] if first.num_rows else []

    def batches() -> Iterator[RawBatch]:
        next_row = 2 + dialect.skip
        for batch in chain([first.slice(1)], stream):
            n = batch.num_rows
            if n:
                rows = row_numbers(next_row, n)
                next_row += n
                yield RawBatch(columns=list(batch.columns), rows=rows)

    return header, batches()


def record_chunks(f: Any, size: int) -> Iterator[bytes]:
    """The bytes of the binary file ``f`` in pieces of about ``size`` bytes, each ending at
    the end of a record: a newline with an even number of quote characters before it in the
    piece (a newline inside a quoted cell has an odd number: an escaped quote ``""`` counts
    twice and changes nothing). A record longer than ``size`` makes a longer piece."""
    rest = b""
    while True:
        block = f.read(size)
        if not block:
            if rest:
                yield rest
            return
        data = rest + block if rest else block
        cut = _record_end(data)
        if cut is None:
            rest = data
            continue
        yield data[:cut]
        rest = data[cut:]


def _record_end(data: bytes, tries: int = 64) -> int | None:
    """Where the last whole record of ``data`` ends (after its newline), or None."""
    quotes = data.count(b'"')
    pos = len(data)
    for _ in range(tries):
        pos = data.rfind(b"\n", 0, pos)
        if pos < 0:
            return None
        if (quotes - data.count(b'"', pos)) % 2 == 0:
            return pos + 1
    return None


def _restart_for(exc: Exception) -> Exception:
    text = str(exc)
    if "UTF8" in text or "UTF-8" in text or "utf8" in text:
        return EncodingRestart(text)
    return Restart(text)


def csv_batches_slow(path: str, dialect: CsvDialect) -> tuple[list[str], Iterator[RawBatch]]:
    """Python's csv module, for files with rows of the wrong length. Short rows get null
    (absent) cells; longer rows are cut to the header and listed in ``extra``."""
    f = open(path, encoding=dialect.encoding, newline="")  # noqa: SIM115 - closed by the generator
    reader = csv.reader(f, delimiter=dialect.delimiter)
    try:
        _skip_titles(reader, dialect)
        header = next(reader, [])
    except UnicodeDecodeError as exc:
        f.close()
        raise EncodingRestart(str(exc)) from exc
    width = len(header)
    per_batch = batch_rows(width, SLOW_BATCH_ROWS)

    def batches() -> Iterator[RawBatch]:
        try:
            row_number = 1 + dialect.skip
            cols: list[list[str | None]] = [[] for _ in range(width)]
            rows: list[int] = []
            extra: list[tuple[int, int]] = []
            try:
                for record in reader:
                    row_number += 1
                    n = len(record)
                    if n > width:
                        extra.append((row_number, n))
                    for i in range(width):
                        cols[i].append(record[i] if i < n else None)
                    rows.append(row_number)
                    if len(rows) >= per_batch:
                        yield _raw(cols, rows, extra)
                        cols, rows, extra = [[] for _ in range(width)], [], []
            except UnicodeDecodeError as exc:
                raise EncodingRestart(str(exc)) from exc
            if rows:
                yield _raw(cols, rows, extra)
        finally:
            f.close()

    return header, batches()


def _raw(cols: list[list[str | None]], rows: list[int], extra: list[tuple[int, int]]) -> RawBatch:
    return RawBatch(
        columns=[pa.array(c, pa.string()) for c in cols],
        rows=pa.array(rows, pa.int64()),
        extra=list(extra),
    )


# XLSX -----------------------------------------------------------------------------------


def _int_text(value: float) -> str:
    return str(int(value))


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def cell_text(value: Any) -> str:
    """A native spreadsheet value as the text a person reads (``2021.0`` -> ``"2021"``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


Converter = Callable[[Any], "tuple[str, bool]"]


def xlsx_converter(field: dict[str, Any] | None) -> Converter:
    """How a native cell becomes text for a field of this type, and whether its native type
    already rules it out, mirroring frictionless's readers: a boolean is never a number, a
    date never an integer, a number never a boolean or a date. (Numbers and dates in a
    *string* field are taken as their text, where frictionless reports a type error.)"""
    ftype = (field or {}).get("type", "string")

    if ftype in ("integer", "year"):

        def conv(v: Any) -> tuple[str, bool]:
            if isinstance(v, str):
                return v, False
            if isinstance(v, bool):
                return cell_text(v), True
            if isinstance(v, (int, float)):
                if float(v).is_integer():
                    if ftype == "year" and 0 <= v <= 9999:
                        return f"{int(v):04d}", False
                    return _int_text(v), False
                return repr(v), True
            return cell_text(v), v is not None

        return conv
    if ftype == "number":

        def conv(v: Any) -> tuple[str, bool]:
            if isinstance(v, str):
                return v, False
            if isinstance(v, bool):
                return cell_text(v), True
            if isinstance(v, (int, float)):
                return _float_text(float(v)), False
            return cell_text(v), v is not None

        return conv
    if ftype == "boolean":
        true_text = (field.get("trueValues") or ["true"])[0]
        false_text = (field.get("falseValues") or ["false"])[0]

        def conv(v: Any) -> tuple[str, bool]:
            if isinstance(v, str):
                return v, False
            if isinstance(v, bool):
                return (true_text if v else false_text), False
            return cell_text(v), v is not None

        return conv
    if ftype == "date":

        def conv(v: Any) -> tuple[str, bool]:
            if isinstance(v, str):
                return v, False
            if isinstance(v, dt.datetime):
                return cell_text(v), v.time() != dt.time(0, 0)
            if isinstance(v, dt.date):
                return v.isoformat(), False
            return cell_text(v), v is not None

        return conv

    def conv(v: Any) -> tuple[str, bool]:
        return cell_text(v), False

    return conv


@dataclass
class XlsxSheet:
    """One visible, non-empty sheet: its name, header labels and the row number of the
    header (the first non-empty row below any title rows); ``rows`` yields the data rows as
    native values."""

    name: str
    header: list[str]
    header_row: int
    rows: Iterator[list[Any]]
    below: list[str] = field(default_factory=list)  # the row under the header, as text, every cell

    def batches(self, fields: Sequence[dict[str, Any] | None]) -> Iterator[RawBatch]:
        """The data rows in batches; ``fields[i]`` is the schema field of header position
        ``i`` (None for a column outside the schema), which decides how its cells read."""
        width = len(self.header)
        converters = [xlsx_converter(f) for f in fields]
        first = self.header_row + 1
        per_batch = batch_rows(width, XLSX_BATCH_ROWS)
        while buffer := list(islice(self.rows, per_batch)):
            yield _xlsx_batch(buffer, first, width, fields, converters)
            first += len(buffer)


def _column_text(values: Sequence[Any], ftype: str, conv: Converter) -> tuple[pa.Array, pa.Array | None]:
    """One column of native cells as text (and the cells whose type rules them out),
    vectorised for the usual cases: all text, all numbers (or empty), text mixed with
    numbers. Dates and booleans go cell by cell through ``conv``."""
    types = set(map(type, values))
    if types == {str}:
        return pa.array(values, pa.string()), None
    if types <= {str, float, int, type(None)}:
        if str in types:
            texts = pa.array([v if type(v) is str else None for v in values], pa.string())
            numbers = pa.array([None if type(v) is str else v for v in values], pa.float64())
            number_text, forced = _numbers_as_text(numbers, ftype)
            return pc.if_else(pc.is_valid(texts), texts, number_text), forced
        return _numbers_as_text(pa.array(values, pa.float64()), ftype)
    texts, flags = [], []
    for v in values:
        t, b = conv(v)
        texts.append(t)
        flags.append(b)
    return pa.array(texts, pa.string()), (pa.array(flags, pa.bool_()) if any(flags) else None)


def _numbers_as_text(x: pa.Array, ftype: str) -> tuple[pa.Array, pa.Array | None]:
    """Vectorised :func:`xlsx_converter` for a column of numbers."""
    forced = None
    if ftype in ("integer", "year"):
        integral = pc.fill_null(pc.and_(pc.equal(pc.floor(x), x), pc.less(pc.abs(x), 9.2e18)), False)
        ints = pc.cast(pc.if_else(integral, x, pa.scalar(None, pa.float64())), pa.int64())
        int_text = pc.cast(ints, pa.string())
        if ftype == "year":
            small = pc.fill_null(pc.and_(pc.greater_equal(ints, 0), pc.less_equal(ints, 9999)), False)
            int_text = pc.if_else(small, pc.utf8_lpad(int_text, 4, "0"), int_text)
        text = pc.if_else(integral, int_text, pc.cast(x, pa.string()))
        bad = pc.and_(pc.is_valid(x), pc.invert(integral))
        forced = bad if pc.any(bad).as_py() else None
    else:
        text = pc.cast(x, pa.string())
        if ftype in ("boolean", "date"):
            bad = pc.is_valid(x)
            forced = bad if pc.any(bad).as_py() else None
    return pc.fill_null(text, ""), forced


def _xlsx_batch(
    rows: list[list[Any]],
    first: int,
    width: int,
    fields: Sequence[dict[str, Any] | None],
    converters: Sequence[Converter],
) -> RawBatch:
    n = len(rows)
    if len(set(map(len, rows))) == 1:
        cols = list(zip(*rows, strict=True))
    else:
        size = max(map(len, rows))
        cols = list(zip(*(list(r) + [None] * (size - len(r)) for r in rows), strict=True))
    extra = []
    if len(cols) > width:
        for offset in range(n):
            cells = [c[offset] for c in cols[width:]]
            if any(c not in (None, "") for c in cells):
                last = max(i + 1 for i, c in enumerate(cells) if c not in (None, ""))
                extra.append((first + offset, width + last))
    columns: list[pa.Array] = []
    forced: list[pa.Array | None] = []
    for i in range(width):
        values = cols[i] if i < len(cols) else ("",) * n
        text, bad = _column_text(values, (fields[i] or {}).get("type", "string"), converters[i])
        columns.append(text)
        forced.append(bad)
    return RawBatch(columns=columns, rows=row_numbers(first, n), forced=forced, extra=extra)


def xlsx_sheets(path: str, only: Sequence[str] | None = None) -> Iterator[XlsxSheet]:
    """The workbook's visible worksheets in order (or only those named in ``only``).
    Empty sheets are skipped. Each sheet is parsed when reached, so one sheet at a time is in
    memory."""

    workbook = CalamineWorkbook.from_path(path)
    try:
        visible = {
            m.name
            for m in workbook.sheets_metadata
            if "Visible" in str(m.visible) and "Work" in str(m.typ) and "Hidden" not in str(m.visible)
        }
        for name in workbook.sheet_names:
            if (name not in only) if only is not None else (name not in visible):
                continue
            sheet = workbook.get_sheet_by_name(name)
            start = sheet.start
            if start is None or not sheet.height:
                continue
            rows = iter(sheet.iter_rows())
            top = list(islice(rows, TITLE_SCAN_ROWS))
            skip = title_rows(top)
            rows = chain(iter(top[skip + 1 :]), rows)
            header_cells = top[skip] if len(top) > skip else None
            if header_cells is None:
                continue
            header = [cell_text(c).strip() if not isinstance(c, str) else c for c in header_cells]
            while header and header[-1] == "":
                header.pop()
            if not header:
                continue
            below = [cell_text(c).strip() for c in top[skip + 1]] if len(top) > skip + 1 else []
            yield XlsxSheet(name=name, header=header, header_row=start[0] + 1 + skip, rows=rows, below=below)
            del sheet, rows
    finally:
        close = getattr(workbook, "close", None)
        if close is not None:
            close()
