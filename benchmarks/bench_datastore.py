"""Loading a verified table into the DataStore: our validate+load against a plain COPY.

The baseline is PostgreSQL's own ``COPY`` of the raw CSV file into a table shaped as the
DataStore makes one (``_id``, ``_full_text`` filled by the DataStore's own trigger, the schema's
column types): no checking at all, the fastest a load into the DataStore can be. ckanext-xloader
is not installed here, since it is not part of the portal's stack. A second result compares
with a COPY into a bare typed table (no full-text index either), the lower bound of any load.
The candidate is what the validation job does: the quality engine reads and checks the file
once, its typed batches are copied into a staging table as it goes (``data_api.load.Stage``),
and the rows are then moved into the DataStore-shaped table in one statement that also
computes ``_full_text``. ``datastore_create`` itself (a constant few milliseconds) is left out
on both sides. The file is the 1,000,000-row, 10-column CSV of ``bench_validation`` without its planted
errors, so that it passes. Target: the candidate within 1.2x of the baseline's time, while
also validating.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_write_engine

from benchmarks.bench_validation import HEADER, SCHEMA, SEED, make_row, region_list
from benchmarks.run import Env, Result
from ckanext.satudata_balikpapan.data_api.load import PG_TYPES, Stage
from ckanext.satudata_balikpapan.quality.engine import ValidationContext, validate

ROWS = 1_000_000
TARGET = "_satudata_bench_target"
BASE = "_satudata_bench_copy"


def write_clean_csv(path: Path, rows: int) -> Path:
    rnd = random.Random(SEED)
    places = region_list()
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for i in range(1, rows + 1):
            f.write(",".join(make_row(rnd, i, 2021 + i % 5, places, 10**12)) + "\n")
    return path


def _columns() -> str:
    return ", ".join(f'"{f["name"]}" {PG_TYPES[f["type"]]}' for f in SCHEMA["fields"])


def _datastore_shaped(conn: sa.Connection, table: str) -> None:
    """A table shaped as ``datastore_create`` makes one: ``_id``, ``_full_text`` and the
    DataStore's own full-text trigger, then the schema's columns."""
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
    shape = f"_id serial PRIMARY KEY, _full_text tsvector, {_columns()}"
    conn.execute(sa.text(f'CREATE TABLE "{table}" ({shape})'))
    conn.execute(
        sa.text(
            f'CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()"
        )
    )


def baseline(path: Path, datastore: bool) -> float:
    """Seconds of a plain COPY of the raw file: into a DataStore-shaped table (its trigger
    fills ``_full_text``, as in any load into the DataStore), or into a bare typed table."""
    engine = get_write_engine()
    with engine.begin() as conn:
        if datastore:
            _datastore_shaped(conn, BASE)
        else:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{BASE}"'))
            conn.execute(sa.text(f'CREATE TABLE "{BASE}" ({_columns()})'))
    names = ", ".join(f'"{f["name"]}"' for f in SCHEMA["fields"])
    conn = engine.raw_connection()
    try:
        t0 = time.perf_counter()
        with conn.cursor() as cur, open(path, encoding="utf-8") as f:
            cur.copy_expert(f'COPY "{BASE}" ({names}) FROM STDIN WITH (FORMAT csv, HEADER true)', f)
        conn.commit()
        return time.perf_counter() - t0
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{BASE}"')
        conn.commit()
        conn.close()


def candidate(path: Path) -> float:
    """Seconds of validation with the staged load, then the move into a DataStore-shaped table."""
    with get_write_engine().begin() as conn:
        _datastore_shaped(conn, TARGET)
    t0 = time.perf_counter()
    stage = Stage(SCHEMA)
    report = validate(str(path), "csv", SCHEMA, context=ValidationContext(sink=stage.write))
    assert report.valid and stage.failed is None, (report.counts, stage.failed)
    stage.move_into(TARGET)
    seconds = time.perf_counter() - t0
    with get_write_engine().begin() as conn:
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{TARGET}"'))
    return seconds


def run(env: Env) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-datastore-") as tmp:
        path = write_clean_csv(Path(tmp) / "penduduk-1m.csv", ROWS)
        into_datastore, bare, ours = [], [], []
        for _ in range(max(1, min(env.rounds, 3))):
            into_datastore.append(baseline(path, datastore=True))
            bare.append(baseline(path, datastore=False))
            ours.append(candidate(path))
    label = "validate + staged COPY + move into the DataStore table"
    return [
        Result(
            name=f"DataStore load, CSV {ROWS:,} rows x 10 columns",
            unit="s",
            baseline_label="raw COPY into a DataStore table (unchecked; the trigger fills _full_text)",
            candidate_label=label,
            baseline=into_datastore,
            candidate=ours,
            target=1.2,
            notes=["the candidate validates every cell; the baseline checks nothing"],
        ),
        Result(
            name=f"DataStore load against a bare COPY, CSV {ROWS:,} rows x 10 columns",
            unit="s",
            baseline_label="COPY of the raw file into a bare typed table (no checks, no full-text index)",
            candidate_label=label,
            baseline=bare,
            candidate=ours,
            notes=["no target: the lower bound of any load, with no search and no checks"],
        ),
    ]
