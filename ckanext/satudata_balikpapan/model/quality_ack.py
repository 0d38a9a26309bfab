"""``satudata_quality_ack``: the warnings a walidata published past, with the reason.

An acknowledgement holds for what was seen (the file's bytes and schema, or the dataset's
last period): a new file or a new period brings the warning back. The rows are the
walidata's accountable reasons: append-only (database triggers) and hash-chained
(:mod:`.chain`), like the verification history.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.model import chain
from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

quality_ack = sa.Table(
    "satudata_quality_ack",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("resource_id", sa.UnicodeText),  # None: a dataset-level finding (stale)
    sa.Column("code", sa.UnicodeText, nullable=False),
    sa.Column("target", sa.UnicodeText, nullable=False),  # what was seen: file and schema, or period
    sa.Column("reason", sa.UnicodeText, nullable=False),
    sa.Column("actor_name", sa.UnicodeText),
    sa.Column("event_id", sa.UnicodeText),  # the publication in satudata_workflow_event
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("seq", sa.BigInteger, unique=True),  # place in the hash chain (model/chain.py)
    sa.Column("prev_hash", sa.UnicodeText),
    sa.Column("row_hash", sa.UnicodeText),
)

TABLE = "satudata_quality_ack"


def acknowledgements(package_id: str) -> set[tuple[str | None, str, str]]:
    """The ``(resource_id, code, target)`` a walidata acknowledged on this dataset."""
    query = sa.select(quality_ack.c.resource_id, quality_ack.c.code, quality_ack.c.target).where(
        quality_ack.c.package_id == package_id
    )
    return {tuple(row) for row in model.Session.execute(query)}


def acknowledge(
    package_id: str,
    items: list[tuple[str | None, str, str]],
    *,
    reason: str,
    actor_name: str | None,
    event_id: str | None,
) -> None:
    """Record that ``items`` (``(resource_id, code, target)``) were published past with
    ``reason`` (inside the current transaction)."""
    now = utcnow()
    chain.append_many(
        quality_ack,
        [
            {
                "id": str(uuid.uuid4()), "package_id": package_id, "resource_id": resource_id,
                "code": code, "target": target, "reason": reason, "actor_name": actor_name,
                "event_id": event_id, "created": now,
            }
            for resource_id, code, target in items
        ],
    )  # fmt: skip
