"""The validation engine: a CSV or XLSX file against its Table Schema, streamed.

:func:`validate` reads the file in batches (pyarrow's streaming CSV reader; calamine sheet by
sheet for XLSX) and runs vectorised checks on each batch: type casting, ``required``,
``minimum``/``maximum``/``enum``/``pattern``/length constraints, region code membership,
total columns, units. Key-based checks keep only what they inherently need: one 64-bit hash
and one row number per row (12 bytes a row; a keyed table also keeps its whole rows' hashes,
20 bytes a row) for ``duplicate_key``/``duplicate_row``, and the
bounded :mod:`profile <ckanext.satudata_balikpapan.quality.profile>` (at most 5,000 rows of
figures) for the period checks. Everything else is freed batch by batch, so memory does not
grow with the file beyond those 12 bytes a row.

Agreement with frictionless (what ckanext-validation runs) on the checks both perform -
``type_error`` = frictionless ``type-error``; ``constraint_error`` = ``constraint-error``
other than ``required``; ``missing_value`` = ``constraint-error`` on ``required`` or
``missing-cell`` - is tested on a corpus of broken files. Deliberate differences:

* columns are matched to fields by header name, not position;
* a number or date in an XLSX *string* column is read as its text (frictionless reports a
  type error for any non-text cell there);
* digits are ASCII only (Python's ``int()`` also accepts other scripts' digits);
* integers of more than 18 digits are accepted as integers but not compared with limits;
* blank rows are skipped silently (frictionless reports ``blank-row``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ckanext.satudata_balikpapan.quality.engine import personal, readers, tableschema
from ckanext.satudata_balikpapan.quality.engine import profile as profiles
from ckanext.satudata_balikpapan.quality.engine.findings import (
    ERROR,
    WARNING,
    Finding,
    json_safe,
    severity,
)
from ckanext.satudata_balikpapan.quality.engine.limits import LimitExceeded, Limits, check_deadline, measure
from ckanext.satudata_balikpapan.quality.engine.periods import (
    column_period,
    parse_period,
    period_sort_key,
    stale_check,
)
from ckanext.satudata_balikpapan.quality.engine.profile import (
    check_copied,
    check_extreme,
    check_total_mismatch,
)
from ckanext.satudata_balikpapan.registry import vocabularies

__all__ = [
    "Report",
    "ValidationContext",
    "check_copied",
    "check_extreme",
    "check_total_mismatch",
    "same_unit",
    "stale_check",
    "validate",
]

INT_RE = r"^[+-]?[0-9]+(_[0-9]+)*$"
NUM_RE = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
SPECIAL_RE = r"(?i)^[+-]?(nan|snan|inf|infinity)$"
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
NULL_STR = pa.scalar(None, pa.string())
MAX_NOTES = 50  # note lines kept per file
NOTE_CHARS = 300  # of each
HASH_SEED = 0x6471


@dataclass
class ValidationContext:
    """What the checks need to know beyond the file and its schema.

    * ``satuan``: the dataset's unit (a ``satuan`` vocabulary slug such as ``jiwa``, or free
      text), for ``unit_mismatch``; None skips that check.
    * ``region_codes``: the valid Kemendagri codes; None means every Balikpapan region of
      ``vocabularies.regions()`` (64.71, its 6 kecamatan and 34 kelurahan).
    * ``previous``: profiles (:attr:`Report.profile`) of the dataset's earlier resources,
      by resource label, for ``copied_previous_period`` and ``extreme_change``.
    * ``known_hashes``: ``{sha256: resource label}`` of other resources (of any dataset,
      this resource excluded), for ``identical_file``; a value may instead be
      ``{"other": labels that may be shown, "unpublished": how many more there are}``.
    * ``frekuensi`` (a frekuensi slug or MS-Keg code), ``last_period`` (default: the latest
      period of this file and ``previous``) and ``today`` (default: the current date), for
      ``stale``.
    * ``period``: the period of a file that has no period column (e.g. the resource's
      tahun); a workbook's sheets named like periods (``2023``) give their own.
    * ``extreme_change_factor``: a value more than this many times, or less than its
      inverse, of the previous period's is an ``extreme_change`` (default 10).
    * ``copied_share``, ``copied_min_cells``: a period equal to an earlier one in at least
      this share of at least this many cells is ``copied_previous_period`` (0.95, 4: an
      honest stable series keeps about 90 % of its cells; docs/quality.md).
    * ``max_findings``: findings kept per code (all are counted in :attr:`Report.counts`).
    * ``sha256``: the file's SHA-256 when the caller has already computed it
      (:func:`file_sha256`), so the file is not read once more for it.
    * ``sink``: called with each batch of rows as typed by the schema (an Arrow table with
      every schema field in order: integers and years int64, numbers float64, dates date32,
      booleans bool, strings text; a missing or unreadable cell is null), so that a loader
      takes the rows from this one reading of the file instead of parsing it again.
    """

    satuan: str | None = None
    region_codes: Collection[str] | None = None
    previous: Mapping[str, dict] = field(default_factory=dict)
    known_hashes: Mapping[str, str | Mapping[str, Any]] = field(default_factory=dict)
    frekuensi: str | None = None
    last_period: str | None = None
    today: dt.date | None = None
    period: str | None = None
    extreme_change_factor: float = 10.0
    copied_share: float = 0.95
    copied_min_cells: int = 4
    max_findings: int = 100
    sha256: str | None = None
    sink: Callable[[pa.Table], None] | None = None


# Days from 0001-01-01 (Python's date ordinal 1) to 1970-01-01 (Arrow's date32 zero).
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass
class Report:
    """The outcome of :func:`validate`.

    ``findings`` (at most ``max_findings`` per code, in file order), ``counts`` (every
    occurrence per code, also past that cap), ``rows`` (data rows checked, blank rows
    excluded), ``blank_rows``, ``notes`` (the note lines below a table, read as catatan and
    not as data: ``row``, ``sheet``, ``text``), ``checks`` (which checks ran and which could
    not, and why; the roles given a plain Table Schema by its field names), ``sha256`` of
    the file's bytes, ``sheets`` validated (XLSX),
    ``encoding`` and ``delimiter`` (CSV), and ``profile``: the bounded per-period summary
    that later resources are compared with (see :mod:`..quality.profile`).
    """

    findings: list[Finding]
    counts: dict[str, int]
    rows: int
    sha256: str
    profile: dict[str, Any]
    fmt: str
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    blank_rows: int = 0
    notes: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when nothing that blocks publication was found (warnings allowed)."""
        return not self.error_count

    @property
    def error_count(self) -> int:
        return sum(n for code, n in self.counts.items() if severity(code) == ERROR)

    @property
    def warning_count(self) -> int:
        return sum(n for code, n in self.counts.items() if severity(code) == WARNING)

    @property
    def truncated(self) -> bool:
        """Whether some code has more occurrences than findings kept."""
        kept = Counter(f.code for f in self.findings)
        return any(n > kept[code] for code, n in self.counts.items())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of the report (findings with both languages' messages)."""
        return json_safe(
            {
                "valid": self.valid,
                "errors": self.error_count,
                "warnings": self.warning_count,
                "counts": dict(self.counts),
                "rows": self.rows,
                "blank_rows": self.blank_rows,
                "notes": self.notes,
                "checks": self.checks,
                "sha256": self.sha256,
                "format": self.fmt,
                "sheets": self.sheets,
                "encoding": self.encoding,
                "delimiter": self.delimiter,
                "truncated": self.truncated,
                "findings": [f.to_dict() for f in self.findings],
                "profile": self.profile,
            }
        )


# Units ---------------------------------------------------------------------------------


def _unit_key(text: str) -> str:
    t = (text or "").strip().lower().replace("²", "2").replace("³", "3")
    return re.sub(r"[\s.]+", "", t)


@lru_cache(maxsize=1)
def _unit_aliases() -> dict[str, str]:

    aliases: dict[str, str] = {}
    for term in vocabularies.vocabulary("satuan"):
        for name in (term.code, *term.label.values(), term.get("symbol") or ""):
            if name:
                aliases.setdefault(_unit_key(name), term.code)
    aliases.update({"km2": aliases.get("km2", "km2"), "ha": aliases.get("hektar", "hektar"), "pct": "persen"})
    return aliases


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two unit names mean the same ``satuan`` (slug, Indonesian or English label,
    or symbol; case, spaces and ``²`` ignored)."""
    if not a or not b:
        return True
    aliases = _unit_aliases()
    ka, kb = _unit_key(a), _unit_key(b)
    return aliases.get(ka, ka) == aliases.get(kb, kb)


# Fields --------------------------------------------------------------------------------


class _Field:
    """A schema field compiled for vectorised checks."""

    def __init__(self, desc: dict[str, Any], schema_missing: list[str], order: int):
        self.desc = desc
        self.name: str = desc["name"]
        self.type: str = desc.get("type", "string")
        self.order = order
        self.role: str | None = desc.get("satudata:role")
        self.unit: str | None = desc.get("satudata:unit")
        c = desc.get("constraints") or {}
        self.required = bool(c.get("required"))
        missing = desc.get("missingValues", schema_missing)
        self.missing = list(missing)
        self.missing_arr = pa.array(self.missing, pa.string())
        self.only_empty_missing = self.missing == [""]
        self.trues = list(desc.get("trueValues") or TRUE_VALUES)
        self.falses = list(desc.get("falseValues") or FALSE_VALUES)
        fmt = desc.get("format") or "default"
        self.date_format = "%Y-%m-%d" if fmt == "default" else fmt
        self.decimal_char = desc.get("decimalChar", ".")
        self.group_char = desc.get("groupChar", "")
        self.date_cache: dict[str, int | None] = {}
        self.limits: list[tuple[str, Any, Any]] = []  # (constraint, schema value, typed value)
        for name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if name in c:
                self.limits.append((name, c[name], tableschema.parse_limit(self.type, c[name], desc)))
        self.enum = None
        if "enum" in c:
            values = [tableschema.parse_limit(self.type, v, desc) for v in c["enum"]]
            self.enum = (c["enum"], pa.array(values, self.arrow_type()))
        self.pattern = c.get("pattern")
        self.pattern_python = None
        self.min_length = c.get("minLength")
        self.max_length = c.get("maxLength")

    def arrow_type(self) -> pa.DataType:
        return {
            "integer": pa.int64(),
            "year": pa.int64(),
            "number": pa.float64(),
            "date": pa.int64(),
            "boolean": pa.bool_(),
        }.get(self.type, pa.string())

    # parsing: (ok, value) over the text cells; ok false where the text is not of the type.
    # Numbers first try Arrow's own cast of the present cells (it accepts a subset of what
    # Python's int() and Decimal() accept), and fall back to the exact rules only when it
    # refuses some cell.

    def parse(self, col: pa.Array, present: pa.Array, all_present: bool) -> tuple[pa.Array | None, pa.Array]:
        t = self.type
        if t == "string":
            return None, col
        if t in ("integer", "number", "year") and self.group_char == "" and self.decimal_char == ".":
            candidate = col if all_present else pc.if_else(present, col, NULL_STR)
            if t == "year":
                len4 = pc.equal(pc.utf8_length(col), 4)
                candidate = pc.if_else(pc.and_(present, len4), col, NULL_STR)
            try:
                value = pc.cast(candidate, pa.float64() if t == "number" else pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
            else:
                ok = pc.is_valid(value)
                if t == "year":
                    ok = pc.and_(ok, pc.fill_null(pc.greater_equal(value, 0), False))
                    value = pc.if_else(ok, value, pa.scalar(None, pa.int64()))
                return ok, value
        if t == "integer":
            s = pc.utf8_trim_whitespace(col)
            ok = pc.match_substring_regex(s, INT_RE)
            return ok, _to_int(s, ok)
        if t == "number":
            return self._parse_number(col)
        if t == "year":
            s = pc.utf8_trim_whitespace(col)
            ok = pc.and_(pc.equal(pc.utf8_length(col), 4), pc.match_substring_regex(s, INT_RE))
            value = _to_int(s, ok)
            ok = pc.and_(ok, pc.fill_null(pc.greater_equal(value, 0), False))
            return ok, pc.if_else(ok, value, pa.scalar(None, pa.int64()))
        if t == "boolean":
            ok = pc.is_in(col, value_set=pa.array(self.trues + self.falses, pa.string()))
            return ok, pc.is_in(col, value_set=pa.array(self.trues, pa.string()))
        if t == "date":
            return self._parse_date(col)
        return None, col

    def _parse_number(self, col: pa.Array) -> tuple[pa.Array, pa.Array]:
        s = pc.utf8_trim_whitespace(col)
        bad = None
        if self.group_char:
            s = pc.replace_substring(s, self.group_char, "")
        if self.decimal_char != ".":
            bad = pc.match_substring(s, ".")
            s = pc.replace_substring(s, self.decimal_char, ".")
        if pc.any(pc.match_substring(s, "_")).as_py():
            s = pc.replace_substring(s, "_", "")
        ok = pc.match_substring_regex(s, NUM_RE)
        if not pc.all(pc.fill_null(ok, True)).as_py():
            special = pc.match_substring_regex(s, SPECIAL_RE)
            if pc.any(special).as_py():
                ok = pc.or_(ok, special)
                s = pc.replace_substring_regex(s, "(?i)snan", "nan")
        if bad is not None:
            ok = pc.and_(ok, pc.invert(bad))
        value = pc.cast(pc.if_else(ok, s, NULL_STR), pa.float64())
        return ok, value

    def _parse_date(self, col: pa.Array) -> tuple[pa.Array, pa.Array]:
        uniques = pc.unique(col)
        parsed = []
        for text in uniques.to_pylist():
            if text is None:
                parsed.append(None)
                continue
            if text not in self.date_cache:
                if len(self.date_cache) > 100_000:
                    self.date_cache.clear()
                try:
                    self.date_cache[text] = dt.datetime.strptime(text, self.date_format).date().toordinal()
                except (ValueError, TypeError):
                    self.date_cache[text] = None
            parsed.append(self.date_cache[text])
        value = pa.array(parsed, pa.int64()).take(pc.index_in(col, value_set=uniques))
        return pc.is_valid(value), value

    def pattern_violations(self, col: pa.Array, present: pa.Array) -> pa.Array:
        if self.pattern_python is None:
            try:
                mask = pc.invert(pc.match_substring_regex(col, f"^(?:{self.pattern})$"))
                return pc.and_(present, mask)
            except pa.ArrowInvalid:
                self.pattern_python = re.compile(f"^{self.pattern}$")
        uniques = pc.unique(col)
        bad = [u for u in uniques.to_pylist() if u is not None and not self.pattern_python.match(u)]
        return pc.and_(present, pc.is_in(col, value_set=pa.array(bad, pa.string())))


def _to_int(s: pa.Array, ok: pa.Array) -> pa.Array:
    if pc.any(pc.match_substring(s, "_")).as_py():
        s = pc.replace_substring(s, "_", "")
    if pc.any(pc.starts_with(s, "+")).as_py():
        s = pc.replace_substring_regex(s, r"^\+", "")
    castable = pc.and_(ok, pc.less_equal(pc.utf8_length(s), 18))
    return pc.cast(pc.if_else(castable, s, NULL_STR), pa.int64())


def _count(mask: pa.Array | None) -> int:
    if mask is None:
        return 0
    return int(pc.sum(mask).as_py() or 0)


def _and(a: pa.Array | None, b: pa.Array | None) -> pa.Array | None:
    if a is None:
        return b
    if b is None:
        return a
    return pc.and_(a, b)


def _py_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _decimals(col: pa.Array) -> int:
    s = pc.utf8_trim_whitespace(col)
    pos = pc.find_substring(s, ".")
    dec = pc.if_else(pc.greater_equal(pos, 0), pc.subtract(pc.subtract(pc.utf8_length(s), pos), 1), 0)
    return int(pc.max(dec).as_py() or 0)


# The run -------------------------------------------------------------------------------


class _Run:
    """The state of one validation: findings kept and counted, per-table key hashes, the
    profile being built."""

    def __init__(self, schema: dict[str, Any], context: ValidationContext):
        self.schema = schema
        self.context = context
        self.cap = max(1, int(context.max_findings))
        missing = list(schema.get("missingValues", tableschema.DEFAULT_MISSING))
        self.fields = [_Field(f, missing, i) for i, f in enumerate(schema["fields"])]
        self.by_name = {f.name: f for f in self.fields}
        self.pk = tableschema.primary_key(schema)
        codes = context.region_codes
        if codes is None:
            codes = vocabularies.regions().keys()
        self.region_set = pa.array(sorted(codes), pa.string())
        # names against codes: a region code and, in the same row, a region's name (a label)
        by_name = vocabularies.region_codes_by_name()
        regions = vocabularies.regions()
        self.region_keys = pa.array(
            [
                vocabularies.region_name_key(regions[c].name) if c in regions else None
                for c in self.region_set.to_pylist()
            ],
            pa.string(),
        )
        self.name_keys = pa.array(sorted(by_name), pa.string())
        self.name_codes = pa.array([by_name[k] for k in sorted(by_name)], pa.string())
        self.region_field = next((f for f in self.fields if f.role == "region"), None)
        self.name_fields = [f for f in self.fields if f.role == "label" and f.type == "string"]
        self.kept: dict[str, list[tuple[tuple, Finding]]] = {}
        self.counts: Counter[str] = Counter()
        self.rows = 0
        self.blank_rows = 0
        self.notes: list[dict[str, Any]] = []
        self.sheets: list[str] = []
        totals = schema.get("satudata:totals") or {}
        self.total_columns = [spec for spec in totals.get("columns", []) if spec["field"] in self.by_name]
        self.period_field = next((f.name for f in self.fields if f.role == "period"), None)
        key = [k for k in self.pk if k != self.period_field]
        if not self.pk:
            key = [f.name for f in self.fields if f.role == "region"][:1] or [
                f.name for f in self.fields if f.role == "label"
            ][:1]
        self.key_fields = key
        measures = [
            f.name
            for f in self.fields
            if f.type in tableschema.NUMERIC and f.role is None and f.name not in key
        ]
        # a wide table: its period columns are one measure, melted into the profile's periods
        self.period_columns = (
            tableschema.period_columns(schema, self.context_year(context))
            if self.period_field is None
            else {}
        )
        self.value_fields = (
            [profiles.WIDE_VALUE, *(m for m in measures if m not in self.period_columns)]
            if self.period_columns
            else measures
        )[: profiles.MAX_VALUE_FIELDS]
        rows_spec = totals.get("rows")
        self.label_totals = None
        if rows_spec and rows_spec.get("by") != "region":
            self.label_totals = (rows_spec["field"], {x.strip().lower() for x in rows_spec.get("labels", [])})
        self.decimal_fields = {
            name
            for name in (
                set([*self.value_fields, *self.period_columns] if rows_spec else [])
                | {spec["field"] for spec in self.total_columns}
                | {p for spec in self.total_columns for p in spec["parts"]}
            )
            if name in self.by_name and self.by_name[name].type == "number"
        }
        self.decimals: dict[str, int] = dict.fromkeys(self.decimal_fields, 0)
        if rows_spec and self.period_columns:
            wide_parts = [n for n in rows_spec.get("fields", []) if n not in self.period_columns]
            if len(wide_parts) < len(rows_spec.get("fields", [])):
                wide_parts.insert(0, profiles.WIDE_VALUE)
            rows_spec = {**rows_spec, "fields": wide_parts}
        self.profile = profiles.empty_profile(
            self.key_fields, self.value_fields, self.period_field, {"rows": rows_spec} if rows_spec else None
        )
        if self.period_columns:
            self.profile["period_columns"] = {p: name for name, p in self.period_columns.items()}
        self.entries = 0
        self.unit_bad: dict[str, bool] = {}
        self.table_no = -1

    @staticmethod
    def context_year(context: ValidationContext) -> int | None:
        """The year of the resource's period, which completes a sheet or column named by a
        month or semester alone (``Januari``)."""
        period = parse_period(context.period) if context.period else None
        return period.start.year if period else None

    def sheet_period(self, sheet: str | None) -> str | None:
        """The period a sheet's name gives (``2023``, ``Tahun 2023``, ``Semester I 2024``):
        a workbook with one sheet per period is compared sheet to sheet."""
        if sheet is None:
            return None
        if parse_period(sheet) is not None:
            return sheet.strip()
        return column_period(sheet, self.context_year(self.context))

    # findings

    def add(self, finding: Finding, pos: tuple) -> None:
        self.counts[finding.code] += 1
        self.kept.setdefault(finding.code, []).append((pos, finding))
        self._trim(finding.code)

    def _trim(self, code: str) -> None:
        kept = self.kept.get(code, [])
        if len(kept) > self.cap:
            kept.sort(key=lambda x: x[0])
            del kept[self.cap :]

    def emit(
        self,
        code: str,
        mask: pa.Array | None,
        *,
        column: _Field | None = None,
        values: pa.Array | None = None,
        details: dict[str, Any] | None = None,
        per_row: dict[str, pa.Array] | None = None,
    ) -> None:
        """Count the rows where ``mask`` is true, and keep findings for the first of them."""
        count = _count(mask)
        if not count:
            return
        self.counts[code] += count
        kept = self.kept.setdefault(code, [])
        if len(kept) >= self.cap:
            return
        idx = pc.indices_nonzero(pc.fill_null(mask, False))
        if len(idx) > self.cap:
            idx = idx.slice(0, self.cap)
        rows = self.batch_rows.take(idx).to_pylist()
        vals = values.take(idx).to_pylist() if values is not None else [None] * len(rows)
        extras = {k: a.take(idx).to_pylist() for k, a in (per_row or {}).items()}
        col_pos = column.order if column is not None else -1
        name = column.name if column is not None else None
        for n, (row, value) in enumerate(zip(rows, vals, strict=True)):
            d = dict(details or {})
            for k, arr in extras.items():
                d[k] = _py_number(arr[n])
            kept.append(
                (
                    (self.table_no, row, col_pos),
                    Finding.make(code, row=row, column=name, sheet=self.sheet, value=value, details=d),
                )
            )
        self._trim(code)

    # tables

    def start_table(
        self, header: list[str], sheet: str | None, header_row: int, below: list[str] | None = None
    ) -> list[_Field]:
        """Map the fields to header positions; report missing, extra, duplicate headers.
        ``below``: the whole row under the header when the reader knows it (a workbook's
        header loses its blank cells on the right), for :meth:`_merged_header`."""
        self.table_no += 1
        self.sheet = sheet
        if sheet is not None:
            self.sheets.append(sheet)
        self.header = header
        self.header_row = header_row
        pos_of: dict[str, int] = {}
        self.positions: dict[str, int] = {}
        self.blank_positions: list[int] = []
        where = (self.table_no, header_row, -1)
        for i, label in enumerate(header):
            if label is None or str(label).strip() == "":
                self.blank_positions.append(i)
            elif label in pos_of:
                self.add(
                    Finding.make(
                        "header_mismatch",
                        row=header_row,
                        column=label,
                        sheet=sheet,
                        details={"kind": "duplicate", "position": i + 1},
                    ),
                    where,
                )
            else:
                pos_of[label] = i
        loose = {tableschema.norm(label): i for label, i in reversed(list(pos_of.items()))}
        used = set()
        for f in self.fields:
            i = pos_of.get(f.name)
            if i is None:
                i = loose.get(tableschema.norm(f.name))
                if i is not None and header[i] in self.by_name:
                    i = None
            if i is None or i in used:
                self.add(
                    Finding.make(
                        "header_mismatch",
                        row=header_row,
                        column=f.name,
                        sheet=sheet,
                        details={"kind": "missing"},
                    ),
                    (self.table_no, header_row, f.order),
                )
                continue
            used.add(i)
            self.positions[f.name] = i
        for label, i in pos_of.items():
            if i not in used:
                self.add(
                    Finding.make(
                        "header_mismatch",
                        row=header_row,
                        column=label,
                        sheet=sheet,
                        details={"kind": "extra", "position": i + 1},
                    ),
                    (self.table_no, header_row, len(self.fields) + i),
                )
        self.blank_reported: set[int] = set()
        self.first_batch = True
        self.below = below
        self.unreadable = False  # a header on two rows: the table's rows are not read
        self.in_notes = False  # past the first note line below this table
        self.key_hashes: list[pa.Array] = []
        self.key_rows: list[pa.Array] = []
        self.row_hashes: list[pa.Array] = []  # keyed tables: the whole row's, for duplicate_row
        self.table_period = None
        if self.period_field is None:
            self.table_period = self.sheet_period(sheet) or self.context.period or ""
        return [f for f in self.fields if f.name in self.positions]

    def batch(self, raw: readers.RawBatch) -> None:
        if self.first_batch:
            self.first_batch = False
            self.unreadable = self._merged_header(raw)
        if self.unreadable:
            self._personal_data(raw, None)
            return
        present_fields = [f for f in self.fields if f.name in self.positions]
        cols = {f.name: raw.columns[self.positions[f.name]] for f in present_fields}
        forced = {}
        if raw.forced is not None:
            for f in present_fields:
                mask = raw.forced[self.positions[f.name]]
                if mask is not None:
                    forced[f.name] = mask
        misses: dict[str, pa.Array] = {}
        for f in present_fields:
            col = cols[f.name]
            miss = pc.equal(col, "") if f.only_empty_missing else pc.is_in(col, value_set=f.missing_arr)
            if col.null_count:
                miss = pc.fill_null(miss, True)
            misses[f.name] = miss
        rows = raw.rows
        blank = None
        for miss in misses.values():
            blank = miss if blank is None else pc.and_(blank, miss)
        n_blank = _count(blank) if present_fields else raw.num_rows
        extra = raw.extra
        others = [i for i in range(len(raw.columns)) if i not in set(self.positions.values())]
        self._personal_data(raw, blank)  # every cell, the notes and signature below included
        notes = self._notes(raw, blank, misses) if present_fields and n_blank < raw.num_rows else None
        if notes is not None:
            blank = pc.or_(blank, notes) if blank is not None else notes
        if n_blank or notes is not None:
            self.blank_rows += n_blank
            if _count(blank) == raw.num_rows:
                return
            keep = pc.invert(blank)
            cols = {k: pc.filter(v, keep) for k, v in cols.items()}
            misses = {k: pc.filter(v, keep) for k, v in misses.items()}
            forced = {k: pc.filter(v, keep) for k, v in forced.items()}
            rows = pc.filter(rows, keep)
            other_cols = {i: pc.filter(raw.columns[i], keep) for i in others}
            if extra:
                kept_rows = set(rows.to_pylist())
                extra = [e for e in extra if e[0] in kept_rows]
        else:
            other_cols = {i: raw.columns[i] for i in others}
        self.batch_rows = rows
        self.rows += len(rows)
        # rows longer than the header
        for row, n in extra:
            self.add(
                Finding.make(
                    "malformed_row",
                    row=row,
                    sheet=self.sheet,
                    details={"cells": n, "expected": len(self.header)},
                ),
                (self.table_no, row, -1),
            )
        # data under a blank header
        for i in self.blank_positions:
            if i in self.blank_reported or i not in other_cols:
                continue
            col = other_cols[i]
            has = pc.fill_null(pc.not_equal(col, ""), False)
            if _count(has):
                self.blank_reported.add(i)
                first = pc.indices_nonzero(has)[0].as_py()
                self.add(
                    Finding.make(
                        "header_mismatch",
                        row=self.header_row,
                        column=None,
                        sheet=self.sheet,
                        details={"kind": "blank", "position": i + 1, "first_row": rows[first].as_py()},
                    ),
                    (self.table_no, self.header_row, len(self.fields) + i),
                )
        typed: dict[str, pa.Array] = {}
        for f in present_fields:
            col, miss = cols[f.name], misses[f.name]
            present = pc.invert(miss)
            if col.null_count:
                absent = pc.is_null(col)
                self.emit("missing_value", absent, column=f, details={"reason": "missing_cell"})
                col = pc.fill_null(col, "")
                if f.required:
                    self.emit(
                        "missing_value",
                        pc.and_(miss, pc.invert(absent)),
                        column=f,
                        values=col,
                        details={"reason": "empty"},
                    )
            elif f.required:
                self.emit("missing_value", miss, column=f, values=col, details={"reason": "empty"})
            ok, value = f.parse(col, present, not _count(miss))
            if f.name in forced:
                ok = pc.invert(forced[f.name]) if ok is None else pc.and_(ok, pc.invert(forced[f.name]))
            if ok is not None:
                ok = pc.fill_null(ok, False)
                self.emit(
                    "type_error",
                    pc.and_(present, pc.invert(ok)),
                    column=f,
                    values=col,
                    details={"type": f.type},
                )
                valid = pc.and_(present, ok)
            else:
                valid = present
            value = pc.if_else(valid, value, pa.scalar(None, value.type))
            typed[f.name] = value
            self._constraints(f, col, value, valid)
            if f.role == "region":
                unknown = pc.and_(valid, pc.invert(pc.is_in(col, value_set=self.region_set)))
                if _count(unknown):  # spaces around a known code are forgiven
                    trimmed = pc.utf8_trim_whitespace(col)
                    unknown = pc.and_(unknown, pc.invert(pc.is_in(trimmed, value_set=self.region_set)))
                self.emit("invalid_region_code", unknown, column=f, values=col)
            elif f.role == "unit" and self.context.satuan:
                self._unit_rows(f, col, valid)
            if f.name in self.decimal_fields:
                self.decimals[f.name] = max(
                    self.decimals[f.name], _decimals(pc.if_else(valid, col, NULL_STR))
                )
        self._names_against_codes(cols)
        self._column_totals(typed)
        self._hash_keys(typed, cols, other_cols)
        self._profile(typed, cols, rows)
        if self.context.sink is not None:
            self.context.sink(self._typed_table(typed, len(rows)))

    def _merged_header(self, raw: readers.RawBatch) -> bool:
        """Whether the table's header is written on two rows with merged cells
        (:func:`~.tableschema.second_header_row`). Such a table cannot be read column by
        column: its second header row would be checked as data and every column reported
        missing. It gets one ``header_mismatch`` (kind ``merged``) saying what to change,
        in place of the header findings of that table, and its rows are not checked."""
        if self.below:
            cells, header = self.below, [*self.header, *[""] * (len(self.below) - len(self.header))]
        elif self.blank_positions and raw.num_rows and raw.rows[0].as_py() == self.header_row + 1:
            cells, header = [col[0].as_py() for col in raw.columns], self.header
        else:
            return False
        groups = tableschema.second_header_row(header, cells)
        if not groups:
            return False
        kept = self.kept.get("header_mismatch", [])
        dropped = [item for item in kept if item[0][0] == self.table_no]
        self.kept["header_mismatch"] = [item for item in kept if item[0][0] != self.table_no]
        self.counts["header_mismatch"] -= len(dropped)
        first = groups[0]
        self.add(
            Finding.make(
                "header_mismatch",
                row=self.header_row,
                column=first["label"],
                sheet=self.sheet,
                details={
                    "kind": "merged",
                    "groups": [{"label": g["label"], "parts": g["parts"][:8]} for g in groups[:5]],
                    "example": f"{first['label']} {first['parts'][0]}",
                    "second_row": self.header_row + 1,
                },
            ),
            (self.table_no, self.header_row, -1),
        )
        return True

    def _typed_table(self, typed: dict[str, pa.Array], n: int) -> pa.Table:
        """The batch as the ``sink`` receives it: every schema field, typed, in order."""
        columns = []
        for f in self.fields:
            value = typed.get(f.name)
            if value is None:
                value = pa.nulls(n, pa.date32() if f.type == "date" else f.arrow_type())
            elif f.type == "date":
                value = pc.cast(pc.subtract(value, EPOCH_ORDINAL), pa.int32()).cast(pa.date32())
            columns.append(value)
        return pa.Table.from_arrays(columns, names=[f.name for f in self.fields])

    def _constraints(self, f: _Field, col: pa.Array, value: pa.Array, valid: pa.Array) -> None:
        for name, limit, typed_limit in f.limits:
            op = {
                "minimum": pc.less,
                "maximum": pc.greater,
                "exclusiveMinimum": pc.less_equal,
                "exclusiveMaximum": pc.greater_equal,
            }[name]
            bad = pc.fill_null(op(value, typed_limit), False)
            if f.type == "number":
                bad = pc.or_(bad, pc.fill_null(pc.is_nan(value), False))
            self.emit(
                "constraint_error", bad, column=f, values=col, details={"constraint": name, "limit": limit}
            )
        if f.enum is not None:
            bad = pc.and_(valid, pc.invert(pc.is_in(value, value_set=f.enum[1])))
            self.emit(
                "constraint_error",
                bad,
                column=f,
                values=col,
                details={"constraint": "enum", "limit": f.enum[0]},
            )
        if f.pattern is not None:
            self.emit(
                "constraint_error",
                f.pattern_violations(col, valid),
                column=f,
                values=col,
                details={"constraint": "pattern", "limit": f.pattern},
            )
        if f.min_length is not None or f.max_length is not None:
            length = pc.utf8_length(col)
            if f.min_length is not None:
                bad = pc.and_(valid, pc.less(length, f.min_length))
                self.emit(
                    "constraint_error",
                    bad,
                    column=f,
                    values=col,
                    details={"constraint": "minLength", "limit": f.min_length},
                )
            if f.max_length is not None:
                bad = pc.and_(valid, pc.greater(length, f.max_length))
                self.emit(
                    "constraint_error",
                    bad,
                    column=f,
                    values=col,
                    details={"constraint": "maxLength", "limit": f.max_length},
                )

    def _unit_rows(self, f: _Field, col: pa.Array, valid: pa.Array) -> None:
        trimmed = pc.utf8_trim_whitespace(col)
        bad = []
        for text in pc.unique(pc.filter(trimmed, valid)).to_pylist():
            if text not in self.unit_bad:
                self.unit_bad[text] = not same_unit(text, self.context.satuan)
            if self.unit_bad[text]:
                bad.append(text)
        if bad:
            mask = pc.and_(valid, pc.is_in(trimmed, value_set=pa.array(bad, pa.string())))
            self.emit(
                "unit_mismatch", mask, column=f, values=trimmed, details={"expected": self.context.satuan}
            )

    def _column_totals(self, typed: dict[str, pa.Array]) -> None:
        for spec in self.total_columns:
            names = [spec["field"], *spec["parts"]]
            if not all(n in typed for n in names):
                continue
            total = pc.cast(typed[spec["field"]], pa.float64())
            parts = [pc.cast(typed[p], pa.float64()) for p in spec["parts"]]
            s = parts[0]
            for p in parts[1:]:
                s = pc.add(s, p)
            decimals = max((self.decimals.get(n, 0) for n in names), default=0)
            tol = profiles.tolerance(decimals, len(parts))
            scale = pc.max_element_wise(pc.max_element_wise(pc.abs(total), pc.abs(s)), 1.0)
            bad = pc.greater(pc.abs(pc.subtract(total, s)), pc.add(pc.multiply(scale, 1e-9), tol))
            f = self.by_name[spec["field"]]
            self.emit(
                "total_mismatch",
                pc.fill_null(bad, False),
                column=f,
                values=pc.cast(typed[spec["field"]], pa.string()),
                details={"kind": "column", "parts": list(spec["parts"])},
                per_row={"total": total, "sum": s},
            )

    def checks(self, roles_given: list[dict[str, str]]) -> dict[str, Any]:
        """Which of the checks that depend on the schema ran on this file, and why the others
        could not (``{"ran": [...], "not_run": [{"check", "why": {id, en}}], "roles_given"}``):
        a file that gives no finding because a check never ran must say so."""
        period = (
            self.period_field is not None
            or bool(self.period_columns)
            or bool(self.context.period)
            or any(self.sheet_period(s) is not None for s in self.sheets)
        )
        conditions = [
            ("invalid_region_code", self.region_field is not None,
             "tidak ada kolom kode wilayah (peran region, mis. kode_wilayah)",
             "no region code column (role region, e.g. kode_wilayah)"),
            ("region_names", self.region_field is not None and bool(self.name_fields),
             "tidak ada kolom kode wilayah dengan kolom nama wilayah di sampingnya",
             "no region code column with a region name column beside it"),
            ("duplicate_key", bool(self.pk),
             "skema tidak menyatakan kunci baris (primaryKey)",
             "the schema declares no row key (primaryKey)"),
            ("total_mismatch", bool(self.total_columns) or self.profile.get("totals") is not None,
             "skema tidak menyatakan baris atau kolom jumlah (satudata:totals)",
             "the schema declares no total row or column (satudata:totals)"),
            ("copied_previous_period", period and bool(self.value_fields),
             "tidak ada periode: kolom tahun/periode, kolom per periode (2023, 2024), lembar bernama "
             "periode, atau periode sumber data",
             "no period: a year/period column, a column per period (2023, 2024), sheets named by "
             "period, or the resource's period"),
            ("extreme_change", period and bool(self.value_fields),
             "tidak ada periode untuk dibandingkan", "no period to compare"),
            ("unit_mismatch", bool(self.context.satuan),
             "dataset tidak menyatakan satuan", "the dataset states no unit"),
        ]  # fmt: skip
        return {
            "ran": [code for code, ran, _id, _en in conditions if ran],
            "not_run": [
                {"check": code, "why": {"id": why_id, "en": why_en}}
                for code, ran, why_id, why_en in conditions
                if not ran
            ],
            "roles_given": roles_given,
        }

    def _personal_data(self, raw: readers.RawBatch, blank: pa.Array | None) -> None:
        """``personal_data`` for each cell holding a NIK, a NIP, a mobile number or a
        personal e-mail address (:mod:`.personal`), with the value masked: it must not be
        published (UU 27/2022), and the report must not spread it either."""
        rows = pc.invert(blank) if blank is not None else None
        for i, column in enumerate(raw.columns):
            for hit in personal.scan(column, rows, ignore=self.region_set):
                self.counts["personal_data"] += len(hit.positions)
                kept = self.kept.setdefault("personal_data", [])
                room = max(0, self.cap - len(kept))
                label = self.header[i] if i < len(self.header) else None
                at = raw.rows.take(pa.array(hit.positions[:room], pa.int64())).to_pylist()
                for row, masked in zip(at, hit.masked[:room], strict=True):
                    kept.append((
                        (self.table_no, row, i),
                        Finding.make("personal_data", row=row, column=label, sheet=self.sheet,
                                     details={"kind": hit.kind, "masked": masked}),
                    ))  # fmt: skip

    def _names_against_codes(self, cols: dict[str, pa.Array]) -> None:
        """``invalid_region_code`` where a row gives a known region code and, in a label
        column, the name of *another* region ("64.71.05" next to "Balikpapan Kota"): two codes
        swapped between rows pass the membership check, not this one. Labels that name no
        region ("Jumlah", a puskesmas) are not compared; the finding names both, and the code
        of the region named."""
        region = self.region_field
        if region is None or region.name not in cols:
            return
        codes = pc.utf8_trim_whitespace(cols[region.name])
        expected = pc.take(self.region_keys, pc.index_in(codes, value_set=self.region_set))
        for f in self.name_fields:
            if f.name not in cols:
                continue
            # folded once per distinct name (a table repeats a few dozen), not once per row
            encoded = pc.dictionary_encode(cols[f.name])
            folded = pa.array(
                [vocabularies.region_name_key(n) for n in encoded.dictionary.to_pylist()], pa.string()
            )
            names = pc.take(folded, encoded.indices)
            named = pc.index_in(names, value_set=self.name_keys)
            wrong = pc.and_(pc.is_valid(named), pc.not_equal(names, expected))
            wrong = pc.fill_null(wrong, False)
            if _count(wrong):
                self.emit(
                    "invalid_region_code", wrong, column=region, values=cols[region.name],
                    details={"name_column": f.name},
                    per_row={"name": cols[f.name], "expected_code": pc.take(self.name_codes, named)},
                )  # fmt: skip
            return  # one name column is enough: the first label

    def _notes(
        self, raw: readers.RawBatch, blank: pa.Array | None, misses: dict[str, pa.Array]
    ) -> pa.Array | None:
        """The note lines below the table in this batch (:func:`~.readers.note_rows`, the
        rule, here on Arrow columns), or None. They are kept in :attr:`notes` to be shown as
        catatan, never checked as data: read as rows they gave a clean workbook dozens of
        errors, and their empty cells made the total check skip a wrong total above them.

        Cheap on a table of figures: only rows with at most one schema field filled (from
        ``misses``, computed already) are looked at, usually none."""
        filled_fields: pa.Array | None = None
        for miss in misses.values():
            one = pc.cast(pc.invert(miss), pa.int8())
            filled_fields = one if filled_fields is None else pc.add(filled_fields, one)
        if filled_fields is None:
            return None
        candidates = pc.less_equal(filled_fields, 1)
        if blank is not None:
            candidates = pc.and_(candidates, pc.invert(blank))
        positions = pc.indices_nonzero(candidates)
        if not len(positions):
            return None
        filled: pa.Array | None = None
        first: pa.Array | None = None
        for col in raw.columns:
            text = pc.utf8_trim_whitespace(col.take(positions))
            has = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
            filled = pc.cast(has, pa.int32()) if filled is None else pc.add(filled, pc.cast(has, pa.int32()))
            cell = pc.if_else(has, text, NULL_STR)
            first = cell if first is None else pc.coalesce(first, cell)
        single = pc.less_equal(filled, 1)
        if not self.in_notes:
            starts = pc.and_(single, pc.fill_null(pc.match_substring_regex(first, readers.NOTE_RE), False))
            hits = pc.indices_nonzero(starts)
            if not len(hits):
                return None
            single = pc.and_(single, pc.greater_equal(readers.row_numbers(0, len(positions)), hits[0]))
            self.in_notes = True
        if not _count(single):
            return None
        noted = pc.filter(positions, single)
        for row, text in zip(
            raw.rows.take(noted).to_pylist(), pc.filter(first, single).to_pylist(), strict=True
        ):
            if len(self.notes) < MAX_NOTES:
                self.notes.append({"row": row, "sheet": self.sheet, "text": (text or "")[:NOTE_CHARS]})
        return pc.is_in(readers.row_numbers(0, raw.num_rows), value_set=pc.cast(noted, pa.int64()))

    def _hash_keys(
        self, typed: dict[str, pa.Array], cols: dict[str, pa.Array], other: dict[int, pa.Array]
    ) -> None:
        # the row as written, every cell (in a keyed table the cells outside the key: the key
        # is compared already, and hashing less keeps the reading fast)
        key = set(self.pk)
        arrays = {
            f"c{i}": cols[f.name] for i, f in enumerate(self.fields) if f.name in cols and f.name not in key
        }
        arrays.update({f"o{i}": a for i, a in other.items()})
        whole = pa.table(arrays) if arrays else None
        if self.pk:
            if not all(k in typed for k in self.pk):
                return
            keys = {f"k{i}": typed[k] for i, k in enumerate(self.pk)}
            table = pa.table(keys)
            whole = table if whole is None else whole
            all_null = None
            for arr in keys.values():
                isnull = pc.is_null(arr)
                all_null = isnull if all_null is None else pc.and_(all_null, isnull)
            rows = self.batch_rows
            if _count(all_null):
                keep = pc.invert(all_null)
                table, whole = table.filter(keep), whole.filter(keep)
                rows = pc.filter(rows, keep)
            if table.num_rows:
                self.row_hashes.append(_row_hashes(whole))
        else:
            if whole is None:
                return
            table, rows = whole, self.batch_rows
        if table.num_rows:
            self.key_hashes.append(_row_hashes(table))
            self.key_rows.append(pc.cast(rows, pa.int32()))

    def end_table(self) -> None:
        """Report the table's repeated rows: ``duplicate_row`` for a row equal in every cell
        to an earlier one (pasted twice), ``duplicate_key`` for a row of a keyed table whose
        key repeats an earlier row's with other values (two figures for one kelurahan and
        year). The two are different mistakes, and a clerk fixes them differently: delete the
        copy, or find out which figure is right.

        The key hashes are sorted (stably, so equal hashes keep file order): a hash equal to
        its predecessor is a repeat of its group's first row; in a keyed table the whole
        rows' hashes of the two then tell which kind it is. (A hash count, ``pc.unique``, would
        tell a table without repeats three times faster, but its hash table costs 50 bytes a
        row at the peak; the sort's 16 keep the memory target.) Memory: the 12 bytes a row
        kept while streaming (20 in a keyed table), plus the sort's index (8 bytes a row) for
        a moment."""
        hashes = pa.chunked_array(self.key_hashes, pa.uint64())
        rows = pa.chunked_array(self.key_rows, pa.int32())
        whole = pa.chunked_array(self.row_hashes, pa.uint64()) if self.pk else None
        self.key_hashes, self.key_rows, self.row_hashes = [], [], []
        n = len(hashes)
        if n < 2:
            return
        order = pc.sort_indices(hashes)
        sorted_h = hashes.take(order)
        same = pc.equal(sorted_h.slice(1), sorted_h.slice(0, n - 1))
        del sorted_h
        count = _count(same)
        if not count:
            return
        repeat = pa.chunked_array([pa.array([False]), *same.chunks], pa.bool_())
        positions = readers.row_numbers(0, n)
        start = pc.fill_null_forward(pc.if_else(repeat, pa.scalar(None, pa.int64()), positions))
        dup_pos = pc.indices_nonzero(repeat)
        dup_idx, first_idx = order.take(dup_pos), order.take(start.take(dup_pos))
        dup_rows, first_rows = rows.take(dup_idx), rows.take(first_idx)
        if whole is None:
            self._duplicates("duplicate_row", dup_rows, first_rows)
            return
        exact = pc.equal(whole.take(dup_idx), whole.take(first_idx))
        self._duplicates("duplicate_row", dup_rows.filter(exact), first_rows.filter(exact))
        other = pc.invert(exact)
        self._duplicates("duplicate_key", dup_rows.filter(other), first_rows.filter(other))

    def _duplicates(self, code: str, dup_rows: pa.ChunkedArray, first_rows: pa.ChunkedArray) -> None:
        """Count and keep (up to the cap, in file order) the findings of repeated rows."""
        if not len(dup_rows):
            return
        keep = pc.sort_indices(dup_rows).slice(0, self.cap)
        self.counts[code] += len(dup_rows)
        labels = self._key_labels() if code == "duplicate_key" else {}
        column = self.pk[0] if code == "duplicate_key" else None
        pos = self.by_name[column].order if column else -1
        for row, first in zip(
            dup_rows.take(keep).to_pylist(), first_rows.take(keep).to_pylist(), strict=True
        ):
            details: dict[str, Any] = {"first_row": first}
            if code == "duplicate_key":
                details["key"] = list(self.pk)
                if first in labels:
                    details["key_value"] = labels[first]
            self.kept.setdefault(code, []).append(
                (
                    (self.table_no, row, pos),
                    Finding.make(code, row=row, column=column, sheet=self.sheet, details=details),
                )
            )
        self._trim(code)

    def _key_labels(self) -> dict[int, str]:
        """Row -> readable key of this table's rows kept in the profile."""
        out = {}
        for period, body in self.profile["periods"].items():
            for key, entry in body["entries"].items():
                if entry.get("s") == self.sheet:
                    parts = [profiles.key_label(key)] if key else []
                    if self.period_field:
                        parts.append(str(period))
                    out[entry["r"]] = " / ".join(parts)
        return out

    def _profile(self, typed: dict[str, pa.Array], cols: dict[str, pa.Array], rows: pa.Array) -> None:
        n = len(rows)
        if not n:
            return
        if self.period_field:
            if self.period_field not in typed:
                return
            pv = typed[self.period_field]
            if pv.type == pa.string():
                pv = pc.utf8_trim_whitespace(pv)
            elif self.by_name[self.period_field].type == "date":
                pv = pc.cast(pc.cast(pc.subtract(pv, _EPOCH_ORDINAL), pa.int32()), pa.date32())
            counts = pc.value_counts(pv).to_pylist()
            for item in counts:
                label = _period_text(item["values"])
                body = self.profile["periods"].setdefault(label, {"rows": 0, "entries": {}})
                body["rows"] += item["counts"]
        elif self.period_columns:
            self._profile_wide(typed, cols, rows)
            return
        else:
            pv = None
            body = self.profile["periods"].setdefault(self.table_period, {"rows": 0, "entries": {}})
            body["rows"] += n
        room = profiles.MAX_ENTRIES - self.entries
        take = self._room(room, n, cols)
        if not take:
            return
        keys, flags = self._profile_keys(cols, take)
        periods = (
            [_period_text(p) for p in pv.slice(0, take).to_pylist()]
            if pv is not None
            else [self.table_period] * take
        )
        values = [
            typed[v].slice(0, take).to_pylist() if v in typed else [None] * take for v in self.value_fields
        ]
        row_list = rows.slice(0, take).to_pylist()
        for i in range(take):
            period = periods[i]
            body = self.profile["periods"].setdefault(period, {"rows": 0, "entries": {}})
            key = keys[i] if keys[i] is not None else ""
            if key in body["entries"]:
                continue
            entry: dict[str, Any] = {"r": row_list[i], "v": [_py_number(col[i]) for col in values]}
            if self.sheet is not None:
                entry["s"] = self.sheet
            if flags is not None and flags[i]:
                entry["t"] = True
            body["entries"][key] = entry
            self.entries += 1

    def _room(self, room: int, n: int, cols: dict[str, pa.Array]) -> int:
        """How many of a batch's ``n`` rows the profile takes (``room`` entries are left, or
        none when the key columns are absent); marks the profile truncated when not all."""
        if room <= 0 or not self.key_fields or not all(k in cols for k in self.key_fields):
            if room <= 0:
                self.profile["truncated"] = True
            return 0
        if room < n:
            self.profile["truncated"] = True
        return min(room, n)

    def _profile_keys(
        self, cols: dict[str, pa.Array], take: int
    ) -> tuple[list[str | None], list[bool] | None]:
        """The profile keys of the first ``take`` rows (their key cells, trimmed and joined),
        and whether each is a labelled total row (None when the schema labels none)."""
        key_parts = [pc.utf8_trim_whitespace(cols[k].slice(0, take)) for k in self.key_fields]
        joined = (
            key_parts[0] if len(key_parts) == 1 else pc.binary_join_element_wise(*key_parts, profiles.SEP)
        )
        flags = None
        if self.label_totals and self.label_totals[0] in cols:
            labels = pc.utf8_lower(pc.utf8_trim_whitespace(cols[self.label_totals[0]].slice(0, take)))
            totals = pa.array(sorted(self.label_totals[1]), pa.string())
            flags = pc.is_in(labels, value_set=totals).to_pylist()
        return joined.to_pylist(), flags

    def _profile_wide(self, typed: dict[str, pa.Array], cols: dict[str, pa.Array], rows: pa.Array) -> None:
        """A wide table's rows into the profile: each period column's cell becomes the entry of
        its row's key in that period (value :data:`~.profile.WIDE_VALUE`), as a long table's
        row would be; the other measures stay under the period-less ``""``. So a 2024 column
        is compared with 2023 for copies, extreme changes and total rows exactly as a 2024
        row is, and the findings name the column."""
        n = len(rows)
        plain = self.value_fields[1:]
        by_period = [(p, name) for name, p in self.period_columns.items()]
        for p, _name in by_period:
            self.profile["periods"].setdefault(p, {"rows": 0, "entries": {}})["rows"] += n
        if plain:
            self.profile["periods"].setdefault("", {"rows": 0, "entries": {}})["rows"] += n
        room = (profiles.MAX_ENTRIES - self.entries) // (len(by_period) + bool(plain))
        take = self._room(room, n, cols)
        if not take:
            return
        keys, flags = self._profile_keys(cols, take)
        row_list = rows.slice(0, take).to_pylist()

        def column(name: str) -> list[Any]:
            return typed[name].slice(0, take).to_pylist() if name in typed else [None] * take

        # each period's entries hold [its cell, None for the other measures]; "" holds the others
        blanks = [None] * len(plain)
        tables = [(p, [[_py_number(x), *blanks] for x in column(name)]) for p, name in by_period]
        if plain:
            others = [column(v) for v in plain]
            tables.append(("", [[None, *(_py_number(col[i]) for col in others)] for i in range(take)]))
        for p, values in tables:
            entries = self.profile["periods"][p]["entries"]
            for i in range(take):
                key = keys[i] if keys[i] is not None else ""
                if key in entries:
                    continue
                entry: dict[str, Any] = {"r": row_list[i], "v": values[i]}
                if self.sheet is not None:
                    entry["s"] = self.sheet
                if flags is not None and flags[i]:
                    entry["t"] = True
                entries[key] = entry
                self.entries += 1

    def finish_profile(self) -> dict[str, Any]:
        self.decimals[profiles.WIDE_VALUE] = max(
            (self.decimals.get(name, 0) for name in self.period_columns), default=0
        )
        self.profile["decimals"] = [self.decimals.get(v, 0) for v in self.value_fields]
        return profiles.finalize(self.profile)

    def findings(self) -> list[Finding]:
        out = []
        for items in self.kept.values():
            out.extend(items)
        out.sort(key=lambda x: x[0])
        return [f for _, f in out]


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _row_hashes(table: pa.Table) -> pa.Array:
    """One 64-bit hash a row of ``table`` (its cells as read), seeded alike in every run."""
    return pl.from_arrow(table).hash_rows(seed=HASH_SEED).to_arrow()


