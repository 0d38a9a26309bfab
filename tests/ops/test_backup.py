"""A backup set restores on an empty host: the same rows in every table, the same file bytes,
the workflow history intact, search answering after the rebuild."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import ckan.lib.search as search
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.satudata_balikpapan.ops import backup
from tests.conftest import ROOT, create_dataset, make_workflow_people, publish, upload_csv
from tests.faults.conftest import STORAGE, STORAGE_PATH, ckan_command, worker_ini

VTAG = os.environ.get("CKAN_VERSION", "2.12.0").replace(".", "_")
RESTORE_DB = f"ckan_restore_{VTAG}"
RESTORE_DS_DB = f"datastore_restore_{VTAG}"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.once,
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    *(pytest.mark.ckan_config(key, value) for key, value in STORAGE.items()),
]


def _url(database: str, like: str = "CKAN_SQLALCHEMY_URL") -> str:
    """The URL of ``like`` (CKAN's role, or the DataStore's read-only one) on ``database``."""
    return sa.engine.make_url(os.environ[like]).set(database=database).render_as_string(hide_password=False)


def _fresh_databases() -> None:
    for name in (RESTORE_DB, RESTORE_DS_DB):
        for action in ("dropdb", "createdb"):
            done = subprocess.run(
                ["bash", str(ROOT / "scripts" / "postgres.sh"), action, name],
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return backup.count_rows(connection)
    finally:
        engine.dispose()


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in backup.REBUILT
    }


@pytest.fixture
def portal():
    """A portal with history: an OPD, a published dataset with an uploaded table, a draft."""
    make_workflow_people()
    org = helpers.call_action("organization_show", id="disdukcapil")
    dataset = create_dataset(name="penduduk-per-kelurahan", owner_org=org["id"], kode_urusan="2.12")
    upload_csv(dataset["id"], "produsen-disdukcapil")
    publish(dataset["id"])
    create_dataset(name="draf-belum-terbit", owner_org=org["id"], kode_urusan="2.12")
    return dataset


def test_a_backup_restores_on_an_empty_host_with_every_row_and_byte(portal, tmp_path, ckan_cli_env):
    source_ini = worker_ini(tmp_path)
    out = ckan_command(source_ini, "satudata", "backup", "create", "--output", str(tmp_path / "sets"),
                       env=ckan_cli_env).stdout  # fmt: skip
    (backup_set,) = (tmp_path / "sets").glob("satudata-backup-*")
    assert "files" in out and backup_set.is_dir()
    assert ckan_command(source_ini, "satudata", "backup", "verify", str(backup_set), env=ckan_cli_env)

    # an empty host: new databases, new storage, an empty search index
    _fresh_databases()
    storage = tmp_path / "restored-storage"
    restore_ini = tmp_path / "restore" / "ckan.ini"
    restore_ini.parent.mkdir()
    restore_ini.write_text(
        worker_ini(
            tmp_path / "restore",
            **{
                "sqlalchemy.url": _url(RESTORE_DB),
                "ckan.datastore.write_url": _url(RESTORE_DS_DB),
                "ckan.datastore.read_url": _url(RESTORE_DS_DB, like="CKAN_DATASTORE_READ_URL"),
                "ckan.storage_path": str(storage),
                "ckan.files.storage.test.path": str(storage),
            },
        ).read_text()
    )
    env = {
        k: v
        for k, v in ckan_cli_env.items()
        if not k.startswith("CKAN_DATASTORE_") and k != "CKAN_SQLALCHEMY_URL"
    }
    search.clear_all()
    assert helpers.call_action("package_search", q="penduduk")["count"] == 0

    restored = ckan_command(restore_ini, "satudata", "backup", "restore", str(backup_set), env=env).stdout
    assert "MISMATCH" not in restored

    # every table, both databases, row for row in count
    assert _counts(_url(RESTORE_DB)) == _counts(os.environ["CKAN_SQLALCHEMY_URL"])
    assert _counts(_url(RESTORE_DS_DB)) == _counts(os.environ["CKAN_DATASTORE_WRITE_URL"])
    # the uploaded files, byte for byte
    original = _files(STORAGE_PATH)
    assert original and _files(storage) == original
    # the workflow history and the other append-only records are intact (same history key)
    assert "BROKEN" not in ckan_command(restore_ini, "satudata", "history", "verify", env=env).stdout
    # search answers again, from the index rebuilt out of the restored database
    model.Session.remove()
    found = helpers.call_action("package_search", q="penduduk")
    assert [d["name"] for d in found["results"]] == ["penduduk-per-kelurahan"]

    # a second restore onto the now full host is refused, naming what is not empty
    again = subprocess.run(
        ["ckan", "-c", str(restore_ini), "satudata", "backup", "restore", str(backup_set)],
        env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert again.returncode != 0
    assert "not empty" in again.stderr and "Traceback" not in again.stderr


def test_a_damaged_set_is_refused_naming_the_part(portal, tmp_path, ckan_cli_env):
    source_ini = worker_ini(tmp_path)
    ckan_command(
        source_ini, "satudata", "backup", "create", "--output", str(tmp_path / "sets"), env=ckan_cli_env
    )
    (backup_set,) = (tmp_path / "sets").glob("satudata-backup-*")
    damaged = backup_set / backup.FILES
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    done = subprocess.run(
        ["ckan", "-c", str(source_ini), "satudata", "backup", "verify", str(backup_set)],
        env=ckan_cli_env, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode != 0
    assert "files.tar does not match its checksum" in done.stderr


def test_old_sets_are_pruned_to_the_newest_kept(tmp_path):
    for stamp in ("20261201T010000Z", "20261202T010000Z", "20261203T010000Z"):
        folder = tmp_path / f"satudata-backup-{stamp}"
        folder.mkdir()
        (folder / backup.MANIFEST).write_text("{}")
    (tmp_path / "satudata-backup-notes").mkdir()  # not a set: never touched
    removed = backup.prune(tmp_path, keep=2)
    assert [p.name for p in removed] == ["satudata-backup-20261201T010000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "satudata-backup-20261202T010000Z",
        "satudata-backup-20261203T010000Z",
        "satudata-backup-notes",
    ]
