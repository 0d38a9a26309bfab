"""Quality scores (issue #5): one number 0-100 per dataset with its breakdown, and the
scorecard of an OPD. Pure functions on plain dicts, without CKAN.

A dataset's score is the weighted mean of four parts, each scored 0-100. The weights and
every tunable number live in ``data/quality_weights.yaml``:

``kelengkapan`` (completeness)
    The metadata, by the four Satu Data principles (Perpres 39/2019 Pasal 3), which weigh
    equally as in the EPSS domain "Prinsip SDI": *standar data* (konsep, definisi,
    klasifikasi, ukuran, satuan), *metadata* (deskripsi, penanggung jawab, frekuensi,
    periode, cara pengumpulan ...), *interoperabilitas* (files readable by a machine, with
    a Table Schema, a format and a period) and *kode referensi* (kode wilayah, kode urusan,
    kode referensi). Inside a principle each item has a weight (2 for what matters most,
    1 for the rest); a principle's score is the weight of its filled items over its total.
``ketepatan_waktu`` (timeliness)
    The dataset's last period (the latest its files hold, by their ``periode`` and their
    content, as the ``stale`` check reads them; else ``periode_akhir``) and its ``frekuensi``
    give the date the next period is due (:func:`.periods.expected_by`). On time
    = 100; late, the score falls in a straight line to 0 at one release interval late (at
    least ``min_scale_days``). A one-off dataset is on time; without frekuensi or period, 0.
``keterbukaan`` (openness)
    The mean over the files of points by format: open machine-readable (CSV, JSON, XLSX,
    ODS ...) 100, closed machine-readable (XLS) 67, documents and images (PDF, DOC, PNG) 33,
    unknown 0 - the 5-star open data scheme's 3, 2 and 1 stars.
``validitas`` (validity)
    100 minus 25 per open error problem and 5 per open warning problem, at least 0. A
    problem is one finding code in one column of one sheet of one file, however many rows it
    touches. Acknowledged warnings are not open; ``stale`` is left to timeliness. When no
    file has been checked, the part is not assessed and its weight goes to the others.

The total is the weighted mean of the four parts *as shown* (each rounded to a whole
number), rounded half up, so that a reader can check it from the page.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ckanext.satudata_balikpapan.quality.engine import periods
from ckanext.satudata_balikpapan.quality.engine.findings import ERROR, WARNING

PARTS = ("kelengkapan", "ketepatan_waktu", "keterbukaan", "validitas")
PRINCIPLES = ("standar_data", "metadata", "interoperabilitas", "kode_referensi")
STATES = ("draft", "diajukan", "dikembalikan", "terbit", "ditarik")
TABULAR = {"CSV", "TSV", "XLSX", "XLS", "XLSM", "ODS"}
ONE_OFF, ON_TIME, LATE, UNKNOWN = "one_off", "on_time", "late", "unknown"
DAYS_PER_MONTH = 30.4375

# Formats as some clients write them: MIME types and common aliases.
FORMAT_ALIASES = {
    "TEXT/CSV": "CSV",
    "TEXT/TAB-SEPARATED-VALUES": "TSV",
    "APPLICATION/JSON": "JSON",
    "APPLICATION/GEO+JSON": "GEOJSON",
    "APPLICATION/LD+JSON": "JSONLD",
    "APPLICATION/XML": "XML",
    "TEXT/XML": "XML",
    "APPLICATION/RDF+XML": "RDF",
    "TEXT/TURTLE": "TTL",
    "APPLICATION/PDF": "PDF",
    "APPLICATION/MSWORD": "DOC",
    "APPLICATION/VND.MS-EXCEL": "XLS",
    "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET": "XLSX",
    "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT": "DOCX",
    "APPLICATION/VND.OASIS.OPENDOCUMENT.SPREADSHEET": "ODS",
    "APPLICATION/VND.OASIS.OPENDOCUMENT.TEXT": "ODT",
    "IMAGE/PNG": "PNG",
    "IMAGE/JPEG": "JPEG",
    "IMAGE/GIF": "GIF",
    "IMAGE/TIFF": "TIFF",
    "TEXT/HTML": "HTML",
    "TEXT/PLAIN": "TXT",
    "EXCEL": "XLS",
    "JSON-LD": "JSONLD",
}


@cache
def weights() -> dict[str, Any]:
    """The weights and tunable numbers of ``data/quality_weights.yaml``, read once."""
    path = resources.files("ckanext.satudata_balikpapan").joinpath("data/quality_weights.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def round_half_up(value: float) -> int:
    """``value`` to the nearest whole number, halves up (``84.5`` -> 85, not Python's 84)."""
    return math.floor(value + 0.5)


# --- kelengkapan ------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                return _filled(json.loads(text))
            except ValueError:
                return True
        return bool(text)
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_filled(v) for v in value)
    return True