def _period_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in 1 MB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _run_csv(run: _Run, path: str, deadline: float, bounds: Limits) -> tuple[str | None, str | None]:
    if os.path.getsize(path) == 0:
        run.add(Finding.make("file_error", details={"kind": "empty"}), (-1, 0, -1))
        return None, None
    dialect = readers.sniff_csv(path)
    for attempt in ("fast", "slow", "latin-1"):
        try:
            if attempt == "fast":
                width = len(readers.csv_header(path, dialect))
                header, batches = readers.csv_batches_fast(path, dialect, width)
            else:
                header, batches = readers.csv_batches_slow(path, dialect)
            run.start_table(header, None, 1 + dialect.skip)
            for raw in batches:
                check_deadline(deadline, bounds)
                run.batch(raw)
            run.end_table()
            return dialect.encoding, dialect.delimiter
        except readers.Restart:
            if attempt != "fast":
                raise
        except readers.EncodingRestart:
            if dialect.encoding == "latin-1":
                raise
            dialect = dataclasses.replace(dialect, encoding="latin-1")
        run.__init__(run.schema, run.context)  # start again from a clean state
    raise readers.Restart("unreadable")


def _run_xlsx(run: _Run, path: str, deadline: float, bounds: Limits) -> None:
    only = run.schema.get("satudata:sheets")
    for sheet in readers.xlsx_sheets(path, only=only):
        fields = run.start_table(sheet.header, sheet.name, sheet.header_row, sheet.below)
        by_pos = {run.positions[f.name]: f.desc for f in fields}
        for raw in sheet.batches([by_pos.get(i) for i in range(len(sheet.header))]):
            check_deadline(deadline, bounds)
            run.batch(raw)
        run.end_table()


