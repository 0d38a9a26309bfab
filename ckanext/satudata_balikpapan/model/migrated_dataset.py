"""``satudata_migrated_dataset``: each dataset that came from the city's former CKAN portal
(``ckan satudata migrate``), one row a dataset.

The row says where the dataset came from (the old portal, its old name, organisation and
state), what was migrated (``source_hash``: a second run of an unchanged dataset changes
nothing), the checksums of the copied files, and what the OPD must still complete
(``missing``) or look at (``unmapped`` old values, ``problems``). Whether the walidata has
verified the dataset since is not stored: it is read from the verification state (a
publication after ``migrated_at``), so it can never disagree with the history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

migrated_dataset = sa.Table(
    "satudata_migrated_dataset",
    metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("source", sa.UnicodeText, nullable=False),
    sa.Column("source_name", sa.UnicodeText, nullable=False),
    sa.Column("source_org", sa.UnicodeText),
    sa.Column("source_state", sa.UnicodeText, nullable=False),
    sa.Column("source_hash", sa.UnicodeText, nullable=False),
    sa.Column("owner_org", sa.UnicodeText, index=True),
    sa.Column("arrived_as", sa.UnicodeText, nullable=False),
    sa.Column("files", sa.JSON),
    sa.Column("missing", sa.JSON),
    sa.Column("unmapped", sa.JSON),
    sa.Column("problems", sa.JSON),
    sa.Column("migrated_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

TABLE = "satudata_migrated_dataset"

# The context key with which the migration (legacy/service.py), and nothing else, creates and
# updates datasets (logic/validators.satudata_incomplete_if_migrated): the action API cannot
# set a context key.
CONTEXT_KEY = "satudata_migrating"


def get(package_id: str) -> dict[str, Any] | None:
    """The migration record of a dataset, or None for a dataset made on this portal."""
    row = (
        model.Session.execute(sa.select(migrated_dataset).where(migrated_dataset.c.package_id == package_id))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def records(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The migration records of several datasets at once (one query), by package id; a
    dataset made on this portal has none."""
    if not package_ids:
        return {}
    query = sa.select(migrated_dataset).where(migrated_dataset.c.package_id.in_(package_ids))
    return {row["package_id"]: dict(row) for row in model.Session.execute(query).mappings()}


def save(package_id: str, **values: Any) -> None:
    """Insert or update a dataset's migration record (inside the current transaction)."""
    now = utcnow()
    if get(package_id) is None:
        values.setdefault("migrated_at", now)
        model.Session.execute(
            migrated_dataset.insert().values(package_id=package_id, updated_at=now, **values)
        )
    else:
        model.Session.execute(
            migrated_dataset.update()
            .where(migrated_dataset.c.package_id == package_id)
            .values(updated_at=now, **values)
        )


def of_organization(owner_org: str | None = None) -> list[dict[str, Any]]:
    """The migration records of one OPD (its organisation id), or of all, by old name."""
    query = sa.select(migrated_dataset).order_by(migrated_dataset.c.source_name)
    if owner_org is not None:
        query = query.where(migrated_dataset.c.owner_org == owner_org)
    return [dict(row) for row in model.Session.execute(query).mappings()]


def awaits_verification(record: dict[str, Any], published: bool, last_published: Any) -> bool:
    """Whether a migrated dataset is public only because it was public on the former portal:
    it arrived published, is still published, and the walidata has not published it since
    (its last publication is not after its migration). :func:`awaiting_verification` is the
    same rule in SQL."""
    verified = last_published is not None and last_published > record["migrated_at"]
    return record["arrived_as"] == "terbit" and bool(published) and not verified


def awaiting_verification(package_id: Any, last_published: Any) -> Any:
    """:func:`awaits_verification` in SQL, for a query of published datasets."""
    return sa.exists().where(
        migrated_dataset.c.package_id == package_id,
        migrated_dataset.c.arrived_as == "terbit",
        sa.or_(last_published.is_(None), last_published <= migrated_dataset.c.migrated_at),
    )


def forget(package_id: str) -> None:
    """Drop a purged dataset's record (inside the current transaction)."""
    model.Session.execute(migrated_dataset.delete().where(migrated_dataset.c.package_id == package_id))
