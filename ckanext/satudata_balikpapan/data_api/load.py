"""Loading a verified table into the DataStore, from the validator's own reading of the file.

While the validator reads a file, each batch of rows it has typed by the Table Schema is
copied (PostgreSQL ``COPY``) into a staging table of the DataStore database (:class:`Stage`).
When the file passes, the staging rows become the resource's DataStore table
(:meth:`Stage.publish`): created with ``datastore_create`` (so CKAN knows its fields, sets
``datastore_active`` and keeps its full-text trigger) with the column types of the schema and a
data dictionary from it (label, description, unit), then filled from the stage in one
transaction. A file that fails, or cannot be loaded, leaves no table: the one of the file it
replaced is dropped, because it no longer matches the file (:func:`forget`).

Only the DataStore's own actions and its public ``get_write_engine`` are used; a site without
the ``datastore`` plugin, or with ``ckanext.satudata.datastore.load = false``, loads nothing.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
import uuid
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_write_engine, identifier
from ckanext.datastore.helpers import is_valid_field_name

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.registry import roles

log = logging.getLogger(__name__)

STAGE_PREFIX = "_satudata_stage_"  # + the Unix time it was made + "_" + a random part
# A stage older than this belongs to a job that died (a validation with its load takes seconds
# to minutes, within ``ckan.jobs.timeout``): the sweeper drops it.
STAGE_MAX_AGE = 6 * 3600
# Table Schema type -> DataStore (PostgreSQL) column type.
PG_TYPES = {
    "integer": "int8",
    "year": "int4",
    "number": "numeric",
    "date": "date",
    "boolean": "bool",
    "string": "text",
}


def enabled() -> bool:
    """Whether verified tables are loaded: the DataStore is on and the site has not opted out."""
    return p.plugin_loaded("datastore") and config.datastore_load()


def data_dictionary(field: dict[str, Any]) -> dict[str, Any]:
    """The DataStore data dictionary entry (``info``) of a Table Schema field."""
    info = {"label": field.get("title") or "", "notes": field.get("description") or ""}
    if field.get("satudata:unit"):
        info["unit"] = str(field["satudata:unit"])
    return info


class Stage:
    """A staging table that receives the validator's typed batches while it reads the file."""

    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self.fields = [(f["name"], PG_TYPES.get(f.get("type", "string"), "text")) for f in schema["fields"]]
        self.table = f"{STAGE_PREFIX}{int(time.time())}_{uuid.uuid4().hex[:16]}"
        self.rows = 0
        self.failed: str | None = None
        self._columns = ", ".join(identifier(name) for name, _ in self.fields)
        self._conn = get_write_engine().raw_connection()
        try:
            with self._conn.cursor() as cur:
                definition = ", ".join(f"{identifier(name)} {pg_type}" for name, pg_type in self.fields)
                cur.execute(f"CREATE UNLOGGED TABLE {identifier(self.table)} ({definition})")
            self._conn.commit()
        except Exception:
            self._conn.close()
            raise

    def write(self, batch: pa.Table) -> None:
        """Copy one typed batch into the stage. A failure is kept (the load is then given up),
        never raised: it must not stop the validation that is reading the file."""
        if self.failed is not None:
            return
        buffer = io.BytesIO()
        try:
            pacsv.write_csv(batch, buffer, write_options=pacsv.WriteOptions(include_header=False))
            buffer.seek(0)
            with self._conn.cursor() as cur:
                copy = f"COPY {identifier(self.table)} ({self._columns}) FROM STDIN WITH (FORMAT csv)"
                cur.copy_expert(copy, buffer)
            self.rows += batch.num_rows
        except Exception as error:
            log.warning("Satu Data: rows could not be staged for the DataStore", exc_info=True)
            self.failed = f"{type(error).__name__}: {error}"[:500]

    def publish(self, resource_id: str) -> int:
        """Make the staged rows the DataStore table of ``resource_id``; returns the rows."""
        if self.failed is not None:
            raise RuntimeError(self.failed)
        self._conn.commit()
        context = roles.site_context()
        fields = [
            {"id": name, "type": pg_type, "info": data_dictionary(f)}
            for (name, pg_type), f in zip(self.fields, self.schema["fields"], strict=True)
        ]
        current = _current_fields(resource_id)
        if current is not None and current != [(f["id"], f["type"]) for f in fields]:
            forget(resource_id)  # other columns: a new table (readers meet none for a moment)
            current = None
        create = {"resource_id": resource_id, "force": True, "fields": fields, "records": []}
        tk.get_action("datastore_create")(dict(context), create)
        return self.move_into(resource_id, replace=current is not None)

    def move_into(self, table: str, *, replace: bool = False) -> int:
        """Move the staged rows into the DataStore table ``table`` (emptied first when
        ``replace``) and drop the stage, in one transaction: readers see the old rows or the
        new. Returns the rows.

        The rows' ``_full_text`` is computed here, in the same statement, as the DataStore's
        own ``populate_full_text_trigger`` would compute it (``to_tsvector`` of the row's
        values as text, in column order, NULLs left out), which then leaves it alone: one
        set-based expression instead of a JSON round trip per row, about five times faster."""
        self._conn.commit()
        columns, target = self._columns, identifier(table)
        text = ", ".join(f"{identifier(name)}::text" for name, _ in self.fields)
        with self._conn.cursor() as cur:
            if replace:
                cur.execute(f"TRUNCATE {target}")
            cur.execute(
                f"INSERT INTO {target} (_full_text, {columns}) "
                f"SELECT to_tsvector(concat_ws(' ', {text})), {columns} FROM {identifier(self.table)}"
            )
            cur.execute(f"DROP TABLE {identifier(self.table)}")
        self._conn.commit()
        self._conn.close()
        return self.rows

    def discard(self) -> None:
        """Drop the stage (the file failed, or the load was given up)."""
        try:
            self._conn.rollback()
            with self._conn.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {identifier(self.table)}")
            self._conn.commit()
        except Exception:
            log.warning("Satu Data: could not drop the staging table %s", self.table, exc_info=True)
        finally:
            self._conn.close()