def validate(
    path: str,
    fmt: str,
    schema: dict[str, Any] | str,
    *,
    context: ValidationContext | None = None,
    limits: Limits | None = None,
) -> Report:
    """Validate the file at ``path`` (``fmt`` ``"csv"`` or ``"xlsx"``) against its Table
    Schema and return a :class:`Report`.

    CSV: the encoding (UTF-8, UTF-8 with BOM, else Latin-1) and delimiter (``,`` ``;`` tab
    ``|``) are detected. XLSX: every visible sheet (or those in the schema's
    ``satudata:sheets``) is validated against the same schema; findings name their sheet.
    The file-level checks (``identical_file``), the profile-based ones
    (``total_mismatch`` rows, ``copied_previous_period``, ``extreme_change``, within the
    file and against ``context.previous``), ``unit_mismatch`` and ``stale`` follow the
    streamed ones. A schema that is not valid raises
    :class:`~.tableschema.SchemaError`; an unreadable file gives a ``file_error`` finding.

    Before any reading, the file is measured against ``limits`` (the defaults of
    :class:`~.limits.Limits` when none are given), and the reading stops at their deadline:
    a file beyond a bound gives one ``file_error`` finding naming the limit
    (``details.kind == "limit"``) and nothing else is read from it.
    """
    context = context or ValidationContext()
    schema, roles_given = tableschema.with_roles(tableschema.load(schema))
    fmt = (fmt or "").lower().lstrip(".")
    run = _Run(schema, context)
    if run.period_columns and not any(f.get("satudata:period") for f in schema["fields"]):
        roles_given = [*roles_given, *({"field": name, "role": "period", "period": p}
                                       for name, p in run.period_columns.items())]  # fmt: skip
    sha = context.sha256 or file_sha256(path)
    encoding = delimiter = None
    bounds = limits or Limits()
    deadline = bounds.deadline()
    try:
        if fmt not in ("csv", "xlsx", "xlsm", "xls", "ods"):
            raise ValueError(f"unsupported format {fmt!r}")
        measure(path, fmt, bounds)
        if fmt == "csv":
            encoding, delimiter = _run_csv(run, path, deadline, bounds)
        else:
            _run_xlsx(run, path, deadline, bounds)
    except LimitExceeded as exc:
        run.__init__(run.schema, run.context)  # nothing read so far counts: the file is refused
        run.add(Finding.make("file_error", details=exc.details()), (-1, 0, -1))
    except ValueError as exc:
        if str(exc).startswith("unsupported format"):
            raise
        run.add(Finding.make("file_error", details={"error": str(exc)[:300]}), (-1, 0, -1))
    except Exception as exc:  # a corrupt workbook, an undecodable file: report, never crash
        run.add(
            Finding.make("file_error", details={"error": f"{type(exc).__name__}: {str(exc)[:300]}"}),
            (-1, 0, -1),
        )
    profile = run.finish_profile()
    _after(run, profile, sha)
    return Report(
        findings=run.findings(),
        counts=dict(run.counts),
        rows=run.rows,
        sha256=sha,
        profile=profile,
        fmt=fmt,
        sheets=run.sheets,
        encoding=encoding,
        delimiter=delimiter,
        blank_rows=run.blank_rows,
        notes=run.notes,
        checks=run.checks(roles_given),
    )


