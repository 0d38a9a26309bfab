"""Reading tabular files (CSV, XLSX) for previews and charts, and finding yearly series in them.

Pure functions of local files: :mod:`resource_files` brings the file, :mod:`portal` caches
the results for the pages.

* :func:`read_table` reads the first rows of a CSV (the encoding, the delimiter and the title
  rows above the header are sniffed by the validator's own rule, :func:`.readers.sniff_csv`:
  UTF-8 with or without BOM, UTF-16, else Latin-1; ``,`` ``;`` tab or ``|``) or of the first
  sheet of a spreadsheet (XLSX, XLS, ODS, with python-calamine), below its title rows. A file that is not
  a readable table raises :class:`TableError`, never anything else.
* :func:`yearly_series` finds a year column (``tahun``, ``year``...) and the numeric columns,
  and returns the lines to draw over the years: the city-level row when the table has one,
  the rows' total for additive measures, one line per region otherwise.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ckanext.satudata_balikpapan.quality.engine import readers
from ckanext.satudata_balikpapan.quality.engine.limits import LimitExceeded, Limits, measure
from ckanext.satudata_balikpapan.registry import vocabularies

CSV_FORMATS = {"csv", "tsv", "txt", "text/csv", "text/tab-separated-values"}
SHEET_FORMATS = {"xlsx", "xls", "xlsm", "ods", "excel"}
SNIFF_BYTES = 64 * 1024
CSV_FIELD_LIMIT = 1024**2

# reasons of TableError
EMPTY, UNREADABLE, UNSUPPORTED, TOO_LARGE = "empty", "unreadable", "unsupported", "too_large"


class TableError(Exception):
    """The file is not a table this module can read; ``reason``: ``empty``, ``unreadable``,
    ``unsupported`` or ``too_large`` (beyond a reading bound)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Table:
    """A table read from a file: its header, rows of cell texts (padded to the header's
    width) and whether more rows were left unread."""

    columns: list[str]
    rows: list[list[str]]
    truncated: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    decimal_comma: bool = False
    values: list[list[Any]] = field(default_factory=list, repr=False)  # typed cells (sheets)


def table_format(resource: dict[str, Any]) -> str | None:
    """``"csv"``, ``"sheet"`` or None: how the resource's file would be read, from its format,
    else the extension of its URL."""
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    if not fmt:
        path = (resource.get("url") or "").split("?", 1)[0].lower()
        fmt = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    if fmt in CSV_FORMATS:
        return "csv"
    if fmt in SHEET_FORMATS or fmt.endswith("spreadsheetml.sheet") or fmt == "application/vnd.ms-excel":
        return "sheet"
    return None


def read_table(
    path: Path | str, kind: str, max_rows: int | None = None, limits: Limits | None = None
) -> Table:
    """The first ``max_rows`` data rows (all when None) of the file at ``path``, read as
    ``kind`` (``"csv"`` or ``"sheet"``). Raises :class:`TableError`.

    The file is first measured against ``limits`` (the quality checks' bounds,
    :mod:`~ckanext.satudata_balikpapan.quality.engine.limits`): a preview or a chart reads a
    file as the checks do, and a file the checks refuse is ``too_large`` here too."""
    if kind in ("csv", "sheet"):
        try:
            measure(str(path), "csv" if kind == "csv" else "xlsx", limits or Limits())
        except LimitExceeded as error:
            reason = UNREADABLE if error.limit == "structure" else TOO_LARGE
            raise TableError(reason, str(error)) from error
        except Exception as error:  # a broken archive (BadZipFile, zlib), an unreadable file
            raise TableError(UNREADABLE, f"{type(error).__name__}: {error}") from error
    if kind == "csv":
        return read_csv(path, max_rows)
    if kind == "sheet":
        return read_sheet(path, max_rows)
    raise TableError(UNSUPPORTED, kind)


# --- CSV ---------------------------------------------------------------------------------------


NUMBER_DOT = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?$")
NUMBER_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+(,\d+)?$")


