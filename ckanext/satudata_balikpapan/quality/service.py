"""The data quality checks inside CKAN: validate a resource's file, store the result, report it.

The pure engine (:mod:`.engine`, :mod:`.tableschema`) knows nothing of CKAN. This module
gives it a resource's file (through :func:`~ckanext.satudata_balikpapan.resource_files.fetch_resource`,
uploads and safe links alike), its Table Schema (the resource's ``schema`` field, or a draft
inferred from the file), and what the checks across resources need:

* ``previous``: the stored profiles of the dataset's other resources, for
  ``copied_previous_period`` and ``extreme_change`` (the checks look at earlier periods only);
* ``known_hashes``: the resources of *any* dataset whose last validated file had the same
  bytes (SHA-256), for ``identical_file``;
* ``satuan``: the dataset's unit, for ``unit_mismatch``;
* ``period``: the resource's ``periode``, for a file without a period column.

``stale`` is not stored: it depends on the day, so :func:`dataset_findings` computes it
when asked, from the dataset's ``frekuensi`` and the latest period of its files.

Small files are validated at once, in the request that created or changed the resource
(``ckanext.satudata.quality.sync_max_bytes``, 2 MB); larger ones by a background job
(:func:`run_validation_job`, run by ``ckan jobs worker``), the resource showing
``menunggu`` meanwhile. Nothing here ever raises into the action that changed the resource:
a check that cannot run is stored as ``gagal`` with the reason.

A resource without a schema gets a draft inferred from its file, stored in its ``schema``
field with ``"satudata:draft": true`` until a person confirms it (``satudata_schema_confirm``,
or saving the schema without the flag).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.data_api import load
from ckanext.satudata_balikpapan.lib import language, outbox, resource_files
from ckanext.satudata_balikpapan.model import quality_ack
from ckanext.satudata_balikpapan.model import resource_validation as validations
from ckanext.satudata_balikpapan.model.meta import utcnow
from ckanext.satudata_balikpapan.quality.engine import tableschema
from ckanext.satudata_balikpapan.quality.engine import validator as engine
from ckanext.satudata_balikpapan.quality.engine.findings import ERROR, WARNING, Finding, severity
from ckanext.satudata_balikpapan.quality.engine.limits import LimitExceeded, Limits, measure
from ckanext.satudata_balikpapan.quality.engine.periods import parse_period, period_sort_key, stale_check
from ckanext.satudata_balikpapan.registry import vocabularies

log = logging.getLogger(__name__)


DRAFT_KEY = "satudata:draft"
# what the engine reads, by the resource's format (or its URL's extension)
FORMATS = {
    "csv": "csv",
    "text/csv": "csv",
    "xlsx": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "xls": "xls",
    "application/vnd.ms-excel": "xls",
    "ods": "ods",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# why a check could not run (the ``error`` column starts with one of these)
NO_FILE, TOO_LARGE, BLOCKED, UNSUPPORTED, FAILED = (
    resource_files.NO_FILE,
    resource_files.TOO_LARGE,
    resource_files.BLOCKED,
    resource_files.UNSUPPORTED,
    resource_files.FAILED,
)
SCHEMA, QUEUE, INTERNAL, LOST = "schema", "queue", "internal", "lost"
# context flag of the extension's own writes, which must not trigger a validation again
INTERNAL_WRITE = "satudata_quality_internal"
# an acknowledgement of a resource that could not be checked (not a finding code)
VALIDATION_FAILED = "validation_failed"


# --- configuration ---------------------------------------------------------------------------


def sync_max_bytes() -> int:
    """Files up to this size are validated at once; larger ones by a background job."""
    return config.quality_sync_max_bytes()


def max_bytes() -> int:
    """The largest file validated at all (a larger one is ``gagal``: too large)."""
    return config.quality_max_bytes()


# --- resources -------------------------------------------------------------------------------


def tabular_format(resource: dict[str, Any]) -> str | None:
    """The engine format (``csv``, ``xlsx``, ``xls``, ``ods``) of a resource, from its
    ``format``, else the extension of its URL; None when it is not a table the checks read.
    A declared other format (PDF, API) wins over the URL's extension."""
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    if fmt:
        return FORMATS.get(fmt)
    path = urlsplit(resource.get("url") or "").path.lower()
    name = path.rsplit("/", 1)[-1]
    return FORMATS.get(name.rsplit(".", 1)[-1]) if "." in name else None


