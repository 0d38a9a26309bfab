"""One restorable backup set, and its restore on an empty host.

A set is a folder ``satudata-backup-<UTC time>/`` holding:

- ``database.dump``: CKAN's database (datasets, users, organisations, the workflow history and
  every table of the extension), ``pg_dump --format=custom``;
- ``datastore.dump``: the DataStore's database (the rows of verified tables), when the site has
  one;
- ``files.tar``: the uploaded files (``ckan.storage_path`` and every file storage of CKAN 2.12
  kept on disk), without what CKAN builds again by itself (``webassets``, ``i18n``);
- ``manifest.json``: when, which CKAN and extension, the row count of every table as the dump
  saw it, the size and SHA-256 of every part.

The search index is not in the set: Solr holds nothing that is not in the database, and the
restore rebuilds it (``search-index rebuild``), which also cures an index older than the dump.

**Consistency.** Each database is dumped from one snapshot, and the rows counted in the manifest
are counted in that same snapshot (``pg_export_snapshot`` shared with ``pg_dump --snapshot``), so
a restore can be checked table by table even when the portal was busy. The files are read after
the database: a file uploaded meanwhile is an extra file no row names (harmless), never a row
whose file is missing (CKAN writes the file before it commits the row).

**Restore.** Only into empty databases and empty storage (it refuses otherwise, naming what is
not empty), after checking every part's checksum; the dumps go in with ``--single-transaction``
(all or nothing), the files are extracted with the ``data`` filter (no absolute paths, no
``..``, no links out of the folder, no devices), then the index is rebuilt and every table's
row count compared with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import ckan
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search

DATABASE = "database"
DATASTORE = "datastore"
FILES = "files.tar"
MANIFEST = "manifest.json"
# what CKAN builds again by itself under ckan.storage_path
REBUILT = {"webassets", "i18n"}
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class RestoreReport:
    """What a restore brought back, and where it differs from the manifest."""

    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    indexed: int = 0
    mismatches: list[str] = field(default_factory=list)


def _extension_version() -> str:
    try:
        return metadata.version("ckanext-satudata_balikpapan")
    except metadata.PackageNotFoundError:
        return ""


def _pg_bin(name: str) -> str:
    """``pg_dump``/``pg_restore``: from PATH, else the newest Debian PostgreSQL's."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise BackupError(f"{name} not found: install postgresql-client")
    return str(candidates[-1])


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq reads it (``postgresql+psycopg2://`` → ``postgresql://``)."""
    parsed = sa.engine.make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def databases() -> dict[str, str]:
    """The site's databases by part name: CKAN's, and the DataStore's when configured."""
    out = {DATABASE: tk.config.get("sqlalchemy.url")}
    write_url = tk.config.get("ckan.datastore.write_url")
    if write_url:
        out[DATASTORE] = write_url
    return out


def file_roots() -> dict[str, Path]:
    """The folders of uploaded files, by their name in ``files.tar``: ``storage`` for
    ``ckan.storage_path``, ``files-<name>`` for a CKAN 2.12 disk storage kept elsewhere."""
    roots: dict[str, Path] = {}
    storage = tk.config.get("ckan.storage_path")
    if storage:
        roots["storage"] = Path(storage)
    prefix = "ckan.files.storage."
    for key, value in tk.config.items():
        if key.startswith(prefix) and key.endswith(".path") and value:
            name = key[len(prefix) : -len(".path")]
            kind = tk.config.get(f"{prefix}{name}.type") or ""
            path = Path(value)
            if "fs" in str(kind) and not any(_inside(path, root) for root in roots.values()):
                roots[f"files-{name}"] = path
    return roots


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _tables(connection: sa.engine.Connection) -> list[str]:
    """The site's tables (not PostgreSQL's own, nor other sessions' temporary ones)."""
    rows = connection.execute(
        sa.text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\\_%' ORDER BY 1"
        )
    )
    return [row[0] for row in rows]


