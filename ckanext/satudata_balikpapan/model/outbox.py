"""``satudata_outbox``: background work that must happen once a change is durable, and must
not be lost when Redis is (the transactional outbox).

A step that must notify someone writes its outbox row in the same transaction as the change
itself; after the commit the row is handed to the jobs queue (``lib/outbox.py``). Should the
queue be down, or the job be lost with a worker or with Redis, the row stays pending and the
sweeper (``ckan satudata sweep``) queues it again, a bounded number of times, until the job
marks it done. The row names the job by its dotted path and arguments: only functions of
this extension are ever run from it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

PENDING = "pending"  # written, not (or no longer known to be) in the queue
QUEUED = "queued"  # handed to Redis at queued_at
DONE = "done"
FAILED = "failed"  # given up after the sweeper's attempts

outbox = sa.Table(
    "satudata_outbox",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("job", sa.UnicodeText, nullable=False),  # dotted path of the function
    sa.Column("args", sa.UnicodeText, nullable=False),  # JSON list
    sa.Column("title", sa.UnicodeText),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("queued_at", sa.DateTime),
    sa.Column("done_at", sa.DateTime),
    sa.Column("error", sa.UnicodeText),
)

TABLE = "satudata_outbox"


def add(job: str, args: list[Any], title: str) -> str:
    """Write a pending item (inside the current transaction); returns its id."""
    item_id = str(uuid.uuid4())
    model.Session.execute(
        outbox.insert().values(
            id=item_id,
            job=job,
            args=json.dumps(args),
            title=title,
            status=PENDING,
            attempts=0,
            created=utcnow(),
        )
    )
    return item_id


def get(item_id: str, for_update: bool = False) -> dict[str, Any] | None:
    """One item; ``for_update`` locks it until the transaction ends."""
    query = sa.select(outbox).where(outbox.c.id == item_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).mappings().first()
    if row is None:
        return None
    item = dict(row)
    item["args"] = json.loads(item["args"])
    return item


def mark(item_id: str, status: str, error: str | None = None, **values: Any) -> None:
    """Set an item's status (inside the current transaction)."""
    model.Session.execute(
        outbox.update().where(outbox.c.id == item_id).values(status=status, error=error, **values)
    )


def due(stuck_before: dt.datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Items to queue (again): pending ones, and queued ones not done since ``stuck_before``."""
    query = (
        sa.select(outbox.c.id, outbox.c.attempts, outbox.c.status, outbox.c.title)
        .where(
            sa.or_(
                outbox.c.status == PENDING,
                sa.and_(outbox.c.status == QUEUED, outbox.c.queued_at < stuck_before),
            )
        )
        .order_by(outbox.c.created)
        .limit(limit)
    )
    return [dict(r) for r in model.Session.execute(query).mappings()]
