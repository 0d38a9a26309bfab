"""``satudata_dataset_state``: the verification state of each dataset (one row a dataset).

The row holds the workflow status, whether the dataset is published (CKAN's ``private`` flag
follows it), the dates of its first and last publication and the last note. A dataset that
predates the workflow has no row until its first step (``workflow.service.state_of``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

dataset_state = sa.Table(
    "satudata_dataset_state",
    metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
    sa.Column("first_published", sa.DateTime),
    sa.Column("last_published", sa.DateTime),
    sa.Column("changed", sa.DateTime, nullable=False),
    sa.Column("last_note", sa.UnicodeText),
)

TABLE = "satudata_dataset_state"


def get_state(package_id: str, for_update: bool = False) -> dict[str, Any] | None:
    """The workflow state row of a dataset; ``for_update`` locks it until the transaction ends."""
    query = sa.select(dataset_state).where(dataset_state.c.package_id == package_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).mappings().first()
    return dict(row) if row else None


def states(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The state rows of ``package_ids`` by id, in one query (a dataset without a row is
    missing from the answer)."""
    if not package_ids:
        return {}
    query = sa.select(dataset_state).where(dataset_state.c.package_id.in_(package_ids))
    return {row["package_id"]: dict(row) for row in model.Session.execute(query).mappings()}


def save_state(package_id: str, **values: Any) -> None:
    """Insert or update the state row (inside the current transaction)."""
    values["changed"] = utcnow()
    exists = model.Session.execute(
        sa.select(dataset_state.c.package_id).where(dataset_state.c.package_id == package_id)
    ).first()
    if exists:
        model.Session.execute(
            dataset_state.update().where(dataset_state.c.package_id == package_id).values(**values)
        )
    else:
        model.Session.execute(dataset_state.insert().values(package_id=package_id, **values))


def ensure_state(package_id: str, **defaults: Any) -> None:
    """Create the state row with ``defaults`` unless it exists (safe under concurrency)."""
    stmt = insert(dataset_state).values(package_id=package_id, changed=utcnow(), **defaults)
    model.Session.execute(stmt.on_conflict_do_nothing(index_elements=["package_id"]))


def forget(package_id: str) -> None:
    """Drop a purged dataset's state row (inside the current transaction)."""
    model.Session.execute(dataset_state.delete().where(dataset_state.c.package_id == package_id))


def _is_public() -> Any:
    """The rule, in SQL, of a dataset the database holds as public: active, not private, and
    published by the workflow (a dataset without a state row predates the workflow: its CKAN
    visibility decides, as ``workflow.service.state_of`` says)."""
    pkg = model.package_table
    return sa.and_(
        pkg.c.state == "active",
        pkg.c.private.is_(False),
        sa.or_(dataset_state.c.published.is_(None), dataset_state.c.published.is_(True)),
    )


def _with_state() -> Any:
    pkg = model.package_table
    return pkg.outerjoin(dataset_state, dataset_state.c.package_id == pkg.c.id)


def published_ids(package_ids: list[str]) -> set[str]:
    """Which of ``package_ids`` the database holds as public (:func:`_is_public`)."""
    if not package_ids:
        return set()
    pkg = model.package_table
    query = sa.select(pkg.c.id).select_from(_with_state()).where(pkg.c.id.in_(package_ids), _is_public())
    return {row[0] for row in model.Session.execute(query)}


def visibility() -> dict[str, dict[str, Any]]:
    """Every dataset not deleted: whether the database holds it as public
    (:func:`_is_public`) and its last change, by id (what the reconciler compares with the
    index)."""
    pkg = model.package_table
    query = (
        sa.select(pkg.c.id, pkg.c.metadata_modified, _is_public().label("public"))
        .select_from(_with_state())
        .where(pkg.c.state != "deleted", pkg.c.type == "dataset")
    )
    return {
        row["id"]: {"public": bool(row["public"]), "modified": row["metadata_modified"]}
        for row in model.Session.execute(query).mappings()
    }
