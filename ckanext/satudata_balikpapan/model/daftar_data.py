"""Tables of the Daftar Data (created by the alembic migration ``708192a3b4c5``):

* ``satudata_daftar_data``: the items the Forum Satu Data agreed for a year, one row an item
  (what an OPD owes: title, Data Prioritas, frequency, planned release date, the standar data
  it follows); the status is not stored: ``daftar_data.status`` derives it;
* ``satudata_daftar_data_dataset``: which item each dataset fulfils (one item a dataset, any
  number of datasets an item), written with the dataset itself from its ``daftar_data`` field.

No foreign keys: an item outlives a retired OPD, a link a purged dataset (the queries join on
active datasets).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.satudata_balikpapan.model.meta import metadata, utcnow

daftar_data = sa.Table(
    "satudata_daftar_data",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("prioritas", sa.Boolean, nullable=False, default=False),
    sa.Column("kriteria_prioritas", sa.UnicodeText),
    sa.Column("sektor_kegiatan", sa.UnicodeText),
    sa.Column("frekuensi", sa.UnicodeText),
    sa.Column("jadwal_rilis", sa.Date),
    # the standar data the item follows (Perpres 39/2019 Pasal 4)
    sa.Column("konsep", sa.UnicodeText),
    sa.Column("definisi", sa.UnicodeText),
    sa.Column("satuan", sa.UnicodeText),
    sa.Column("kodereferensi", sa.UnicodeText),
    sa.Column("catatan", sa.UnicodeText),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("modified", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.UnicodeText),
)

daftar_data_dataset = sa.Table(
    "satudata_daftar_data_dataset",
    metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("item_id", sa.UnicodeText, nullable=False),
    sa.Column("linked", sa.DateTime, nullable=False),
)

daftar_data_reminder = sa.Table(
    "satudata_daftar_data_reminder",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("kind", sa.UnicodeText, nullable=False),  # soon | late | digest
    sa.Column("item_id", sa.UnicodeText, nullable=False),  # "" for the walidata's digest
    sa.Column("day", sa.Date, nullable=False),  # the day it is for (the portal's clock)
    sa.Column("created", sa.DateTime, nullable=False),
)

TABLES = ("satudata_daftar_data_reminder", "satudata_daftar_data_dataset", "satudata_daftar_data")


def insert_item(**values: Any) -> dict[str, Any]:
    """Insert an item (inside the current transaction)."""
    values = dict(values)
    values.setdefault("id", str(uuid.uuid4()))
    now = utcnow()
    values.setdefault("created", now)
    values.setdefault("modified", now)
    model.Session.execute(daftar_data.insert().values(**values))
    return values


def update_item(item_id: str, **values: Any) -> None:
    """Change an item (inside the current transaction)."""
    values["modified"] = utcnow()
    model.Session.execute(daftar_data.update().where(daftar_data.c.id == item_id).values(**values))


def delete_item(item_id: str) -> None:
    """Remove an item (inside the current transaction); its links must be gone."""
    model.Session.execute(daftar_data.delete().where(daftar_data.c.id == item_id))


def get_item(item_id: str, for_update: bool = False) -> dict[str, Any] | None:
    """An item by id (None for a key that is no item)."""
    if not isinstance(item_id, str) or not item_id or "\x00" in item_id:
        return None
    query = sa.select(daftar_data).where(daftar_data.c.id == item_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).mappings().first()
    return dict(row) if row else None


def same_title(year: int, organization_id: str, title: str, except_id: str | None = None) -> bool:
    """Whether the OPD already has an item of this title (ignoring case) in ``year``."""
    query = sa.select(daftar_data.c.id).where(
        daftar_data.c.year == year,
        daftar_data.c.organization_id == organization_id,
        sa.func.lower(daftar_data.c.title) == title.lower(),
    )
    if except_id:
        query = query.where(daftar_data.c.id != except_id)
    return model.Session.execute(query).first() is not None


def list_items(
    year: int | None = None,
    organization_ids: list[str] | None = None,
    prioritas: bool | None = None,
    sektor: str | None = None,
) -> list[dict[str, Any]]:
    """Items by OPD, then planned date, then title."""
    where = []
    if year is not None:
        where.append(daftar_data.c.year == year)
    if organization_ids is not None:
        where.append(daftar_data.c.organization_id.in_(organization_ids))
    if prioritas is not None:
        where.append(daftar_data.c.prioritas.is_(prioritas))
    if sektor:
        where.append(daftar_data.c.sektor_kegiatan == sektor)
    query = (
        sa.select(daftar_data)
        .where(*where)
        .order_by(
            daftar_data.c.organization_id,
            daftar_data.c.jadwal_rilis.asc().nulls_last(),
            daftar_data.c.title,
        )
    )
    return [dict(r) for r in model.Session.execute(query).mappings()]


def years() -> list[int]:
    """The years that have items, newest first."""
    query = sa.select(daftar_data.c.year).distinct().order_by(daftar_data.c.year.desc())
    return [row[0] for row in model.Session.execute(query)]


def link(package_id: str, item_id: str | None) -> None:
    """Make ``item_id`` the item the dataset fulfils (None: no item), inside the current
    transaction."""
    if item_id is None:
        table = daftar_data_dataset
        model.Session.execute(table.delete().where(table.c.package_id == package_id))
        return
    stmt = insert(daftar_data_dataset).values(package_id=package_id, item_id=item_id, linked=utcnow())
    model.Session.execute(
        stmt.on_conflict_do_update(
            index_elements=["package_id"],
            set_={"item_id": item_id, "linked": stmt.excluded.linked},
            where=daftar_data_dataset.c.item_id != item_id,
        )
    )


def linked_datasets(item_ids: list[str]) -> dict[str, list[str]]:
    """The active datasets linked to each of ``item_ids`` (ids, by item)."""
    if not item_ids:
        return {}
    pkg = model.package_table
    query = (
        sa.select(daftar_data_dataset.c.item_id, pkg.c.id)
        .select_from(daftar_data_dataset.join(pkg, pkg.c.id == daftar_data_dataset.c.package_id))
        .where(daftar_data_dataset.c.item_id.in_(item_ids), pkg.c.state == "active")
        .order_by(pkg.c.metadata_created)
    )
    out: dict[str, list[str]] = {}
    for item_id, package_id in model.Session.execute(query):
        out.setdefault(item_id, []).append(package_id)
    return out


def has_links(item_id: str) -> bool:
    """Whether any dataset names the item, deleted ones included (a deleted dataset can be
    restored); a purged one is gone from CKAN's table and no longer counts."""
    pkg = model.package_table
    query = (
        sa.select(daftar_data_dataset.c.package_id)
        .select_from(daftar_data_dataset.join(pkg, pkg.c.id == daftar_data_dataset.c.package_id))
        .where(daftar_data_dataset.c.item_id == item_id)
    )
    return model.Session.execute(query.limit(1)).first() is not None


def item_of(package_id: str) -> str | None:
    """The item a dataset fulfils, if any."""
    query = sa.select(daftar_data_dataset.c.item_id).where(daftar_data_dataset.c.package_id == package_id)
    row = model.Session.execute(query).first()
    return row[0] if row else None


def record_reminder(kind: str, item_id: str, day: Any) -> str | None:
    """Record that the reminder ``kind`` of ``item_id`` for ``day`` is being sent, inside the
    current transaction; None when it was recorded before (a reminder goes out once, however
    many schedulers or runs reach it)."""
    reminder_id = str(uuid.uuid4())
    stmt = insert(daftar_data_reminder).values(id=reminder_id, kind=kind, item_id=item_id, day=day,
                                               created=utcnow())  # fmt: skip
    done = model.Session.execute(stmt.on_conflict_do_nothing(index_elements=["kind", "item_id", "day"]))
    return reminder_id if done.rowcount else None


def get_reminder(reminder_id: str) -> dict[str, Any] | None:
    """A recorded reminder."""
    query = sa.select(daftar_data_reminder).where(daftar_data_reminder.c.id == reminder_id)
    row = model.Session.execute(query).mappings().first()
    return dict(row) if row else None