def _order(finding: Finding, run: _Run) -> tuple:
    table = run.sheets.index(finding.sheet) if finding.sheet in run.sheets else 0
    col = run.by_name[finding.column].order if finding.column in run.by_name else -1
    return (table, finding.row or 0, col)


def _after(run: _Run, profile: dict[str, Any], sha: str) -> None:
    """The checks that need the whole file: identity, units, totals, periods, staleness."""
    ctx = run.context
    match = ctx.known_hashes.get(sha)
    if match:
        details = dict(match) if isinstance(match, Mapping) else {"other": match}
        run.add(Finding.make("identical_file", details={**details, "sha256": sha}), (-1, 0, -1))
    if ctx.satuan:
        units = [(f, f.unit) for f in run.fields if f.unit and f.name in run.value_fields]
        if units and not any(same_unit(u, ctx.satuan) for _, u in units):
            for f, u in units:
                run.add(
                    Finding.make(
                        "unit_mismatch",
                        column=f.name,
                        value=u,
                        details={"expected": ctx.satuan, "source": "header"},
                    ),
                    (-1, 0, f.order),
                )
    checks: list[Callable[[], list[Finding]]] = [
        lambda: check_total_mismatch(profile),
        lambda: check_copied(profile, ctx.previous, share=ctx.copied_share, min_cells=ctx.copied_min_cells),
        lambda: check_extreme(profile, ctx.previous, factor=ctx.extreme_change_factor),
    ]
    for check in checks:
        for finding in check():
            run.add(finding, _order(finding, run))
    if ctx.frekuensi:
        last = ctx.last_period
        if not last:
            candidates = [p for p in profile["periods"] if p and parse_period(p)]
            for prev in (ctx.previous or {}).values():
                candidates += [p for p in (prev or {}).get("periods", {}) if p and parse_period(p)]
            last = max(candidates, key=period_sort_key) if candidates else None
        finding = stale_check(ctx.frekuensi, last, ctx.today)
        if finding:
            run.add(finding, (-1, 0, -1))
