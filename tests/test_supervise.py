"""``scripts/supervise.sh``: the process supervisor of the demo's jobs worker and sweeper
starts a process again when it exits, and stops with it when told to."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

SUPERVISE = Path(__file__).resolve().parent.parent / "scripts" / "supervise.sh"


def test_a_process_that_exits_is_started_again_and_a_term_stops_both(tmp_path):
    runs = tmp_path / "runs"
    supervisor = subprocess.Popen(
        [str(SUPERVISE), "flaky", "bash", "-c", f"echo run >> {runs}; exit 3"],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not runs.exists() or len(runs.read_text().split()) < 3):
            time.sleep(0.1)
        assert len(runs.read_text().split()) >= 3  # started again after each exit (1 s, then 2 s)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=10)
    assert supervisor.returncode == 0
    assert "flaky exited with status 3" in supervisor.stderr.read()


def test_a_term_stops_a_running_process_too(tmp_path):
    supervisor = subprocess.Popen([str(SUPERVISE), "sleeper", "sleep", "300"], start_new_session=True)
    time.sleep(0.5)
    child = subprocess.run(
        ["pgrep", "-P", str(supervisor.pid)], capture_output=True, text=True
    ).stdout.split()
    assert child
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=10)
    assert subprocess.run(["kill", "-0", child[0]], capture_output=True).returncode != 0  # the sleep is gone
