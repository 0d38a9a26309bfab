"""A keyed hash chain over an append-only table: a record that cannot be rewritten unseen.

Each row of a chained table carries ``seq`` (its place, 1, 2, 3, ...), ``prev_hash`` (the
``row_hash`` of the row before it) and ``row_hash``: an HMAC-SHA256, keyed with
``ckanext.satudata.history_key`` (kept out of the database), over the previous hash, the
table's name, ``seq`` and every other column. The database triggers already refuse UPDATE,
DELETE and TRUNCATE; the chain makes what gets past them visible (a superuser, a restored
dump, a disabled trigger): :func:`verify` reports an altered row (its hash no longer matches),
a deleted row (a gap in ``seq``, or the next row's ``prev_hash`` pointing at a row that is not
there) and an inserted row (a hash that only the key could have made). ``ckan satudata
history verify`` runs it and prints the head of each chain, which an admin may note down
elsewhere: only that detects the removal of the newest rows.

Appending takes a transaction-level advisory lock per table, so that two steps committing
at once never fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan import config

CHAIN_COLUMNS = ("seq", "prev_hash", "row_hash")
GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return value


def row_hash(table: str, prev_hash: str, row: dict[str, Any], key: bytes | None = None) -> str:
    """The hash of one row: the key, the previous hash, the table and every column but the
    hashes themselves, as canonical JSON."""
    content = {k: _plain(v) for k, v in sorted(row.items()) if k not in ("prev_hash", "row_hash")}
    text = json.dumps([prev_hash, table, content], sort_keys=True, ensure_ascii=False, default=str)
    return hmac.new(key or config.history_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def append(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """Insert ``values`` as the newest row of ``table``'s chain (inside the current
    transaction); returns the values with ``seq`` and the hashes."""
    return append_many(table, [values])[0]


def append_many(table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert ``rows``, in order, as the newest rows of ``table``'s chain (one lock, one read
    of the head); returns them with ``seq`` and the hashes."""
    session = model.Session
    session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": table.name})
    head = session.execute(
        sa.select(table.c.seq, table.c.row_hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq, head.row_hash) if head else (0, GENESIS)
    out = []
    for given in rows:
        seq += 1
        values = {column.name: given.get(column.name) for column in table.columns}
        values.update(seq=seq, prev_hash=prev)
        values["row_hash"] = prev = row_hash(table.name, prev, values)
        out.append(values)
    if out:
        session.execute(table.insert(), out)
    return out


@dataclass(frozen=True)
class Problem:
    """One break of a chain: ``kind`` is ``altered``, ``missing`` or ``out_of_chain``."""

    table: str
    seq: int | None
    row_id: str | None
    kind: str


@dataclass(frozen=True)
class Report:
    """The result of verifying one table: rows checked, the head, the problems found."""

    table: str
    rows: int
    head_seq: int
    head_hash: str
    problems: tuple[Problem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def _rows(table: sa.Table, batch: int = 1000) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        query = sa.select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        rows = [dict(r) for r in model.Session.execute(query).mappings()]
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def verify(table: sa.Table, key: bytes | None = None) -> Report:
    """Walk ``table``'s chain from its first row and report every break (see the module)."""
    key = key or config.history_key()
    problems: list[Problem] = []
    unchained = model.Session.execute(
        sa.select(sa.func.count()).select_from(table).where(table.c.seq.is_(None))
    ).scalar()
    if unchained:
        problems.append(Problem(table.name, None, None, "out_of_chain"))
    expected_seq, prev, count = 1, GENESIS, 0
    for row in _rows(table):
        count += 1
        if row["seq"] != expected_seq or row["prev_hash"] != prev:
            problems.append(Problem(table.name, row["seq"], row.get("id"), "missing"))
        if not hmac.compare_digest(
            row["row_hash"] or "", row_hash(table.name, row["prev_hash"] or "", row, key)
        ):
            problems.append(Problem(table.name, row["seq"], row.get("id"), "altered"))
        expected_seq, prev = row["seq"] + 1, row["row_hash"] or ""
    return Report(table.name, count, expected_seq - 1, prev, tuple(problems))
