"""Personal data in a table's cells (issue #15; UU 27/2022 tentang Pelindungan Data Pribadi):
NIK, NIP, mobile phone numbers and personal e-mail addresses, found in every cell of a file,
the note and signature lines below a table included.

The kinds and their patterns are data (``data/personal_data.yaml``, with their sources).
:func:`scan` is vectorised (RE2 over Arrow string columns) and filters cheaply first: a
digit pattern is tried only on cells of ten characters or more, the e-mail pattern only on
cells holding an ``@``, so the tables of figures that make up nearly every file cost little.
A finding never carries the value: :func:`scan` gives it masked (``6471…01``, ``…@gmail.com``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

MIN_DIGIT_CELL = 10  # characters: no shorter cell can hold a NIK, a NIP or a mobile number
MIN_EMAIL_CELL = 6  # "a@b.id"
SEPARATORS = r"[\s.\-]"  # removed before the digit patterns: "19700101 199001 1 001"


@dataclass(frozen=True)
class Kind:
    """A kind of personal data: its name, labels, RE2 pattern and whether the pattern is
    tried on the cell with spaces, dots and dashes removed."""

    name: str
    label: dict[str, str]
    pattern: str
    compact: bool


@cache
def rules() -> tuple[tuple[Kind, ...], tuple[str, ...]]:
    """The kinds, and the e-mail domains of institutions, from ``data/personal_data.yaml``."""
    path = resources.files("ckanext.satudata_balikpapan").joinpath("data/personal_data.yaml")
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = tuple(
        Kind(name, dict(spec["label"]), str(spec["pattern"]), bool(spec.get("compact")))
        for name, spec in raw["kinds"].items()
    )
    return kinds, tuple(str(d).lower() for d in raw.get("institutional_email_domains") or ())


def label(kind: str, lang: str) -> str:
    """The name of ``kind`` in ``lang`` (``id`` or ``en``)."""
    for k in rules()[0]:
        if k.name == kind:
            return k.label.get(lang) or k.label.get("id") or kind
    return kind


@dataclass
class Hit:
    """The cells of one column holding one kind: their ``positions`` in the column and the
    ``masked`` values shown instead."""

    kind: str
    positions: list[int]
    masked: list[str]


def _institutional(domain: str, domains: tuple[str, ...]) -> bool:
    domain = domain.lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)


def _mask_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"{digits[:4]}…{digits[-2:]}"


def scan(column: pa.Array, rows: pa.Array | None = None, ignore: pa.Array | None = None) -> list[Hit]:
    """The personal data in one string column: ``rows`` masks the rows to look at, and cells
    equal to one of ``ignore`` (the valid region codes: ten digits, never a person's) are
    passed over.

    Cost: a column whose longest cell is shorter than six bytes holds none; otherwise each
    distinct value is looked at once (a column of kelurahan names has a few dozen), a value
    shorter than ten characters only if it has an ``@``, with vectorised tests first (ten
    digits or more, an ``@``) and the patterns, in Python, on the few values left."""
    kinds, domains = rules()
    # bytes, not characters: never fewer, and counted without decoding; a column whose longest
    # cell is shorter than the shortest e-mail address holds nothing (most columns of figures)
    longest = pc.max(pc.binary_length(column)).as_py()
    if longest is None or longest < MIN_EMAIL_CELL:
        return []
    if longest < MIN_DIGIT_CELL and not pc.any(pc.fill_null(pc.match_substring(column, "@"), False)).as_py():
        return []  # too short for the digits, and no e-mail address
    values = pc.unique(column)  # each distinct cell once: rows repeat a few dozen names
    long_or_at = pc.match_substring(values, "@")
    if longest >= MIN_DIGIT_CELL:
        long_or_at = pc.or_(long_or_at, pc.greater_equal(pc.binary_length(values), MIN_DIGIT_CELL))
    values = pc.filter(values, pc.fill_null(long_or_at, False))
    if ignore is not None and len(values):
        values = pc.filter(values, pc.invert(pc.fill_null(pc.is_in(values, value_set=ignore), False)))
    if not len(values):
        return []
    digits = pc.utf8_length(pc.replace_substring_regex(values, r"\D+", ""))
    worth = pc.or_(
        pc.fill_null(pc.greater_equal(digits, MIN_DIGIT_CELL), False),
        pc.fill_null(pc.match_substring(values, "@"), False),
    )
    found: dict[str, dict[str, str]] = {}  # kind -> {cell value: masked}
    for value in pc.filter(values, worth).to_pylist():
        for kind, masked in _kinds_in(value.strip(), kinds, domains):
            found.setdefault(kind, {})[value] = masked
    hits = []
    for kind, by_value in found.items():
        mask = pc.is_in(column, value_set=pa.array(list(by_value), pa.string()))
        if rows is not None:
            mask = pc.and_(mask, rows)
        positions = pc.indices_nonzero(pc.fill_null(mask, False))
        hits.append(
            Hit(kind, positions.to_pylist(), [by_value[v] for v in column.take(positions).to_pylist()])
        )
    return hits


def _kinds_in(cell: str, kinds: tuple[Kind, ...], domains: tuple[str, ...]) -> list[tuple[str, str]]:
    """The kinds of personal data ``cell`` holds, each with its masked value."""
    out = []
    compact = re.sub(SEPARATORS, "", cell)
    for kind in kinds:
        if kind.compact:
            match = _compiled(kind.pattern).search(compact)
            if match:
                out.append((kind.name, _mask_digits(match.group(0))))
            continue
        for match in _compiled(kind.pattern).finditer(cell):
            domain = match.group(0).rsplit("@", 1)[1]
            if not _institutional(domain, domains):
                out.append((kind.name, f"…@{domain}"))
                break
    return out


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
