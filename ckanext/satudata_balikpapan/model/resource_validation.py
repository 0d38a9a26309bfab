"""``satudata_resource_validation``: the last validation of each CSV or XLSX resource.

One row per CSV or XLSX resource: the state of its last validation (``menunggu`` while a
background job is queued or running, ``valid``, ``tidak_valid``, or ``gagal`` when the check
itself could not run), the findings kept (``Finding.to_dict()``), the count of every finding
code, the file's SHA-256 (for ``identical_file`` across datasets) and its profile (for the
period checks of the dataset's later resources). No foreign key: a deleted resource's row is
ignored (queries join on active resources) and dropped when the dataset is checked again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.satudata_balikpapan.model import quality_ack
from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

MENUNGGU, VALID, TIDAK_VALID, GAGAL = "menunggu", "valid", "tidak_valid", "gagal"
STATUSES = (MENUNGGU, VALID, TIDAK_VALID, GAGAL)

resource_validation = sa.Table(
    "satudata_resource_validation",
    metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("sha256", sa.UnicodeText, index=True),
    sa.Column("rows", sa.Integer),
    sa.Column("findings", sa.JSON),
    sa.Column("counts", sa.JSON),
    sa.Column("profile", sa.JSON),
    sa.Column("notes", sa.JSON),  # the note lines below the table: catatan, not data
    sa.Column("checks", sa.JSON),  # which checks ran, which could not and why
    sa.Column("schema_hash", sa.UnicodeText),
    sa.Column("fingerprint", sa.UnicodeText),
    sa.Column("format", sa.UnicodeText),
    sa.Column("validated_at", sa.DateTime),
    sa.Column("queued_at", sa.DateTime),
    sa.Column("error", sa.UnicodeText),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),  # queued by the sweeper
)

TABLE = "satudata_resource_validation"

COLUMNS = tuple(c.name for c in resource_validation.columns)


def get(resource_id: str) -> dict[str, Any] | None:
    """The validation row of a resource, or None."""
    row = (
        model.Session.execute(
            sa.select(resource_validation).where(resource_validation.c.resource_id == resource_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def of_package(package_id: str) -> list[dict[str, Any]]:
    """The rows of a dataset's resources (deleted resources included; filter on the caller's side)."""
    rows = model.Session.execute(
        sa.select(resource_validation).where(resource_validation.c.package_id == package_id)
    ).mappings()
    return [dict(r) for r in rows]


def save(resource_id: str, package_id: str, **values: Any) -> None:
    """Insert or replace the row of a resource (inside the current transaction)."""
    values = {k: v for k, v in values.items() if k in COLUMNS}
    stmt = insert(resource_validation).values(resource_id=resource_id, package_id=package_id, **values)
    update = dict(values, package_id=package_id)
    model.Session.execute(stmt.on_conflict_do_update(index_elements=["resource_id"], set_=update))


def forget(resource_ids: list[str]) -> None:
    """Drop the validation rows of resources (deleted ones), inside the current transaction."""
    if resource_ids:
        model.Session.execute(
            sa.delete(resource_validation).where(resource_validation.c.resource_id.in_(resource_ids))
        )


def stamps(package_ids: list[str]) -> dict[str, str]:
    """Per dataset, a stamp of its validation rows and acknowledgements that changes whenever
    either does (its quality score may then change): two grouped queries for any number of
    datasets. Datasets with neither are absent."""
    if not package_ids:
        return {}
    rv, ack = resource_validation, quality_ack.quality_ack
    out: dict[str, str] = {}
    validations = (
        sa.select(
            rv.c.package_id,
            sa.func.count(),
            sa.func.max(rv.c.validated_at),
            sa.func.max(rv.c.queued_at),
            sa.func.string_agg(rv.c.resource_id + ":" + rv.c.status, sa.literal_column("','")),
        )
        .where(rv.c.package_id.in_(package_ids))
        .group_by(rv.c.package_id)
    )
    for package_id, count, validated, queued, statuses in model.Session.execute(validations):
        out[package_id] = f"v{count}|{validated}|{queued}|{statuses}"
    acks = (
        sa.select(ack.c.package_id, sa.func.count(), sa.func.max(ack.c.created))
        .where(ack.c.package_id.in_(package_ids))
        .group_by(ack.c.package_id)
    )
    for package_id, count, created in model.Session.execute(acks):
        out[package_id] = f"{out.get(package_id, '')}|a{count}|{created}"
    return out


def by_sha256(sha256: str, exclude_resource: str) -> list[dict[str, Any]]:
    """Active resources of active datasets, other than ``exclude_resource``, whose last
    validated file had these bytes: ``resource_id``, ``resource_name``, ``package_id``,
    ``package_title``, ``package_name``, ``package_private`` (not published)."""
    v, r, p = resource_validation, model.resource_table, model.package_table
    query = (
        sa.select(
            v.c.resource_id,
            r.c.name.label("resource_name"),
            p.c.id.label("package_id"),
            p.c.title.label("package_title"),
            p.c.name.label("package_name"),
            p.c.private.label("package_private"),
        )
        .select_from(v.join(r, r.c.id == v.c.resource_id).join(p, p.c.id == r.c.package_id))
        .where(
            v.c.sha256 == sha256,
            v.c.resource_id != exclude_resource,
            r.c.state == "active",
            p.c.state == "active",
        )
        .order_by(p.c.title, r.c.position)
    )
    return [dict(row) for row in model.Session.execute(query).mappings()]


def mark_pending(
    resource_id: str, package_id: str, *, fingerprint: str | None = None, attempts: int = 0
) -> None:
    """The resource awaits a background validation: earlier findings no longer apply."""
    save(
        resource_id,
        package_id,
        status=MENUNGGU,
        queued_at=utcnow(),
        findings=[],
        counts={},
        error=None,
        fingerprint=fingerprint,
        attempts=attempts,
    )


def waiting_without_result(stuck_before: dt.datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Validations ``menunggu`` that no job will finish: never queued (``queued_at`` empty),
    or queued before ``stuck_before``. Oldest first."""
    rv = resource_validation
    query = (
        sa.select(rv.c.resource_id, rv.c.package_id, rv.c.attempts, rv.c.fingerprint)
        .where(rv.c.status == MENUNGGU, sa.or_(rv.c.queued_at.is_(None), rv.c.queued_at < stuck_before))
        .order_by(rv.c.queued_at.nulls_first())
        .limit(limit)
    )
    return [dict(row) for row in model.Session.execute(query).mappings()]
