"""The profile of a validated file, and the checks that compare periods through profiles.

A profile is a compact, JSON-serialisable summary of a file's figures per period, keyed
on its key columns other than the period (e.g. kode_wilayah). It lets the portal compare a
*later* resource with this one without reading this file again::

    {
      "version": 1,
      "period_field": "tahun",            # or null: then the period is the context's or sheet's
      "key_fields": ["kode_wilayah"],
      "value_fields": ["jumlah_penduduk", "luas_km2"],
      "decimals": [0, 2],                 # most decimals seen per value field (rounding tolerance)
      "totals": {...} | null,             # the schema's "satudata:totals" rows spec, if any
      "truncated": false,                 # true: entries stop at MAX_ENTRIES rows
      "periods": {
        "2024": {
          "rows": 41,                     # every data row of the period, even past the bound
          "digest": "<sha256 of the period's sorted entries>",
          "entries": {"64.71.01": {"r": 2, "v": [81234, 137.16]}, ...}
        }
      }
    }

A *wide* table (periods as columns: rows = kecamatan, columns = 2020 ... 2024) is melted:
each period column becomes a period whose entries hold the cell under the value field
:data:`WIDE_VALUE`, and ``"period_columns": {"2024": "Tahun 2024", ...}`` says which column
each period came from, so that its findings name that column. Its other measures (a
``Luas (km2)`` beside the years) stay under the period ``""``.

An entry's key joins the key values with U+001F; ``r`` is its row, ``v`` its values (null
where empty or invalid), ``s`` its sheet (workbooks), ``t`` true for a labelled total row.

**Bound**: at most :data:`MAX_ENTRIES` (5,000) rows are kept, with at most
:data:`MAX_VALUE_FIELDS` (20) values each: 100,000 numbers, about 1 MB of JSON at worst,
whatever the file's size. Statistical tables (41 regions x a few years) stay far below; for
larger files the checks below see the first 5,000 rows only (``truncated`` says so).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from ckanext.satudata_balikpapan.quality.engine.findings import Finding
from ckanext.satudata_balikpapan.quality.engine.periods import period_sort_key

VERSION = 1
MAX_ENTRIES = 5_000
MAX_VALUE_FIELDS = 20
SEP = "\x1f"
WIDE_VALUE = "nilai"  # the one measure of a wide table's period columns


def empty_profile(
    key_fields: list[str],
    value_fields: list[str],
    period_field: str | None,
    totals: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A profile with no period yet."""
    return {
        "version": VERSION,
        "period_field": period_field,
        "key_fields": list(key_fields),
        "value_fields": list(value_fields[:MAX_VALUE_FIELDS]),
        "decimals": [0] * min(len(value_fields), MAX_VALUE_FIELDS),
        "totals": totals,
        "truncated": False,
        "periods": {},
    }


def finalize(profile: dict[str, Any]) -> dict[str, Any]:
    """Fill each period's ``digest`` (after the last entry was added)."""
    for period in profile["periods"].values():
        entries = period.get("entries", {})
        body = json.dumps(sorted((k, e.get("v")) for k, e in entries.items()), separators=(",", ":"))
        period["digest"] = hashlib.sha256(body.encode()).hexdigest()
    return profile


def key_label(key: str) -> str:
    """A profile key as people read it (``64.71.01 / L``)."""
    return key.replace(SEP, " / ")


def _sources(
    profile: dict[str, Any], previous: Mapping[str, dict] | Iterable[dict] | None
) -> list[tuple[str | None, dict]]:
    out: list[tuple[str | None, dict]] = [(None, profile)]
    if previous is None:
        return out
    if isinstance(previous, Mapping):
        out.extend((str(label), prof) for label, prof in previous.items() if prof)
    else:
        out.extend((None, prof) for prof in previous if prof)
    return out


def _aligned(new: dict[str, Any], old: dict[str, Any]) -> list[tuple[int, int]]:
    """Index pairs (new, old) of the value fields both profiles have."""
    old_idx = {name: i for i, name in enumerate(old.get("value_fields", []))}
    return [(i, old_idx[name]) for i, name in enumerate(new.get("value_fields", [])) if name in old_idx]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _column(profile: dict[str, Any], period: str, name: str | None) -> str | None:
    """The file's column of a value of ``period``: a wide table's period column, else
    ``name``."""
    columns = profile.get("period_columns") or {}
    if period in columns and name in (WIDE_VALUE, profile.get("period_field")):
        return columns[period]
    return name


def _loc(entry: dict[str, Any]) -> dict[str, Any]:
    return {"row": entry.get("r"), "sheet": entry.get("s")}