def parse_number(text: Any, decimal_comma: bool = False) -> float | None:
    """A number from a cell: ``1234``, ``1,234.5`` or, with ``decimal_comma``, ``1.234,5``
    (also ``12,5%``); None when the cell is not a number."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    value = str(text or "").strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if not value:
        return None
    if decimal_comma and NUMBER_COMMA.match(value):
        return float(value.replace(".", "").replace(",", "."))
    if not decimal_comma and NUMBER_DOT.match(value):
        return float(value.replace(",", ""))
    return None


def _decimal_comma(delimiter: str, rows: list[list[str]]) -> bool:
    """Whether numbers are written with a decimal comma: never in comma-separated files, and
    in others when a cell looks like ``12,5`` or ``1.234,5``."""
    if delimiter == ",":
        return False
    comma = re.compile(r"^-?(\d+|\d{1,3}(\.\d{3})+),\d+%?$")
    return any(comma.match(c.strip()) for row in rows[:200] for c in row)


def read_csv(path: Path | str, max_rows: int | None = None) -> Table:
    """Read a delimited text file (see :func:`read_table`) as the validator reads it: the same
    encoding, delimiter and title rows above the header (:func:`.readers.sniff_csv`), so a
    preview and the checks never read one file two ways."""
    path = Path(path)
    with path.open("rb") as raw:
        sample = raw.read(SNIFF_BYTES)
    if not sample.strip():
        raise TableError(EMPTY)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError(UNREADABLE, "binary content")
    try:
        dialect = readers.sniff_csv(str(path))
    except (OSError, UnicodeError, csv.Error) as error:
        raise TableError(UNREADABLE, str(error)) from error
    encoding, delimiter = dialect.encoding, dialect.delimiter
    csv.field_size_limit(CSV_FIELD_LIMIT)
    header: list[str] | None = None
    rows: list[list[str]] = []
    truncated = False
    try:
        with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            for _ in range(dialect.skip):  # the title rows above the header
                next(reader, None)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    header = [cell.strip() for cell in row]
                    continue
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(row)
    except (csv.Error, UnicodeError, LookupError) as error:
        raise TableError(UNREADABLE, str(error)) from error
    if header is None:
        raise TableError(EMPTY)
    if "\x00" in "".join(header):
        raise TableError(UNREADABLE, "binary content")
    width = max([len(header), *(len(r) for r in rows)])
    columns = _names(header, width)
    padded = [[c.strip() for c in r] + [""] * (width - len(r)) for r in rows]
    return Table(columns, padded, truncated, encoding, delimiter, _decimal_comma(delimiter, padded))


def _names(header: list[str], width: int) -> list[str]:
    names = [h or f"kolom_{i + 1}" for i, h in enumerate(header)]
    return names + [f"kolom_{i + 1}" for i in range(len(names), width)]


# --- spreadsheets ------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def read_sheet(path: Path | str, max_rows: int | None = None) -> Table:
    """Read the first sheet of a spreadsheet (see :func:`read_table`)."""
    path = Path(path)
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            if not workbook.sheet_names:
                raise TableError(EMPTY)
            sheet = workbook.get_sheet_by_index(0)
            limit = None if max_rows is None else max_rows + 2 + readers.TITLE_SCAN_ROWS
            data = sheet.to_python(skip_empty_area=True, nrows=limit)
    except TableError:
        raise
    except Exception as error:  # calamine raises its own errors, and others on broken files
        raise TableError(UNREADABLE, f"{type(error).__name__}: {error}") from error
    data = data[readers.title_rows(data) :]  # title rows above the header, as the validator skips them
    data = [row for row in data if any(_cell_text(c) for c in row)]
    if not data:
        raise TableError(EMPTY)
    header, body = [_cell_text(c) for c in data[0]], data[1:]
    truncated = max_rows is not None and len(body) > max_rows
    if max_rows is not None:
        body = body[:max_rows]
    width = max([len(header), *(len(r) for r in body)])
    columns = _names(header, width)
    values = [list(r) + [None] * (width - len(r)) for r in body]
    rows = [[_cell_text(c) for c in r] for r in values]
    return Table(columns, rows, truncated, values=values)


# --- yearly series -----------------------------------------------------------------------------

YEAR_NAMES = re.compile(r"^(tahun|thn|year|periode|period)(_.*)?$", re.IGNORECASE)
CODE_NAMES = re.compile(r"^(kode|kd|id|no|nomor|code)(_.*)?$|_(kode|id)$", re.IGNORECASE)
TOTAL_LABELS = {"total", "jumlah", "kota balikpapan", "balikpapan", "kota"}
ADDITIVE = {"jumlah", "luas", "volume", "massa", "produksi", "nilai", "panjang"}


@dataclass
class Series:
    """Lines over the years: ``lines`` name -> [(year, value)], and how they were made:
    ``row`` (the table's one row per year), ``city`` (its city-level row), ``sum`` (the total
    of its rows) or ``regions`` (one line per region, of ``column``)."""

    lines: dict[str, list[tuple[int, float]]]
    mode: str
    column: str | None = None


def _year(value: Any) -> int | None:
    number = parse_number(value)
    if number is None or not number.is_integer() or not 1900 <= number <= 2100:
        text = str(value or "").strip()
        return int(text[:4]) if re.match(r"^(19|20)\d\d([-/].*)?$", text) else None
    return int(number)


def _typed(table: Table, r: int, c: int) -> Any:
    if table.values:
        return table.values[r][c]
    return table.rows[r][c]


def additive(ukuran: str | None) -> bool:
    """Whether figures of the measure ``ukuran`` add up across regions (counts, areas,
    values), unlike percentages, ratios, averages and indexes."""
    return (ukuran or "") in ADDITIVE


def yearly_series(
    tables: list[Table], *, additive: bool, max_lines: int = 6, max_regions: int = 8
) -> Series | None:
    """The lines to draw over the years from one or more tables of the same shape (one file
    per year, say), or None when they hold no yearly numbers (under two years, no year column,
    no numeric column, too many regions for a non-additive measure)."""
    columns: list[str] = []
    for table in tables:
        columns += [c for c in table.columns if c not in columns]
    year_col = next((c for c in columns if YEAR_NAMES.match(c.strip())), None)
    if year_col is None:
        return None
    records: list[dict[str, Any]] = []
    decimal_comma = any(t.decimal_comma for t in tables)
    for table in tables:
        index = {c: i for i, c in enumerate(table.columns)}
        if year_col not in index:
            continue
        for r in range(len(table.rows)):
            year = _year(_typed(table, r, index[year_col]))
            if year is None:
                continue
            record = {c: _typed(table, r, i) for c, i in index.items()}
            record[year_col] = year
            records.append(record)
    years = sorted({r[year_col] for r in records})
    if len(years) < 2:
        return None

    def numeric(col: str) -> bool:
        if col == year_col or CODE_NAMES.search(col.strip()):
            return False
        cells = [r.get(col) for r in records if str(r.get(col) if r.get(col) is not None else "").strip()]
        parsed = [parse_number(c, decimal_comma) for c in cells]
        return bool(cells) and sum(p is not None for p in parsed) >= 0.8 * len(cells)

    numbers = [c for c in columns if numeric(c)]
    if not numbers:
        return None
    labels = [c for c in columns if c != year_col and c not in numbers]
    names = [c for c in labels if not CODE_NAMES.search(c.strip())] or labels

    def label_of(record: dict[str, Any]) -> str:
        return " ".join(str(record.get(c) or "").strip() for c in names).strip()

    def value(record: dict[str, Any], col: str) -> float | None:
        return parse_number(record.get(col), decimal_comma)

    by_year: OrderedDict[int, list[dict[str, Any]]] = OrderedDict((y, []) for y in years)
    for record in records:
        by_year[record[year_col]].append(record)

    def is_city(record: dict[str, Any]) -> bool:
        cells = [str(record.get(c) or "").strip() for c in labels]
        return vocabularies.KOTA_CODE in cells or any(c.lower() in TOTAL_LABELS for c in cells)

    shown = numbers[:max_lines]
    if all(len(rows) == 1 for rows in by_year.values()):
        mode, picked = "row", {y: rows[0] for y, rows in by_year.items()}
    elif all(any(is_city(r) for r in rows) for rows in by_year.values()):
        mode, picked = "city", {y: next(r for r in rows if is_city(r)) for y, rows in by_year.items()}
    else:
        picked = {}
        mode = "sum" if additive else "regions"
    if picked:
        lines = {c: [(y, v) for y, r in picked.items() if (v := value(r, c)) is not None] for c in shown}
        return Series({k: v for k, v in lines.items() if v}, mode)
    if mode == "sum":
        lines = {}
        for col in shown:
            points = []
            for y, rows in by_year.items():
                vals = [v for r in rows if (v := value(r, col)) is not None]
                if vals:
                    points.append((y, sum(vals)))
            if points:
                lines[col] = points
        return Series(lines, "sum")
    regions = list(OrderedDict.fromkeys(label_of(r) for r in records if label_of(r)))
    if not regions or len(regions) > max_regions:
        return None
    col = numbers[0]
    lines = {}
    for region in regions:
        points = [
            (y, v) for y, rows in by_year.items() for r in rows
            if label_of(r) == region and (v := value(r, col)) is not None
        ]  # fmt: skip
        if points:
            lines[region] = points
    return Series(lines, "regions", col)


def column_label(name: str) -> str:
    """A column name as a readable label: ``laki_laki`` -> ``Laki laki``."""
    text = re.sub(r"[_\s]+", " ", name).strip()
    return text[:1].upper() + text[1:]
