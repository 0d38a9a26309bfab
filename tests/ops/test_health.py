"""``GET /health``: what the load balancer reads about a web node."""

from __future__ import annotations

import subprocess
import time

import ckan.lib.jobs as jobs
import pytest
import rq

from tests.conftest import ROOT
from tests.faults.conftest import stopped

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("with_plugins", "clean_queues", "no_workers")]


@pytest.fixture
def no_workers():
    """No jobs worker registered for the site's queue. A worker killed outright (the fault
    tests kill one) stays registered until its heartbeat key expires (RQ's worker TTL, 7
    minutes); each test here starts from a node without any."""
    for worker in rq.Worker.all(queue=jobs.get_queue()):
        worker.register_death()


def _health(app) -> tuple[int, dict]:
    response = app.get("/health", status=None)
    cache = response.headers["Cache-Control"]
    assert "no-store" in cache and "public" not in cache
    return response.status_code, response.json


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_node_without_a_live_worker_is_unhealthy_and_says_so(app):
    status, body = _health(app)
    assert status == 503
    assert body["status"] == "fail"
    assert body["failed"] == ["worker"]
    assert body["checks"]["worker"] == "no live worker"
    assert {body["checks"][part] for part in ("postgresql", "solr", "redis")} == {"ok"}


def test_a_node_is_healthy_while_a_worker_runs_and_unhealthy_once_it_stopped(app, ckan_cli_env):
    worker = subprocess.Popen(
        ["ckan", "-c", str(ROOT / "test.ini"), "jobs", "worker"],
        env=ckan_cli_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert _wait(lambda: _health(app)[0] == 200, 60), _health(app)
        body = _health(app)[1]
        assert body == {"status": "ok", "failed": [], "checks": body["checks"]}
        assert body["checks"]["worker"] == "ok"
    finally:
        worker.terminate()  # a clean stop: the worker removes its heartbeat key
        worker.wait(timeout=60)
    assert _wait(lambda: _health(app)[0] == 503, 10)


@pytest.mark.once
@pytest.mark.parametrize(("service", "part"), [("redis", "redis"), ("solr", "solr")])
def test_a_service_down_fails_the_check_naming_it(app, service, part):
    with stopped(service):
        status, body = _health(app)
    assert status == 503
    assert body["checks"][part] == "unavailable"
    assert part in body["failed"]
    if service == "redis":  # no Redis, no way to see the workers
        assert body["checks"]["worker"].startswith("unknown")