def check_copied(
    profile: dict[str, Any],
    previous: Mapping[str, dict] | Iterable[dict] | None = None,
    *,
    share: float = 0.95,
    min_cells: int = 4,
) -> list[Finding]:
    """``copied_previous_period`` findings: a period of ``profile`` whose values equal an
    *earlier* period's - of the same file, or of a profile in ``previous`` (a mapping of
    resource label to profile, or a list of profiles) - in at least ``share`` of the cells
    compared, once aligned on the key columns. At least ``min_cells`` cells must be
    compared (a one-value table proves nothing). One finding per copied period, for the
    best-matching earlier period, located at the period's first row."""
    findings = []
    period_field = profile.get("period_field")
    sources = _sources(profile, previous)
    for period, body in sorted(profile.get("periods", {}).items(), key=lambda kv: period_sort_key(kv[0])):
        entries = body.get("entries", {})
        if not entries or period == "":
            continue
        best = None
        for label, other in sources:
            pairs = _aligned(profile, other)
            if not pairs:
                continue
            for old_period, old_body in other.get("periods", {}).items():
                if old_period in ("", period) or period_sort_key(old_period) >= period_sort_key(period):
                    continue
                old_entries = old_body.get("entries", {})
                compared = equal = 0
                for key, entry in entries.items():
                    old = old_entries.get(key)
                    if old is None:
                        continue
                    for i, j in pairs:
                        a, b = entry["v"][i], old["v"][j]
                        if a is None or b is None:
                            continue
                        compared += 1
                        equal += _same(a, b)
                if compared >= min_cells and equal / compared >= share:
                    candidate = (
                        equal / compared,
                        period_sort_key(old_period),
                        label,
                        old_period,
                        compared,
                        equal,
                    )
                    if best is None or candidate[:2] > best[:2]:
                        best = candidate
        if best is None:
            continue
        ratio, _, label, old_period, compared, equal = best
        first = min(entries.values(), key=lambda e: (e.get("s") or "", e.get("r") or 0))
        findings.append(
            Finding.make(
                "copied_previous_period",
                column=_column(profile, period, period_field),
                value=str(period),
                details={
                    "period": period,
                    "previous_period": old_period,
                    "share": round(ratio, 4),
                    "compared": compared,
                    "equal": equal,
                    "source": label,
                },
                **_loc(first),
            )
        )
    return findings


def check_extreme(
    profile: dict[str, Any],
    previous: Mapping[str, dict] | Iterable[dict] | None = None,
    *,
    factor: float = 10.0,
) -> list[Finding]:
    """``extreme_change`` findings: a value more than ``factor`` times, or less than
    1/``factor`` of, the same key's value in the nearest earlier period (in this file or
    in ``previous``). Zero, empty and sign-changing pairs are not compared: no factor
    describes them."""
    findings = []
    if factor <= 1:
        return findings
    history: dict[str, list[tuple[tuple, str, str | None, dict[str, Any]]]] = {}
    names: dict[int, list[str]] = {}
    sources = _sources(profile, previous)
    for n, (label, prof) in enumerate(sources):
        names[n] = prof.get("value_fields", [])
        for period, body in prof.get("periods", {}).items():
            if period == "":
                continue
            for key, entry in body.get("entries", {}).items():
                history.setdefault(key, []).append(
                    (period_sort_key(period), period, label, {"n": n, **entry})
                )
    own = names[0]
    for key, items in history.items():
        items.sort(key=lambda x: x[0])
        for pos, (skey, period, _label, entry) in enumerate(items):
            if entry["n"] != 0:
                continue
            earlier = [x for x in items[:pos] if x[0] < skey]
            if not earlier:
                continue
            prev_key = earlier[-1][0]
            # the nearest earlier period; this file's own row wins over another resource's
            candidates = [x for x in earlier if x[0] == prev_key]
            prev = next((x for x in candidates if x[3]["n"] == 0), candidates[-1])
            _, prev_period, prev_label, prev_entry = prev
            prev_names = {name: i for i, name in enumerate(names[prev_entry["n"]])}
            for i, name in enumerate(own):
                j = prev_names.get(name)
                if j is None:
                    continue
                a, b = entry["v"][i], prev_entry["v"][j]
                if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or not a or not b:
                    continue
                if (a > 0) != (b > 0):
                    continue
                ratio = abs(a / b)
                if ratio > factor or ratio < 1 / factor:
                    findings.append(
                        Finding.make(
                            "extreme_change",
                            column=_column(profile, period, name),
                            value=_text(a),
                            details={
                                "key": key,
                                "key_label": key_label(key),
                                "period": period,
                                "previous_period": prev_period,
                                "previous": b,
                                "ratio": round(ratio, 4),
                                "factor": factor,
                                "source": prev_label,
                            },
                            **_loc(entry),
                        )
                    )
    findings.sort(key=lambda f: (f.sheet or "", f.row or 0))
    return findings


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parent(code: str) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:-1]) if len(parts) > 2 else None