def _current_fields(resource_id: str) -> list[tuple[str, str]] | None:
    """The (id, type) of the resource's DataStore columns, or None when it has no table."""
    try:
        info = tk.get_action("datastore_info")(roles.site_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return None
    return [(f["id"], f["type"]) for f in info.get("fields", []) if not f["id"].startswith("_")]


def open_stage(schema: dict[str, Any] | None) -> Stage | None:
    """A stage for a file read with ``schema``, or None when the table cannot be loaded (no
    schema, a column name the DataStore refuses, the DataStore database unreachable)."""
    if not enabled() or not schema or not schema.get("fields"):
        return None
    names = [str(f.get("name", "")) for f in schema["fields"]]
    if not all(is_valid_field_name(n) for n in names) or len(set(names)) != len(names):
        log.info("Satu Data: columns %s cannot be DataStore columns; the table is not loaded", names)
        return None
    try:
        return Stage(schema)
    except Exception:
        log.warning("Satu Data: the DataStore is unreachable; the table is not loaded", exc_info=True)
        return None


def forget(resource_id: str) -> None:
    """Drop the resource's DataStore table, if it has one."""
    if not enabled():
        return
    with contextlib.suppress(tk.ObjectNotFound):
        tk.get_action("datastore_delete")(roles.site_context(), {"resource_id": resource_id, "force": True})


def sweep_stages(now: float | None = None) -> int:
    """Drop the staging tables of jobs that died mid-load (a killed worker, a lost database
    connection), older than :data:`STAGE_MAX_AGE`; returns how many. Run by the sweeper."""
    if not enabled():
        return 0
    cutoff = (now if now is not None else time.time()) - STAGE_MAX_AGE
    dropped = 0
    with get_write_engine().begin() as conn:
        names = conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE :p"),
            {"p": STAGE_PREFIX.replace("_", "\\_") + "%"},
        ).scalars()
        for name in list(names):
            made = name[len(STAGE_PREFIX) :].split("_", 1)[0]
            if made.isdigit() and int(made) < cutoff:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {identifier(name)}"))
                dropped += 1
    return dropped


def settle(resource_id: str, stage: Stage | None, passed: bool) -> int | None:
    """After the validation is stored: load the staged rows when the file ``passed``, else
    leave the resource without a table. Returns the rows loaded. Never raises: a DataStore
    failure costs the table, not the validation."""
    try:
        if passed and stage is not None:
            return stage.publish(resource_id)
        if stage is not None:
            stage.discard()
        forget(resource_id)
    except Exception:
        log.warning("Satu Data: the DataStore table of %s could not be loaded", resource_id, exc_info=True)
        if stage is not None:
            stage.discard()
        try:
            forget(resource_id)  # no half-filled table
        except Exception:
            log.warning("Satu Data: could not drop the DataStore table of %s", resource_id, exc_info=True)
    return None