def count_rows(connection: sa.engine.Connection) -> dict[str, int]:
    """The row count of every table of the database behind ``connection``."""
    return {
        table: int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)
        for table in _tables(connection)
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def _dump(url: str, target: Path) -> dict[str, int]:
    """Dump the database at ``url`` into ``target`` from one snapshot; its rows, counted in
    that snapshot."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            counts = count_rows(connection)
            _run(
                [_pg_bin("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                 f"--file={target}", f"--dbname={_libpq_url(url)}"],
                f"pg_dump of {target.name}",
            )  # fmt: skip
            connection.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()
    return counts


def _tar_files(roots: dict[str, Path], target: Path) -> tuple[int, int]:
    """Write the uploaded files into ``target``; (files, bytes)."""
    files = size = 0
    with tarfile.open(target, "w") as archive:
        for name, root in roots.items():
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if relative.parts[0] in REBUILT and name == "storage":
                    continue
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=f"{name}/{relative.as_posix()}", recursive=False)
                    files += 1
                    size += path.stat().st_size
    return files, size


def create(output: Path, now: dt.datetime | None = None) -> Path:
    """Write one backup set under ``output``; its folder."""
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    target = output / f"satudata-backup-{stamp}"
    partial = output / f".{target.name}.partial"
    if target.exists():
        raise BackupError(f"{target} exists already")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    os.chmod(partial, 0o700)  # the dumps hold password hashes and tokens' ids
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created": stamp,
        "site_id": tk.config.get("ckan.site_id"),
        "site_url": tk.config.get("ckan.site_url"),
        "ckan": ckan.__version__,
        "extension": _extension_version(),
        "databases": {},
        "parts": {},
        "search_index": "rebuilt from the database on restore (ckan search-index rebuild)",
    }
    for part, url in databases().items():
        dump = partial / f"{part}.dump"
        manifest["databases"][part] = {"tables": _dump(url, dump)}
    files, size = _tar_files(file_roots(), partial / FILES)
    manifest["files"] = {"count": files, "bytes": size, "roots": sorted(file_roots())}
    for path in sorted(partial.iterdir()):
        manifest["parts"][path.name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    partial.rename(target)  # a set is complete or absent: never half a set under its name
    return target


def read_manifest(backup: Path) -> dict[str, Any]:
    path = backup / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: not a readable manifest ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(backup: Path) -> dict[str, Any]:
    """Check that every part is there with its size and checksum, and that the dumps are
    readable by ``pg_restore``; the manifest. Raises :class:`BackupError` naming the part."""
    manifest = read_manifest(backup)
    for name, expected in manifest["parts"].items():
        path = backup / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from {backup}")
        if path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the set is damaged")
        if name.endswith(".dump"):
            _run([_pg_bin("pg_restore"), "--list", str(path)], f"reading {name}")
    return manifest


def _ensure_empty_database(part: str, url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            tables = _tables(connection)
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"the {part} database is not empty ({len(tables)} tables, e.g. {tables[0]}): "
            "restore only into a new, empty database"
        )


def _members(archive: tarfile.TarFile, roots: dict[str, Path]) -> Iterator[tuple[tarfile.TarInfo, Path]]:
    for member in archive:
        root_name, _, relative = member.name.partition("/")
        if root_name not in roots or not relative:
            raise BackupError(f"{FILES}: {member.name} belongs to no file folder of this site")
        yield member, roots[root_name]


def _restore_files(backup: Path, roots: dict[str, Path]) -> int:
    for name, root in roots.items():
        # folders CKAN made when it started are fine; a file is not
        if root.is_dir() and any(
            p.is_file() for p in root.rglob("*") if p.relative_to(root).parts[0] not in REBUILT
        ):
            raise BackupError(f"the file folder {root} ({name}) is not empty: restore into empty folders")
    count = 0
    with tarfile.open(backup / FILES) as archive:
        for member, root in _members(archive, roots):
            member.name = member.name.partition("/")[2]
            root.mkdir(parents=True, exist_ok=True)
            # the "data" filter refuses absolute paths, "..", links out and device files
            archive.extract(member, root, filter="data")
            count += 1
    return count


def restore(backup: Path) -> RestoreReport:
    """Bring the set back into this site's (empty) databases and storage, rebuild the search
    index and compare every table with the manifest."""
    manifest = verify(backup)
    targets = databases()
    missing = set(manifest["databases"]) - set(targets)
    if missing:
        raise BackupError(f"this site has no {', '.join(sorted(missing))} database to restore into")
    roots = file_roots()
    unknown = set(manifest["files"]["roots"]) - set(roots)
    if unknown:
        raise BackupError(f"this site has no file folder for {', '.join(sorted(unknown))}")
    for part in manifest["databases"]:
        _ensure_empty_database(part, targets[part])
    report = RestoreReport()
    for part, saved in manifest["databases"].items():
        _run(
            [_pg_bin("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", f"--dbname={_libpq_url(targets[part])}", str(backup / f"{part}.dump")],
            f"restoring the {part} database",
        )  # fmt: skip
        engine = sa.create_engine(targets[part], poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                counts = count_rows(connection)
        finally:
            engine.dispose()
        for table, rows in saved["tables"].items():
            report.tables[f"{part}:{table}"] = counts.get(table, -1)
            if counts.get(table) != rows:
                report.mismatches.append(f"{part}:{table}: {counts.get(table)} rows, the backup had {rows}")
    report.files = _restore_files(backup, roots)
    saved_files = manifest["files"]["count"]
    if report.files != saved_files:
        report.mismatches.append(f"files: {report.files} restored, the backup had {saved_files}")
    model.Session.remove()  # the restored tables, not what this process may have cached
    search.rebuild()
    report.indexed = model.Session.query(model.Package).filter(model.Package.state == "active").count()
    return report


def prune(output: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` complete sets under ``output``; the removed ones.
    Sets sort by their UTC time stamp; a folder that is not a set is never touched."""
    sets = sorted(p for p in output.glob("satudata-backup-*") if (p / MANIFEST).is_file())
    removed = sets[:-keep] if keep < len(sets) else []
    for path in removed:
        shutil.rmtree(path)
    return removed
