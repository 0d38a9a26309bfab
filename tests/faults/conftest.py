"""Faults for real: the repo's own service scripts stop and start PostgreSQL, Redis and Solr
(on the test ports) in the middle of a test, and the test asserts what the user saw and what
the data became once the service was back."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

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
