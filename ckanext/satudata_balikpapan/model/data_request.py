"""Tables of the data requests ("permohonan data", created by the alembic migration
``2b3c4d5e6f70``).

Like the workflow tables they live on the extension's own ``MetaData``, outside CKAN's. A
request row holds the requester's personal data (name, e-mail, institution, purpose), which
only the walidata and the assigned OPD may read; the private link is stored as a hash only,
and so is the requester's network address. The history is append-only (a database trigger
refuses UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.model import chain
from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

data_request = sa.Table(
    "satudata_data_request",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("reference", sa.UnicodeText, nullable=False, unique=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    # personal data (UU 27/2022): shown to the walidata, the assigned OPD and the private link only
    sa.Column("name", sa.UnicodeText, nullable=False),
    sa.Column("email", sa.UnicodeText, nullable=False),
    sa.Column("institution", sa.UnicodeText),
    sa.Column("purpose", sa.UnicodeText, nullable=False),
    # what is asked for: public
    sa.Column("data_description", sa.UnicodeText, nullable=False),
    sa.Column("period", sa.UnicodeText),
    sa.Column("area", sa.UnicodeText),
    sa.Column("organization_id", sa.UnicodeText),
    sa.Column("state", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText),
    sa.Column("dataset_id", sa.UnicodeText),
    # never shown to anyone
    sa.Column("token_hash", sa.UnicodeText, nullable=False),
    sa.Column("ip_hash", sa.UnicodeText),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("modified", sa.DateTime, nullable=False),
)

data_request_event = sa.Table(
    "satudata_data_request_event",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("request_id", sa.UnicodeText, nullable=False),
    sa.Column("action", sa.UnicodeText, nullable=False),  # create | assign | state
    sa.Column("from_state", sa.UnicodeText),
    sa.Column("to_state", sa.UnicodeText),
    sa.Column("organization_id", sa.UnicodeText),
    sa.Column("dataset_id", sa.UnicodeText),
    sa.Column("actor_id", sa.UnicodeText),
    sa.Column("actor_name", sa.UnicodeText),
    sa.Column("role", sa.UnicodeText, nullable=False),
    sa.Column("note", sa.UnicodeText),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("seq", sa.BigInteger, unique=True),  # place in the hash chain (model/chain.py)
    sa.Column("prev_hash", sa.UnicodeText),
    sa.Column("row_hash", sa.UnicodeText),
)

TABLES = ("satudata_data_request_event", "satudata_data_request")

# Serialises the creation of requests: the yearly number and the rate limit are decided under it.
CREATE_LOCK = 0x5D_2B3C_4D5E


def lock_creation() -> None:
    """Take the transaction-scoped advisory lock that serialises request creation."""
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CREATE_LOCK})


def next_number(year: int) -> int:
    """The next sequence number of ``year`` (call under :func:`lock_creation`)."""
    current = model.Session.execute(
        sa.select(sa.func.max(data_request.c.number)).where(data_request.c.year == year)
    ).scalar()
    return (current or 0) + 1


def count_since(since: dt.datetime, ip_hash: str | None = None, email: str | None = None) -> int:
    """How many requests came since ``since`` from one network address or one e-mail address."""
    query = sa.select(sa.func.count()).select_from(data_request).where(data_request.c.created >= since)
    if ip_hash is not None:
        query = query.where(data_request.c.ip_hash == ip_hash)
    if email is not None:
        query = query.where(sa.func.lower(data_request.c.email) == email.lower())
    return int(model.Session.execute(query).scalar() or 0)


def insert_request(**values: Any) -> dict[str, Any]:
    """Insert a request row (inside the current transaction)."""
    values = dict(values)
    values.setdefault("id", str(uuid.uuid4()))
    now = utcnow()
    values.setdefault("created", now)
    values.setdefault("modified", now)
    model.Session.execute(data_request.insert().values(**values))
    return values


def get_request(key: str, for_update: bool = False) -> dict[str, Any] | None:
    """A request by id or by reference (case-insensitive); ``for_update`` locks its row."""
    key = key.strip() if isinstance(key, str) else ""
    if not key or "\x00" in key:  # PostgreSQL refuses NUL in a query parameter
        return None
    query = sa.select(data_request).where(
        sa.or_(data_request.c.id == key, data_request.c.reference == key.upper())
    )
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).mappings().first()
    return dict(row) if row else None


def update_request(request_id: str, **values: Any) -> None:
    """Change a request row (inside the current transaction)."""
    values["modified"] = utcnow()
    model.Session.execute(data_request.update().where(data_request.c.id == request_id).values(**values))


def list_requests(
    state: list[str] | None = None,
    organization_id: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """The total count and one page of requests, newest first."""
    where = []
    if state:
        where.append(data_request.c.state.in_(state))
    if organization_id:
        where.append(data_request.c.organization_id == organization_id)
    count = model.Session.execute(sa.select(sa.func.count()).select_from(data_request).where(*where)).scalar()
    rows: list[dict[str, Any]] = []
    if limit > 0:
        query = (
            sa.select(data_request)
            .where(*where)
            .order_by(data_request.c.created.desc(), data_request.c.number.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = [dict(r) for r in model.Session.execute(query).mappings()]
    return int(count or 0), rows


def add_event(**values: Any) -> dict[str, Any]:
    """Append one event to a request's history (inside the current transaction)."""
    values = dict(values)
    values.setdefault("id", str(uuid.uuid4()))
    values.setdefault("created", utcnow())
    return chain.append(data_request_event, values)


def get_event(event_id: str) -> dict[str, Any] | None:
    """One history event by id."""
    row = (
        model.Session.execute(sa.select(data_request_event).where(data_request_event.c.id == event_id))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def events(request_id: str) -> list[dict[str, Any]]:
    """A request's history, oldest first."""
    query = (
        sa.select(data_request_event)
        .where(data_request_event.c.request_id == request_id)
        .order_by(data_request_event.c.created, data_request_event.c.id)
    )
    return [dict(r) for r in model.Session.execute(query).mappings()]