def _field_value(pkg: dict[str, Any], key: str) -> Any:
    if key == "tags":
        return [t.get("name") if isinstance(t, dict) else t for t in pkg.get("tags") or []] or pkg.get(
            "tag_string"
        )
    return pkg.get(key)


def resource_format(resource: dict[str, Any]) -> str:
    """The resource's format in upper case (``CSV``), from its ``format`` or else the
    extension of its URL; ``""`` when neither says."""
    fmt = (resource.get("format") or "").strip().upper().lstrip(".")
    if not fmt:
        path = (resource.get("url") or "").split("?", 1)[0].split("#", 1)[0]
        last = path.rsplit("/", 1)[-1]
        fmt = last.rsplit(".", 1)[-1].upper() if "." in last else ""
    return FORMAT_ALIASES.get(fmt, fmt)


def format_class(fmt: str, config: dict[str, Any] | None = None) -> str:
    """``open_machine_readable``, ``machine_readable``, ``document`` or ``unknown``."""
    config = config or weights()["openness"]
    for name, formats in config["formats"].items():
        if fmt in {f.upper() for f in formats}:
            return name
    return "unknown"


DRAFT_SCHEMA_CREDIT = 0.5


def schema_credit(value: Any) -> float:
    """1 for a Table Schema a person confirmed, 0.5 for a draft the portal inferred and no
    one confirmed yet (``"satudata:draft": true``), 0 for none."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else None
        except ValueError:
            return 0.0
    if not isinstance(value, dict) or not value.get("fields"):
        return 0.0
    return DRAFT_SCHEMA_CREDIT if value.get("satudata:draft") else 1.0


def _resource_share(pkg: dict[str, Any], check: str) -> tuple[float, float, int]:
    """The share (0..1) of the dataset's files passing ``check``, and the counts."""
    res = list(pkg.get("resources") or [])
    if check == "machine_readable":
        ok = any(
            format_class(resource_format(r)) in ("open_machine_readable", "machine_readable") for r in res
        )
        return (1.0 if ok else 0.0), int(ok), 1
    if check == "schema":
        res = [r for r in res if resource_format(r) in TABULAR]
        passed = sum(schema_credit(r.get("schema")) for r in res)
    elif check == "format":
        passed = sum(1 for r in res if resource_format(r))
    elif check == "periode":
        passed = sum(1 for r in res if _filled(r.get("periode")))
    else:
        raise ValueError(f"unknown resource check {check!r}")
    return (passed / len(res) if res else 0.0), passed, len(res)


