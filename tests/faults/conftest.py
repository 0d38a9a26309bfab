"""Faults for real: the repo's own service scripts stop and start PostgreSQL, Redis and Solr
(on the test ports) in the middle of a test, and the test asserts what the user saw and what
the data became once the service was back."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.integration.test_validation_job import LOGGING

ROOT = Path(__file__).resolve().parents[2]


def service(name: str, action: str) -> None:
    """Run ``scripts/<name>.sh <action>`` (start, stop) as a developer would."""

    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / f"{name}.sh"), action],
        env=os.environ.copy(), capture_output=True, text=True, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


@contextlib.contextmanager
def stopped(name: str) -> Iterator[None]:
    """The service ``name`` is down inside the block, and started again after it, whatever
    the block raised."""

    service(name, "stop")
    try:
        yield
    finally:
        service(name, "start")


# Uploads on disk (test.ini keeps CKAN 2.12's in memory, which a worker process cannot read).
STORAGE_PATH = ROOT / ".work" / "test-storage" / "faults"
STORAGE = {
    "ckan.files.storage.test.type": "ckan:fs",
    "ckan.files.storage.test.path": str(STORAGE_PATH),
    "ckan.files.storage.test.initialize": "true",
    "ckan.storage_path": str(STORAGE_PATH),
}


def worker_ini(tmp_path: Path, **settings: str) -> Path:
    """test.ini with the uploads on disk and ``settings``, for the worker, the sweeper and a
    server started by a test."""
    ini = tmp_path / "faults.ini"
    values = dict(STORAGE, **settings)
    lines = ["[app:main]", f"use = config:{ROOT / 'test.ini'}", *(f"{k} = {v}" for k, v in values.items())]
    ini.write_text("\n".join(lines) + "\n" + LOGGING.replace("%", "%%"))
    return ini


def ckan_command(
    ini: Path, *args: str, env: dict[str, str], timeout: int = 180
) -> subprocess.CompletedProcess:
    """Run ``ckan -c ini ...`` as an admin would; fails the test on a non-zero exit."""
    done = subprocess.run(
        ["ckan", "-c", str(ini), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    return done
