"""``satudata_workflow_event``: the append-only verification history, one row per step.

Each row names the dataset (id, and its name, title and OPD at the time, so the record
survives a purge), the step, the states before and after, the actor and the role they acted
in, the note and the fields an edit changed. Database triggers refuse UPDATE, DELETE and
TRUNCATE (migrations ``1a2b3c4d5e6f``, ``4d5e6f708192``), and the rows form a keyed hash chain
(:mod:`.chain`, ``ckan satudata history verify``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.model import chain
from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

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
    sa.Column("seq", sa.BigInteger, unique=True),  # place in the hash chain (model/chain.py)
    sa.Column("prev_hash", sa.UnicodeText),
    sa.Column("row_hash", sa.UnicodeText),
)

TABLE = "satudata_workflow_event"


def add_event(**values: Any) -> dict[str, Any]:
    """Append one event to the history (inside the current transaction)."""
    values = dict(values)
    values.setdefault("id", str(uuid.uuid4()))
    values.setdefault("created", utcnow())
    if isinstance(values.get("changed_fields"), list):
        values["changed_fields"] = json.dumps(values["changed_fields"])
    return chain.append(workflow_event, values)


def get_event(event_id: str) -> dict[str, Any] | None:
    """One event by id (as :func:`events` gives it), or None."""
    row = (
        model.Session.execute(sa.select(workflow_event).where(workflow_event.c.id == event_id))
        .mappings()
        .first()
    )
    return _event_dict(row) if row else None


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