def tolerance(decimals: int, parts: int) -> float:
    """How far a total may be from the sum of ``parts`` values rounded to ``decimals``
    places: nothing for whole numbers, half a unit of the last place per part otherwise."""
    return 0.0 if decimals <= 0 else parts * 0.5 * 10.0 ** (-decimals)


def _mismatch(total: float, parts: list[float], decimals: int) -> bool:
    s = math.fsum(parts)
    return abs(total - s) > tolerance(decimals, len(parts)) + 1e-9 * max(abs(total), abs(s), 1.0)


def check_total_mismatch(profile: dict[str, Any], totals: dict[str, Any] | None = None) -> list[Finding]:
    """``total_mismatch`` findings for declared total *rows* (``totals`` is the schema's
    ``satudata:totals``, default the one the profile carries): by region, a region's row
    against the sum of the rows of the regions directly inside it (same period, same other
    key columns); by label, a labelled total row against the sum of the period's other rows.
    A total or a part left empty skips that comparison. Periods cut by the profile's bound
    are checked on the rows kept."""
    spec = ((totals or {}).get("rows") if totals else None) or (profile.get("totals") or {}).get("rows")
    if not spec:
        return []
    value_fields = profile.get("value_fields", [])
    decimals = profile.get("decimals") or [0] * len(value_fields)
    idx = [value_fields.index(f) for f in spec.get("fields", []) if f in value_fields]
    key_fields = profile.get("key_fields", [])
    findings = []
    for period, body in sorted(profile.get("periods", {}).items(), key=lambda kv: period_sort_key(kv[0])):
        entries = body.get("entries", {})
        if spec.get("by") == "region":
            if spec.get("field") not in key_fields:
                continue
            r = key_fields.index(spec["field"])
            groups: dict[tuple, dict[str, dict]] = {}
            for key, entry in entries.items():
                parts = key.split(SEP)
                if len(parts) != len(key_fields):
                    continue
                code = parts[r].strip()
                groups.setdefault(tuple(parts[:r] + parts[r + 1 :]), {})[code] = entry
            for group in groups.values():
                children: dict[str, list[tuple[str, dict]]] = {}
                for code, entry in group.items():
                    parent = _parent(code)
                    if parent in group:
                        children.setdefault(parent, []).append((code, entry))
                for code, kids in sorted(children.items()):
                    findings += _compare(group[code], kids, idx, profile, decimals, period, code)
        else:
            label_field = spec.get("field")
            other = [k for k in key_fields if k != label_field]
            positions = [key_fields.index(k) for k in other]
            groups2: dict[tuple, list[tuple[str, dict]]] = {}
            for key, entry in entries.items():
                parts = key.split(SEP)
                group_key = tuple(parts[p] for p in positions if p < len(parts))
                groups2.setdefault(group_key, []).append((key, entry))
            for group in groups2.values():
                totals_rows = [(k, e) for k, e in group if e.get("t")]
                kids = [(k, e) for k, e in group if not e.get("t")]
                for key, entry in totals_rows:
                    findings += _compare(entry, kids, idx, profile, decimals, period, key_label(key))
    return findings


def _compare(
    total: dict[str, Any],
    kids: list[tuple[str, dict]],
    idx: list[int],
    profile: dict[str, Any],
    decimals: list[int],
    period: str,
    label: str,
) -> list[Finding]:
    out = []
    value_fields = profile.get("value_fields", [])
    if not kids:
        return out
    for i in idx:
        t = total["v"][i]
        values = [e["v"][i] for _, e in kids]
        if t is None or any(v is None for v in values):
            continue
        if _mismatch(t, values, decimals[i] if i < len(decimals) else 0):
            out.append(
                Finding.make(
                    "total_mismatch",
                    column=_column(profile, period, value_fields[i]),
                    value=_text(t),
                    details={
                        "kind": "row",
                        "total": t,
                        "sum": math.fsum(values),
                        "total_of": label,
                        "period": period,
                        "parts": [key_label(k) for k, _ in kids][:50],
                        "parts_rows": [e.get("r") for _, e in kids][:50],
                    },
                    **_loc(total),
                )
            )
    return out