def completeness(pkg: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The completeness part: ``{"score": 0-100 (float), "principles": {name: {"score",
    "weight", "items": [{"key", "weight", "share", "filled"}], "missing": [keys]}}}``."""
    config = config or weights()["completeness"]
    out: dict[str, Any] = {}
    total_w = total = 0.0
    for name, principle in config.items():
        items, missing = [], []
        got = possible = 0.0
        for item in principle["items"]:
            when = item.get("when") or {}
            if any(str(pkg.get(k) or "") != str(v) for k, v in when.items()):
                continue
            w = float(item.get("weight", 1))
            if "field" in item:
                key = item["field"]
                share = 1.0 if _filled(_field_value(pkg, key)) else 0.0
                counts = None
            else:
                key = f"resources.{item['resources']}"
                share, passed, of = _resource_share(pkg, item["resources"])
                counts = {"passed": passed, "of": of}
            items.append({"key": key, "weight": w, "share": share, **({"counts": counts} if counts else {})})
            if share < 1.0:
                missing.append(key)
            got += w * share
            possible += w
        score = 100.0 * got / possible if possible else 100.0
        weight = float(principle.get("weight", 1))
        out[name] = {"score": score, "weight": weight, "items": items, "missing": missing}
        total += weight * score
        total_w += weight
    return {"score": total / total_w if total_w else 0.0, "principles": out}


# --- ketepatan waktu --------------------------------------------------------------------------


def latest_period(pkg: dict[str, Any], file_periods: Iterable[Any] = ()) -> str | None:
    """The latest period the dataset holds. The files say it: their ``periode`` and the
    periods found in their content (``file_periods``, from the validation profiles), as the
    ``stale`` check reads them. Only a dataset whose files name no period falls back on its
    metadata, ``periode_akhir`` (else ``periode_awal``). None when nothing is readable."""
    files = [r.get("periode") for r in pkg.get("resources") or []] + list(file_periods)
    for candidates in (files, [pkg.get("periode_akhir") or pkg.get("periode_awal")]):
        readable = [str(v).strip() for v in candidates if v not in (None, "")]
        readable = [v for v in readable if periods.parse_period(v) is not None]
        if readable:
            return max(readable, key=periods.period_sort_key)
    return None


def timeliness(
    pkg: dict[str, Any],
    today: dt.date,
    config: dict[str, Any] | None = None,
    *,
    file_periods: Iterable[Any] = (),
) -> dict[str, Any]:
    """The timeliness part: ``{"score", "status": one_off|on_time|late|unknown, "frekuensi",
    "last_period" (:func:`latest_period`), "expected_by", "days_late"}``."""
    config = config or weights()["timeliness"]
    frekuensi = pkg.get("frekuensi") or ""
    last = latest_period(pkg, file_periods)
    out: dict[str, Any] = {
        "frekuensi": frekuensi or None,
        "last_period": last,
        "expected_by": None,
        "days_late": 0,
    }
    term = periods.frekuensi_term(frekuensi) if frekuensi else None
    if term is not None and not term.get("months"):
        return dict(out, score=100.0, status=ONE_OFF)
    due = periods.expected_by(frekuensi, last) if term is not None and last else None
    if due is None:
        return dict(out, score=0.0, status=UNKNOWN)
    out["expected_by"] = due.isoformat()
    if today <= due:
        return dict(out, score=100.0, status=ON_TIME)
    days = (today - due).days
    scale = max(float(term["months"]) * DAYS_PER_MONTH, float(config.get("min_scale_days", 90)))
    return dict(out, score=100.0 * max(0.0, 1.0 - days / scale), status=LATE, days_late=days)


# --- keterbukaan ------------------------------------------------------------------------------


def openness(pkg: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The openness part: ``{"score", "resources": [{"id", "name", "format", "class",
    "points"}], "open": files in open machine-readable formats, "total"}``."""
    config = config or weights()["openness"]
    rows = []
    for r in pkg.get("resources") or []:
        fmt = resource_format(r)
        kind = format_class(fmt, config)
        rows.append(
            {
                "id": r.get("id"),
                "name": r.get("name") or r.get("url") or "",
                "format": fmt,
                "class": kind,
                "points": float(config["points"][kind]),
            }
        )
    score = sum(r["points"] for r in rows) / len(rows) if rows else 0.0
    return {
        "score": score,
        "resources": rows,
        "open": sum(1 for r in rows if r["class"] == "open_machine_readable"),
        "total": len(rows),
    }


# --- validitas --------------------------------------------------------------------------------


def is_open(finding: dict[str, Any]) -> bool:
    """Whether a finding still needs work: not an acknowledged warning."""
    if finding.get("severity") == ERROR:
        return True
    return not (finding.get("acknowledged") or finding.get("status") == "acknowledged")


def problem_key(finding: dict[str, Any]) -> tuple[Any, ...]:
    """What makes one problem: the code in one column of one sheet of one file."""
    return (
        finding.get("resource_id"),
        finding.get("sheet"),
        finding.get("code"),
        finding.get("column"),
        finding.get("severity"),
    )


def count_findings(findings: Iterable[dict[str, Any]]) -> dict[str, int]:
    """The open findings by severity: ``{"errors": n, "warnings": n}`` (every finding)."""
    out = {"errors": 0, "warnings": 0}
    for f in findings:
        if is_open(f):
            out["errors" if f.get("severity") == ERROR else "warnings"] += 1
    return out


def validity(
    findings: Iterable[dict[str, Any]], *, validated: bool = True, config: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The validity part: ``{"score" (None when not validated), "validated", "errors" and
    "warnings" (open problems), "findings" (open findings by severity)}``."""
    config = config or weights()["validity"]
    excluded = set(config.get("excluded_codes") or [])
    findings = [f for f in findings if is_open(f)]
    problems: dict[str, set[tuple[Any, ...]]] = {ERROR: set(), WARNING: set()}
    for f in findings:
        if f.get("code") in excluded:
            continue
        problems[ERROR if f.get("severity") == ERROR else WARNING].add(problem_key(f))
    errors, warnings = len(problems[ERROR]), len(problems[WARNING])
    score: float | None = None
    if validated or errors or warnings:
        penalty = errors * float(config["error_penalty"]) + warnings * float(config["warning_penalty"])
        score = max(0.0, 100.0 - penalty)
    return {
        "score": score,
        "validated": bool(validated or errors or warnings),
        "errors": errors,
        "warnings": warnings,
        "findings": count_findings(findings),
    }


# --- the dataset score ------------------------------------------------------------------------


def dataset_score(
    pkg: dict[str, Any],
    findings: list[dict[str, Any]],
    *,
    today: dt.date,
    validated: bool = True,
    file_periods: Iterable[Any] = (),
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The quality score of a dataset.

    :param pkg: the dataset dict (package_show), with its resources.
    :param findings: its findings as dicts (``Finding.to_dict()`` plus ``resource_id``).
    :param today: the day timeliness is judged on.
    :param validated: whether any of its files has been checked; if not, and ``findings``
        is empty, validity is not assessed and its weight goes to the other parts.
    :param file_periods: the periods found in the content of its files (validation profiles).
    :returns: ``{"score": 0-100 or None, "breakdown": {part: {"score": int or None,
        "weight", "share" (percent of the total, None when not assessed), "detail": {...}}},
        "findings": {"errors": n, "warnings": n}}``.
    """
    config = config or weights()
    parts = {
        "kelengkapan": completeness(pkg, config["completeness"]),
        "ketepatan_waktu": timeliness(pkg, today, config["timeliness"], file_periods=file_periods),
        "keterbukaan": openness(pkg, config["openness"]),
        "validitas": validity(findings, validated=validated, config=config["validity"]),
    }
    breakdown: dict[str, Any] = {}
    total = total_w = 0.0
    for name in PARTS:
        detail = dict(parts[name])
        raw = detail.pop("score")
        score = None if raw is None else round_half_up(raw)
        weight = float(config["parts"][name])
        breakdown[name] = {"score": score, "weight": weight, "detail": detail}
        if score is not None:
            total += weight * score
            total_w += weight
    for part in breakdown.values():  # each assessed part's share of the total, in percent
        part["share"] = 100.0 * part["weight"] / total_w if part["score"] is not None else None
    return {
        "score": round_half_up(total / total_w) if total_w else None,
        "breakdown": breakdown,
        "findings": count_findings(findings),
    }


# --- the OPD scorecard ------------------------------------------------------------------------


def _mean(values: list[float]) -> int | None:
    return round_half_up(sum(values) / len(values)) if values else None


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    parts: dict[str, int | None] = {}
    for name in PARTS:
        values = [
            r["breakdown"][name]["score"]
            for r in rows
            if r.get("breakdown") and r["breakdown"][name]["score"] is not None
        ]
        parts[name] = _mean(values)
    return {
        "count": len(rows),
        "score": _mean([r["score"] for r in rows if r.get("score") is not None]),
        "parts": parts,
        "late": sum(1 for r in rows if r.get("late")),
        "errors": sum(int(r.get("errors") or 0) for r in rows),
        "warnings": sum(int(r.get("warnings") or 0) for r in rows),
    }


def dataset_row(pkg: dict[str, Any], status: str, published: bool, result: dict[str, Any]) -> dict[str, Any]:
    """One dataset as an OPD scorecard counts it, from its dict, workflow state and
    :func:`dataset_score` result."""
    timely = result["breakdown"]["ketepatan_waktu"]["detail"]
    return {
        "id": pkg.get("id"),
        "name": pkg.get("name"),
        "title": pkg.get("title") or pkg.get("name"),
        "status": status,
        "published": bool(published),
        "score": result["score"],
        "breakdown": result["breakdown"],
        "late": timely["status"] == LATE,
        "days_late": timely["days_late"],
        "errors": result["findings"]["errors"],
        "warnings": result["findings"]["warnings"],
    }


def opd_scorecard(org: dict[str, Any], rows: list[dict[str, Any]], *, full: bool) -> dict[str, Any]:
    """The scorecard of an OPD from its datasets' rows (:func:`dataset_row`).

    ``published`` summarises the published datasets: their count, mean score (the mean of
    the datasets' scores, rounded half up), mean of each part, late datasets and open
    findings. The public scorecard (``full=False``) holds nothing else, and lists only
    published datasets. The full one (walidata) adds ``all`` (the same over every dataset)
    and ``by_state`` (datasets per workflow state), and lists every dataset.
    """
    published = [r for r in rows if r.get("published")]
    card: dict[str, Any] = {
        "name": org.get("name"),
        "title": org.get("title") or org.get("name"),
        "full": full,
        "published": _summary(published),
    }
    listed = rows if full else published
    card["datasets"] = sorted(
        (
            {k: r.get(k) for k in ("id", "name", "title", "score", "late", "days_late", "errors", "warnings")}
            | ({"status": r.get("status"), "published": r.get("published")} if full else {})
            for r in listed
        ),
        key=lambda r: (r["score"] if r["score"] is not None else -1, r["title"] or ""),
    )
    if full:
        card["all"] = _summary(rows)
        by_state = dict.fromkeys(STATES, 0)
        for r in rows:
            by_state[r.get("status") or "draft"] = by_state.get(r.get("status") or "draft", 0) + 1
        card["by_state"] = by_state
    return card


def rank(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OPD scorecards best first: by the mean score of their published datasets (OPDs
    without any last), then by how many they published, then by name; each gets ``rank``
    (1, 2, ...; OPDs without a score get None)."""
    ordered = sorted(
        cards,
        key=lambda c: (
            c["published"]["score"] is None,
            -(c["published"]["score"] or 0),
            -c["published"]["count"],
            (c.get("title") or "").lower(),
        ),
    )
    for i, card in enumerate(ordered, start=1):
        card["rank"] = i if card["published"]["score"] is not None else None
    return ordered
