"""What the extension's own tables share: their SQLAlchemy ``MetaData`` and the clock.

The tables live on their own ``MetaData``, outside CKAN's: CKAN's test and purge helpers,
which walk CKAN's metadata, never touch the append-only history. They are created by the
alembic migrations in ``migration/satudata_balikpapan``, never by ``metadata.create_all``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

metadata = sa.MetaData()


def utcnow() -> dt.datetime:
    """Now, as naive UTC: how every timestamp of the extension's tables is stored."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