def _load(resource_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The dataset dict and the resource dict (as ``package_show`` gives them), or None
    when the resource or its dataset is gone."""
    res = model.Resource.get(resource_id)
    if res is None or res.state != "active":
        return None
    try:
        pkg = tk.get_action("package_show")(
            {"ignore_auth": True, "use_cache": False, "for_view": False}, {"id": res.package_id}
        )
    except tk.ObjectNotFound:
        return None
    for resource in pkg.get("resources") or []:
        if resource.get("id") == resource_id:
            return pkg, resource
    return None


def parse_schema(value: Any) -> dict[str, Any] | None:
    """A resource's ``schema`` value (a dict, or JSON text) as a dict; None when empty or
    not an object."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) and value else None


def without_draft(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without the draft flag (what the engine and frictionless read)."""
    return {k: v for k, v in schema.items() if k != DRAFT_KEY}


def is_draft(schema: Any) -> bool:
    """Whether a schema is a draft inferred by the portal, not yet confirmed by a person."""
    schema = parse_schema(schema)
    return bool(schema and schema.get(DRAFT_KEY))


def schema_hash(schema: dict[str, Any] | None) -> str:
    """A digest of a schema's content (the draft flag left out: confirming changes nothing)."""
    if not schema:
        return ""
    body = json.dumps(without_draft(schema), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def satuan_of(pkg: dict[str, Any]) -> str | None:
    """The dataset's unit: its ``satuan`` slug, or the text of "lainnya"."""

    satuan = pkg.get("satuan") or None
    if satuan == vocabularies.OTHER:
        satuan = pkg.get("satuan_lainnya") or None
    return satuan


def fingerprint(resource: dict[str, Any], pkg: dict[str, Any], schema: dict[str, Any] | None) -> str:
    """What a validation depends on, besides the other resources: the file (URL, size, time of
    the upload), the format, the schema and the dataset's satuan. An unchanged fingerprint
    needs no new validation."""
    parts = [
        resource.get("url") or "",
        resource.get("url_type") or "",
        str(resource.get("size") or ""),
        str(resource.get("last_modified") or ""),
        tabular_format(resource) or "",
        schema_hash(schema),
        satuan_of(pkg) or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def resource_label(resource: dict[str, Any] | Any) -> str:
    """How a message names a resource: its name, else the start of its id."""
    name = resource.get("name") if isinstance(resource, dict) else getattr(resource, "name", None)
    rid = resource.get("id") if isinstance(resource, dict) else getattr(resource, "id", "")
    return name or (rid or "")[:8]


# --- reading results -------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _row_out(row: dict[str, Any]) -> dict[str, Any]:
    counts = dict(row.get("counts") or {})
    return {
        "resource_id": row["resource_id"],
        "package_id": row["package_id"],
        "status": row["status"],
        "findings": list(row.get("findings") or []),
        "counts": counts,
        "errors": sum(n for code, n in counts.items() if severity(code) == ERROR),
        "warnings": sum(n for code, n in counts.items() if severity(code) == WARNING),
        "rows": row.get("rows"),
        "notes": list(row.get("notes") or []),
        "checks": dict(row.get("checks") or {}),
        "sha256": row.get("sha256"),
        "format": row.get("format"),
        "schema_hash": row.get("schema_hash"),
        "validated_at": _iso(row.get("validated_at")),
        "queued_at": _iso(row.get("queued_at")),
        "error": row.get("error"),
    }


def validation_of(resource_id: str) -> dict[str, Any] | None:
    """The last validation of a resource, or None when it was never validated (not a table,
    or created before the portal checked files).

    Keys: ``status`` (``menunggu``, ``valid``, ``tidak_valid``, ``gagal``), ``findings``
    (``Finding.to_dict()``: at most 100 per code, in file order), ``counts`` (every occurrence
    per code), ``errors`` and ``warnings`` (sums of ``counts``), ``rows``, ``sha256``,
    ``format``, ``validated_at`` and ``queued_at`` (ISO text), ``error`` (why a ``gagal``
    check could not run: ``"<reason>: <detail>"``, see :func:`failure_message`)."""
    row = validations.get(resource_id)
    return _row_out(row) if row else None


def active_resources(package_id: str) -> list[model.Resource]:
    """The dataset's active resources, in their order."""
    return (
        model.Session.query(model.Resource)
        .filter(model.Resource.package_id == package_id, model.Resource.state == "active")
        .order_by(model.Resource.position)
        .all()
    )


def ack_target(row: dict[str, Any]) -> str:
    """What an acknowledgement of a resource's warnings holds for: its file and schema."""
    return f"{row.get('sha256') or ''}:{row.get('schema_hash') or ''}"


def _stale(pkg: model.Package, resources: list[model.Resource], rows: dict[str, dict], today: dt.date | None):
    """The dataset-level ``stale`` finding, or None: the update after the latest period of
    the dataset's files (their profiles' periods and their ``periode``) is overdue."""
    frekuensi = (pkg.extras or {}).get("frekuensi")
    if not frekuensi:
        return None, None
    candidates = []
    for res in resources:
        periode = (res.extras or {}).get("periode")
        if periode and parse_period(periode):
            candidates.append(str(periode))
        profile = (rows.get(res.id) or {}).get("profile") or {}
        candidates += [p for p in (profile.get("periods") or {}) if p and parse_period(p)]
    if not candidates:
        return None, None
    last = max(candidates, key=period_sort_key)
    return stale_check(frekuensi, last, today), last


@dataclass
class Snapshot:
    """What the dataset-level reports read, read once: the dataset, its active resources,
    their validation rows and the walidata's acknowledgements. The gate of one publication
    and one quality report each build a single snapshot and derive everything from it."""

    pkg: model.Package
    resources: list[model.Resource]
    rows: dict[str, dict[str, Any]]
    acks: set[tuple[str | None, str, str]]


def snapshot(package_id: str, rows: dict[str, dict[str, Any]] | None = None) -> Snapshot | None:
    """The :class:`Snapshot` of an active dataset (None when it is gone); ``rows``: its
    validation rows when the caller has just read them (:func:`check_dataset`)."""
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted":
        return None
    if rows is None:
        rows = {row["resource_id"]: row for row in validations.of_package(pkg.id)}
    return Snapshot(pkg, active_resources(pkg.id), rows, quality_ack.acknowledgements(pkg.id))


def dataset_findings(
    package_id: str, *, today: dt.date | None = None, snap: Snapshot | None = None
) -> list[dict[str, Any]]:
    """Every finding of the dataset's active resources, then the dataset-level ``stale``
    (computed for ``today``, default the current date) when the next update is overdue.

    Each is ``Finding.to_dict()`` (``code``, ``severity``, ``row``, ``column``, ``sheet``,
    ``value``, ``details``, ``title`` and ``message`` in ``id`` and ``en``) plus
    ``resource_id`` and ``resource_name`` (None for ``stale``) and ``acknowledged``: a
    warning the walidata published past, with a reason, for the same file and schema (or
    the same last period) - it needs no new acknowledgement. Errors are never acknowledged.
    A file's findings are those kept (at most 100 per code); :func:`validation_summary`
    counts them all. ``snap``: a :func:`snapshot` already read."""
    snap = snap or snapshot(package_id)
    if snap is None:
        return []
    out: list[dict[str, Any]] = []
    for res in snap.resources:
        row = snap.rows.get(res.id)
        if not row or row["status"] not in (validations.VALID, validations.TIDAK_VALID):
            continue
        target = ack_target(row)
        for finding in row.get("findings") or []:
            acked = finding.get("severity") == WARNING and (res.id, finding.get("code"), target) in snap.acks
            out.append(
                dict(finding, resource_id=res.id, resource_name=resource_label(res), acknowledged=acked)
            )
    stale, last = _stale(snap.pkg, snap.resources, snap.rows, today)
    if stale is not None:
        acked = (None, "stale", str(last)) in snap.acks
        out.append(dict(stale.to_dict(), resource_id=None, resource_name=None, acknowledged=acked))
    return out


def validation_summary(package_id: str, snap: Snapshot | None = None) -> dict[str, Any]:
    """The dataset's validation at a glance: ``resources`` (``{resource_id: status}`` of its
    active, validated resources), ``errors`` (every error occurrence), ``warnings`` (warning
    occurrences not acknowledged, ``stale`` included), ``acknowledged`` (acknowledged
    warning occurrences), ``pending`` (resources ``menunggu``) and ``failed`` (``gagal``).
    ``snap``: a :func:`snapshot` already read."""
    out = {"resources": {}, "errors": 0, "warnings": 0, "acknowledged": 0, "pending": 0, "failed": 0}
    snap = snap or snapshot(package_id)
    if snap is None:
        return out
    for res in snap.resources:
        row = snap.rows.get(res.id)
        if not row:
            continue
        out["resources"][res.id] = row["status"]
        out["pending"] += row["status"] == validations.MENUNGGU
        out["failed"] += row["status"] == validations.GAGAL
        if row["status"] not in (validations.VALID, validations.TIDAK_VALID):
            continue
        target = ack_target(row)
        for code, n in (row.get("counts") or {}).items():
            if severity(code) == ERROR:
                out["errors"] += n
            elif (res.id, code, target) in snap.acks:
                out["acknowledged"] += n
            else:
                out["warnings"] += n
    stale, last = _stale(snap.pkg, snap.resources, snap.rows, None)
    if stale is not None:
        out["acknowledged" if (None, "stale", str(last)) in snap.acks else "warnings"] += 1
    return out


def failure_message(error: str | None) -> str:
    """Why a check could not run (a ``gagal`` validation), in the user's language."""
    reason, _, detail = (error or "").partition(": ")
    messages = {
        NO_FILE: tk._("The file cannot be found"),
        TOO_LARGE: tk._("The file is larger than the portal checks"),
        BLOCKED: tk._("The portal may not fetch files from this address"),
        UNSUPPORTED: tk._("Only http and https links can be fetched"),
        FAILED: tk._("The file could not be fetched"),
        SCHEMA: tk._("The column schema is not valid"),
        QUEUE: tk._("The check could not be queued"),
        LOST: tk._(
            "The check did not finish after several attempts (the background job service failed); "
            "check the file again"
        ),
        INTERNAL: tk._("The check stopped with an unexpected error"),
    }
    text = messages.get(reason, tk._("The check could not run"))
    return f"{text} ({detail})" if detail and reason in (SCHEMA, FAILED, TOO_LARGE) else text


# --- running ---------------------------------------------------------------------------------


class _Enqueue(Exception):
    """The file is larger than the caller may read now: a background job must check it."""


def _previous(pkg: dict[str, Any], resource_id: str) -> dict[str, dict]:
    """The stored profiles of the dataset's other resources, by resource name."""
    rows = {row["resource_id"]: row for row in validations.of_package(pkg["id"])}
    out: dict[str, dict] = {}
    for res in pkg.get("resources") or []:
        row = rows.get(res["id"])
        if res["id"] == resource_id or not row or not row.get("profile"):
            continue
        if row["status"] not in (validations.VALID, validations.TIDAK_VALID):
            continue
        label = resource_label(res)
        while label in out:
            label += " "
        out[label] = row["profile"]
    return out


def _known_hashes(sha: str, resource_id: str) -> dict[str, dict[str, Any]]:
    """The other resources whose file had these bytes, as the finding shows them to anyone who
    reads this resource: published ones by name, unpublished ones (another OPD's draft) only
    counted."""
    others = validations.by_sha256(sha, resource_id)
    if not others:
        return {}
    names = [
        f'"{o["resource_name"] or o["resource_id"][:8]}" ({o["package_title"] or o["package_name"]})'
        for o in others
        if not o["package_private"]
    ]
    shown = ", ".join(names[:3]) + (f", +{len(names) - 3}" if len(names) > 3 else "")
    return {sha: {"other": shown, "unpublished": len(others) - len(names)}}


def _file_error(path: Path, error: Exception | None) -> list[Finding]:
    if isinstance(error, LimitExceeded):
        return [Finding.make("file_error", details=error.details())]
    if path.stat().st_size == 0:
        return [Finding.make("file_error", details={"kind": "empty"})]
    detail = f"{type(error).__name__}: {str(error)[:300]}" if error else "no header row"
    return [Finding.make("file_error", details={"error": detail})]


def _store_schema(resource_id: str, package_id: str, schema: dict[str, Any]) -> None:
    """Write a draft schema into the resource's ``schema`` field.

    A direct write, not ``resource_patch``: the portal's own draft is no edit by a person, so
    it must not enter the dataset's activity stream or verification history (a produsen's
    confirmation later does). The dataset is re-indexed so that ``package_show`` sees it."""

    res = model.Resource.get(resource_id)
    if res is None:
        return
    extras = dict(res.extras or {})
    extras["schema"] = json.dumps(schema, ensure_ascii=False)
    res.extras = extras
    model.Session.commit()
    try:
        search.rebuild(package_id)
    except Exception:  # the index catches up at the next edit; the draft is stored
        log.exception("Satu Data: could not re-index %s after storing a draft schema", package_id)


def reading_limits(*, sync: bool) -> Limits:
    """The bounds on reading one file (:mod:`.engine.limits`), from the configuration: the
    background job's, or the smaller ones of a check made while a user waits (``sync``)."""
    return Limits(**config.quality_reading_bounds(sync=sync))


def _beyond_limits(findings: list[Finding]) -> bool:
    return any(f.code == "file_error" and f.details.get("kind") == "limit" for f in findings)


def _validate_file(
    path: Path, fmt: str, pkg: dict[str, Any], resource: dict[str, Any], *, sync: bool = False
) -> dict[str, Any]:
    """Validate a local copy of the resource's file and store the result; a draft schema is
    inferred and stored on the resource when it has none.

    The file is read within :func:`reading_limits`. Beyond the job's bounds, the result is
    ``tidak valid`` with a ``file_error`` naming the limit, at once. Beyond only the smaller
    bounds of a check within a request (``sync``), :class:`_Enqueue` is raised before
    anything is stored: the background job, with its larger bounds, decides, and the user
    does not wait."""
    bounds = reading_limits(sync=sync)
    sha = engine.file_sha256(path)
    refused: LimitExceeded | None = None
    try:
        measure(str(path), fmt, reading_limits(sync=False))
    except LimitExceeded as error:
        refused = error
    except Exception:  # a broken file: the readers below report it as a file_error
        log.debug("Satu Data: %s could not be measured", resource["id"], exc_info=True)
    schema = parse_schema(resource.get("schema"))
    if schema is not None and schema.get(DRAFT_KEY):
        last = validations.get(resource["id"])
        if last is None or last.get("sha256") != sha:
            schema = None  # a draft guessed from another file: guess again from this one
    draft = None
    infer_error: Exception | None = None
    if schema is None and refused is None:
        try:
            inferred = tableschema.infer(str(path), fmt, limits=bounds)
        except LimitExceeded as error:
            if sync:
                raise _Enqueue from error
            inferred, infer_error = None, error
        except Exception as error:  # an unreadable file: reported below as file_error
            inferred, infer_error = None, error
        if inferred and inferred.get("fields") and tableschema.is_valid_descriptor(inferred):
            schema = draft = {**inferred, DRAFT_KEY: True}
    values: dict[str, Any] = {
        "sha256": sha,
        "schema_hash": schema_hash(schema),
        "fingerprint": fingerprint(resource, pkg, schema),
        "format": fmt,
        "validated_at": utcnow(),
        "error": None,
        "queued_at": None,
    }
    stage: load.Stage | None = None
    if refused is not None or schema is None:
        findings = _file_error(path, refused or infer_error)
        values.update(
            status=validations.TIDAK_VALID, rows=0, profile=None,
            findings=[f.to_dict() for f in findings], counts={"file_error": 1},
        )  # fmt: skip
    else:
        stage = load.open_stage(without_draft(schema))
        context = engine.ValidationContext(
            satuan=satuan_of(pkg),
            previous=_previous(pkg, resource["id"]),
            known_hashes=_known_hashes(sha, resource["id"]),
            period=resource.get("periode") or None,
            copied_share=config.quality_copied_share(),
            sha256=sha,
            sink=stage.write if stage is not None else None,
        )
        try:
            report = engine.validate(str(path), fmt, without_draft(schema), context=context, limits=bounds)
            if sync and _beyond_limits(report.findings):
                raise _Enqueue
        except tableschema.SchemaError as error:
            values.update(status=validations.GAGAL, error=f"{SCHEMA}: {'; '.join(error.errors)[:1000]}")
        except BaseException:
            if stage is not None:
                stage.discard()  # nothing is stored (enqueued, or broken off): nothing is loaded
            raise
        else:
            values.update(
                status=validations.VALID if report.valid else validations.TIDAK_VALID,
                rows=report.rows,
                findings=[f.to_dict() for f in report.findings],
                counts=dict(report.counts),
                profile=report.profile,
                notes=report.notes,
                checks=report.checks,
            )
    try:
        validations.save(resource["id"], pkg["id"], **values)
        model.Session.commit()
    except BaseException:
        if stage is not None:
            stage.discard()
        raise
    try:
        if draft is not None and draft != parse_schema(resource.get("schema")):
            _store_schema(resource["id"], pkg["id"], draft)
    finally:
        # Durable now: the rows of a file that passed become its DataStore table, and a file
        # that did not pass leaves none (load.settle never raises). After the draft schema is
        # stored: datastore_create patches the resource, and the patch must find the
        # validation up to date with the resource's schema, or it would queue it again.
        load.settle(resource["id"], stage, passed=values["status"] == validations.VALID)
    return values


def _fail(resource_id: str, package_id: str, error: str, fp: str | None = None) -> None:
    model.Session.rollback()
    validations.save(
        resource_id, package_id, status=validations.GAGAL, error=error[:2000], findings=[], counts={},
        validated_at=utcnow(), queued_at=None, fingerprint=fp,
    )  # fmt: skip
    model.Session.commit()


def _run(
    resource_id: str,
    *,
    limit: int,
    enqueue_larger: bool,
    loaded: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """Validate a resource now (a file up to ``limit`` bytes). A larger file raises
    :class:`_Enqueue` when ``enqueue_larger``, else is ``gagal`` (too large). ``loaded``:
    the dataset and resource dicts, when the caller has them."""
    loaded = loaded or _load(resource_id)
    if loaded is None:
        return None
    pkg, resource = loaded
    fmt = tabular_format(resource)
    if fmt is None:
        return None
    schema = parse_schema(resource.get("schema"))
    fp = fingerprint(resource, pkg, schema)
    size = resource.get("size")
    if enqueue_larger and isinstance(size, int) and size > limit and resource.get("url_type") == "upload":
        raise _Enqueue
    try:
        path, temporary = resource_files.fetch_resource(resource, max_bytes=limit)
    except resource_files.ResourceUnavailable as error:
        if error.reason == TOO_LARGE and enqueue_larger:
            raise _Enqueue from error
        _fail(resource_id, pkg["id"], f"{error.reason}: {error.detail}"[:2000], fp)
        return validation_of(resource_id)
    try:
        _validate_file(path, fmt, pkg, resource, sync=enqueue_larger)
    finally:
        if temporary:
            path.unlink(missing_ok=True)
    return validation_of(resource_id)


def _guarded(resource_id: str, action: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """Run ``action``; an unexpected failure becomes a ``gagal`` validation, never an error."""
    try:
        return action()
    except Exception as error:
        log.exception("Satu Data: validation of resource %s failed", resource_id)
        try:
            model.Session.rollback()
            res = model.Resource.get(resource_id)
            if res is not None:
                _fail(resource_id, res.package_id, f"{INTERNAL}: {type(error).__name__}: {error}"[:2000])
                return validation_of(resource_id)
        except Exception:
            log.exception("Satu Data: could not record the failed validation of %s", resource_id)
            model.Session.rollback()
        return None


def validate_resource(resource_id: str) -> dict[str, Any] | None:
    """Validate a resource now, whatever its size (up to ``ckanext.satudata.quality.max_bytes``),
    store the result and return :func:`validation_of`; None when the resource is gone or not
    a CSV or spreadsheet. Never raises: a check that cannot run is stored as ``gagal``."""
    return _guarded(resource_id, lambda: _run(resource_id, limit=max_bytes(), enqueue_larger=False))


def run_validation_job(resource_id: str) -> str | None:
    """Background job (``ckan jobs worker``): validate a resource; returns its status. When
    the file's content differs from its last check, the dataset's other files are checked
    again (their cross-file findings compare with it)."""
    before = _content(validations.get(resource_id))
    result = validate_resource(resource_id)
    row = validations.get(resource_id)
    if row and _content(row) != before and row["status"] in (validations.VALID, validations.TIDAK_VALID):
        others = [
            r["resource_id"]
            for r in validations.of_package(row["package_id"])
            if r["resource_id"] != resource_id
        ]
        active = {r.id for r in active_resources(row["package_id"])}
        _check_others(row["package_id"], [rid for rid in others if rid in active])
    return result["status"] if result else None


def enqueue_validation(resource_id: str, attempts: int = 0) -> bool | None:
    """Mark the resource ``menunggu`` and queue its validation as a CKAN background job;
    True when queued, None when the resource is gone.

    When the queue is down (Redis), the resource stays ``menunggu`` without ``queued_at``
    and False is returned, never an error: the sweeper (:func:`sweep_validations`) queues it
    once Redis is back, so an upload made during the outage is still checked. ``attempts``
    counts the sweeper's tries (a user's own check starts again from 0)."""
    loaded = _load(resource_id)
    if loaded is None:
        return None
    pkg, resource = loaded
    fp = fingerprint(resource, pkg, parse_schema(resource.get("schema")))
    validations.mark_pending(resource_id, pkg["id"], fingerprint=fp, attempts=attempts)
    model.Session.commit()
    try:
        tk.enqueue_job(
            run_validation_job,
            [resource_id],
            title=f"satudata validate {resource_id}",
            rq_kwargs={"timeout": config.quality_job_timeout()},
        )
    except Exception as error:
        log.warning(
            "Satu Data: could not queue the validation of %s (%s); the sweeper will", resource_id, error
        )
        model.Session.rollback()
        validations.save(
            resource_id, pkg["id"], status=validations.MENUNGGU, queued_at=None,
            error=f"{QUEUE}: {type(error).__name__}"[:200], attempts=attempts,
        )  # fmt: skip
        model.Session.commit()
        return False
    return True


def sweep_validations(now: dt.datetime | None = None, stuck_minutes: int | None = None) -> dict[str, int]:
    """Queue again every validation that waits without a job: never queued (Redis was down),
    or queued longer ago than ``stuck_minutes`` (by default
    ``ckanext.satudata.sweep.stuck_minutes``) without a result (the
    job was lost with Redis, or its worker was killed). After
    ``ckanext.satudata.sweep.max_attempts`` the validation is ``gagal`` (``lost``) with the
    reason, and the file page offers to check it again. Returns what was queued, failed and
    forgotten (rows of files that are gone)."""
    now = now or utcnow()
    limit = config.sweep_max_attempts()
    done = {"queued": 0, "failed": 0, "forgotten": 0}
    for row in validations.waiting_without_result(outbox.lost_before(now, stuck_minutes)):
        if row["attempts"] >= limit:
            _fail(row["resource_id"], row["package_id"], f"{LOST}: {row['attempts']}", row.get("fingerprint"))
            done["failed"] += 1
            continue
        queued = enqueue_validation(row["resource_id"], attempts=row["attempts"] + 1)
        if queued is None:
            validations.forget([row["resource_id"]])
            model.Session.commit()
            done["forgotten"] += 1
        elif not queued:
            break  # the queue is still down: the next sweep tries again
        else:
            done["queued"] += 1
    return done


def check_resource(resource_id: str, *, force: bool = False) -> dict[str, Any] | None:
    """Bring a resource's validation up to date, as the resource hooks do: nothing when it
    is not a CSV or spreadsheet, or when file, schema and satuan are unchanged since the
    last validation (unless ``force``); a small file at once, a larger one by a background
    job. Returns :func:`validation_of`; never raises."""

    def work() -> dict[str, Any] | None:
        loaded = _load(resource_id)
        if loaded is None:
            return None
        pkg, resource = loaded
        if tabular_format(resource) is None:
            return None
        row = validations.get(resource_id)
        fp = fingerprint(resource, pkg, parse_schema(resource.get("schema")))
        if not force and row and row.get("fingerprint") == fp:
            return _row_out(row)
        try:
            return _run(resource_id, limit=sync_max_bytes(), enqueue_larger=True, loaded=loaded)
        except _Enqueue:
            enqueue_validation(resource_id)
            return validation_of(resource_id)

    return _guarded(resource_id, work)


def keep_schemas(data_dict: dict[str, Any]) -> dict[str, Any]:
    """``data_dict`` of a ``package_update`` with each existing resource's Table Schema kept
    where the input leaves ``schema`` out (a client that does not know the field must not
    lose the columns a person described)."""
    resources = data_dict.get("resources")
    if not isinstance(resources, list):
        return data_dict
    kept = []
    for resource in resources:
        if isinstance(resource, dict) and resource.get("id") and "schema" not in resource:
            res = model.Resource.get(resource["id"])
            stored = (res.extras or {}).get("schema") if res is not None else None
            if stored:
                resource = dict(resource, schema=stored)
        kept.append(resource)
    return dict(data_dict, resources=kept)


def check_dataset(package_id: str) -> dict[str, dict[str, Any]] | None:
    """:func:`check_resource` for each CSV or spreadsheet resource of a dataset whose file,
    schema or satuan changed since its last validation, or that was never validated (the
    dataset hooks: resources added or changed with ``package_create``/``package_update``, a
    new satuan; and the publish gate). Never raises.

    A file's cross-file findings (``copied_previous_period``, ``extreme_change``) compare it
    with the dataset's other files, so when a file's content changes or a file is deleted, the
    other files already checked are checked again (once: a file's own profile depends on its
    bytes only).

    Returns the dataset's validation rows when nothing needed checking (they are current, and
    the publish gate reads them from here instead of again), else None."""
    try:
        pkg = tk.get_action("package_show")(
            {"ignore_auth": True, "use_cache": False, "for_view": False}, {"id": package_id}
        )
        rows = {row["resource_id"]: row for row in validations.of_package(pkg["id"])}
    except Exception:  # a dataset gone, or a broken transaction: nothing to check
        log.exception("Satu Data: could not check the files of %s", package_id)
        model.Session.rollback()
        return None
    tables = [r for r in pkg.get("resources") or [] if tabular_format(r) is not None]
    current = {r["id"] for r in pkg.get("resources") or []}
    gone = [rid for rid, row in rows.items() if rid not in current and row.get("profile")]
    changed, fresh = bool(gone), set()  # fresh: checked after the last change
    for resource in tables:
        row = rows.get(resource["id"])
        if row and row.get("fingerprint") == fingerprint(resource, pkg, parse_schema(resource.get("schema"))):
            continue
        check_resource(resource["id"])
        if _content(validations.get(resource["id"])) != _content(row):
            changed, fresh = True, set()
        fresh.add(resource["id"])
    if not changed:
        return None if fresh else rows
    try:
        validations.forget(gone)
        model.Session.commit()
    except Exception:
        log.exception("Satu Data: could not drop the validations of deleted files of %s", package_id)
        model.Session.rollback()
    _check_others(pkg["id"], [r["id"] for r in tables if r["id"] not in fresh])
    return None


def _content(row: dict[str, Any] | None) -> tuple[Any, Any]:
    """What other files' findings see of a file's validation: its bytes and profile."""
    return ((row or {}).get("sha256"), (row or {}).get("profile"))


def _check_others(package_id: str, resource_ids: list[str]) -> None:
    """Check again the files among ``resource_ids`` that were checked before (valid or not):
    another file of their dataset changed."""
    settled = {
        r["resource_id"]
        for r in validations.of_package(package_id)
        if r["status"] in (validations.VALID, validations.TIDAK_VALID)
    }
    for resource_id in resource_ids:
        if resource_id in settled:
            check_resource(resource_id, force=True)


def on_dataset_change(context: dict[str, Any], package_id: str) -> None:
    """The hook of the chained ``package_create`` and ``package_update``: validate what
    changed, once the caller's work is committed. A caller that defers its commit (CKAN
    2.11's ``resource_create`` around its ``package_update``) is left alone: its own hook, or
    the publish gate, validates later."""
    if context.get("defer_commit") or context.get(INTERNAL_WRITE) or not package_id:
        return
    check_dataset(package_id)


def schema_of_file(resource_id: str) -> dict[str, Any]:
    """A Table Schema inferred from the resource's file (not stored). Raises
    ``tk.ObjectNotFound`` or ``tk.ValidationError`` (not a table, or the file cannot be had)."""
    loaded = _load(resource_id)
    if loaded is None:
        raise tk.ObjectNotFound(tk._("Resource was not found."))
    _pkg, resource = loaded
    fmt = tabular_format(resource)
    if fmt is None:
        raise tk.ValidationError({"format": [tk._("Only CSV and spreadsheet files have a column schema")]})
    try:
        path, temporary = resource_files.fetch_resource(resource, max_bytes=max_bytes())
    except resource_files.ResourceUnavailable as error:
        raise tk.ValidationError({"url": [failure_message(f"{error.reason}: {error.detail}")]}) from error
    try:
        schema = tableschema.infer(str(path), fmt, limits=reading_limits(sync=True))
    except LimitExceeded as error:
        finding = Finding.make("file_error", details=error.details())
        raise tk.ValidationError({"url": [finding.message(language.ui_lang())]}) from error
    except Exception as error:
        raise tk.ValidationError({"url": [tk._("The file cannot be read as a table")]}) from error
    finally:
        if temporary:
            path.unlink(missing_ok=True)
    if not schema.get("fields"):
        raise tk.ValidationError({"url": [tk._("The file cannot be read as a table")]})
    return schema
