"""The production files of deploy/, rendered for a host as scripts/production.sh renders
them, are accepted by the tools that run them: nginx -t, systemd-analyze verify, supervisord."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("host")
    env = dict(
        os.environ,
        PROD_PREFIX=str(prefix),
        PROD_VENV=str(Path(sys.executable).parent.parent),
        PROD_USER="root" if os.geteuid() == 0 else os.environ.get("USER", "nobody"),
        PROD_WORKERS="2",
    )
    out = prefix / "etc"
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "production.sh"), "render", str(out)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_every_placeholder_is_filled(rendered):
    for path in rendered.rglob("*"):
        if path.is_file():
            assert not re.findall(r"@[A-Z_]+@", path.read_text()), path


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(rendered):
    units = sorted(rendered.glob("systemd/*"))
    assert {u.name for u in units} == {
        "satudata-web.service",
        "satudata-worker@.service",
        "satudata-scheduler.service",
        "satudata-backup.service",
        "satudata-backup.timer",
        "satudata-services.service",
        "satudata.target",
    }
    worker = rendered / "systemd" / "satudata-worker@1.service"
    worker.write_text((rendered / "systemd" / "satudata-worker@.service").read_text())
    checked = [str(u) for u in units if "@." not in u.name] + [str(worker)]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *checked], capture_output=True, text=True, timeout=60
    )
    # units referring to services this host lacks (postgresql.service) are noted, not errors
    problems = [
        line
        for line in done.stderr.splitlines()
        if line.strip() and "postgresql.service" not in line and "redis-server.service" not in line
        and "satudata-solr.service" not in line and "Unit is bound to inactive unit" not in line
    ]  # fmt: skip
    assert done.returncode == 0 and not problems, done.stderr


def test_each_service_restarts_when_it_dies(rendered):
    for name in ("satudata-web.service", "satudata-worker@.service", "satudata-scheduler.service"):
        assert "Restart=always" in (rendered / "systemd" / name).read_text(), name
    supervisor = (rendered / "supervisord.conf").read_text()
    assert supervisor.count("autorestart = true") == 4
    assert "numprocs = 2" in supervisor


@pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed")
def test_nginx_accepts_its_configuration(rendered):
    data = rendered.parent / "var" / "lib" / "satudata"
    (data / "nginx-cache").mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["/usr/sbin/nginx", "-t", "-c", str(rendered / "nginx.conf"), "-p", str(data)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_nginx_never_caches_for_a_session_or_a_token(rendered):
    site = (rendered / "nginx-satudata.conf").read_text()
    assert "proxy_cache_methods GET HEAD;" in site
    for guard in ("proxy_cache_bypass", "proxy_no_cache"):
        line = next(line for line in site.splitlines() if line.strip().startswith(guard))
        assert "$satudata_has_session" in line and "$satudata_has_token" in line
    # a POST is never retried on another node (it could be applied twice)
    assert "non_idempotent" not in site
