"""The extension's own tables (created by the alembic migration in ``migration/``).

They live on their own SQLAlchemy ``MetaData``: CKAN's test and purge helpers, which walk
CKAN's metadata, never touch the append-only history.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

metadata = sa.MetaData()

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

workflow_event = sa.Table(
    "satudata_workflow_event",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("package_name", sa.UnicodeText, nullable=False),
    sa.Column("package_title", sa.UnicodeText),
    sa.Column("owner_org", sa.UnicodeText),
    sa.Column("action", sa.UnicodeText, nullable=False),
    sa.Column("from_state", sa.UnicodeText),
    sa.Column("to_state", sa.UnicodeText),
    sa.Column("actor_id", sa.UnicodeText),
    sa.Column("actor_name", sa.UnicodeText),
    sa.Column("role", sa.UnicodeText, nullable=False),
    sa.Column("note", sa.UnicodeText),
    sa.Column("changed_fields", sa.UnicodeText),
    sa.Column("created", sa.DateTime, nullable=False),
)

TABLES = ("satudata_workflow_event", "satudata_dataset_state")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def get_state(package_id: str, for_update: bool = False) -> dict[str, Any] | None:
    """The workflow state row of a dataset; ``for_update`` locks it until the transaction ends."""
    query = sa.select(dataset_state).where(dataset_state.c.package_id == package_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).mappings().first()
    return dict(row) if row else None


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
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(dataset_state).values(package_id=package_id, changed=utcnow(), **defaults)
    model.Session.execute(stmt.on_conflict_do_nothing(index_elements=["package_id"]))


def add_event(**values: Any) -> dict[str, Any]:
    """Append one event to the history (inside the current transaction)."""
    values = dict(values)
    values.setdefault("id", str(uuid.uuid4()))
    values.setdefault("created", utcnow())
    if isinstance(values.get("changed_fields"), list):
        values["changed_fields"] = json.dumps(values["changed_fields"])
    model.Session.execute(workflow_event.insert().values(**values))
    return values


def _event_dict(row: Any) -> dict[str, Any]:
    event = dict(row)
    event["changed_fields"] = json.loads(event["changed_fields"]) if event["changed_fields"] else []
    event["created"] = event["created"].isoformat()
    return event


def events(
    package_id: str | None = None,
    owner_org: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """History events, oldest first, optionally of one dataset, one OPD or a time window."""
    query = sa.select(workflow_event).order_by(workflow_event.c.created, workflow_event.c.id)
    if package_id:
        query = query.where(workflow_event.c.package_id == package_id)
    if owner_org:
        query = query.where(workflow_event.c.owner_org == owner_org)
    if since:
        query = query.where(workflow_event.c.created >= since)
    if until:
        query = query.where(workflow_event.c.created < until)
    return [_event_dict(r) for r in model.Session.execute(query).mappings()]
