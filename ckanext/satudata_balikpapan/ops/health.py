"""The health of one web node, for the load balancer: ``GET /health``.

A node is healthy when it can serve a user: PostgreSQL answers, Solr answers, Redis answers,
and at least one jobs worker of the site is alive (its heartbeat key in Redis has not expired:
RQ renews it while the worker runs, removes it on a clean stop, and lets it expire after its
TTL, 7 minutes, when the worker was killed outright), since without a worker uploads are never
checked and e-mails never sent. The answer is 200 with every check
``ok``, or 503 naming the failing parts, so that nginx or an external balancer takes the node
out and an operator reads at once what is wrong.

The scheduler is reported but does not fail the check: it runs on one node only, and a dead
scheduler is no reason to stop serving pages (its supervisor restarts it; ``worker`` and
``scheduler`` alerts belong to monitoring).

The probes reuse :func:`..lib.outage.probe`'s short timeouts, so a hung service answers the
load balancer within seconds, and the answer is never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import logging
from typing import Any

import rq
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis

from ckanext.satudata_balikpapan.lib import outage
from ckanext.satudata_balikpapan.ops import scheduler

log = logging.getLogger(__name__)

OK = "ok"
# The parts whose failure makes the node unfit to serve (503); the others are information.
REQUIRED = ("postgresql", "solr", "redis", "worker")
NAMES = {outage.DATABASE: "postgresql", outage.SEARCH: "solr", outage.QUEUE: "redis"}


def live_workers() -> int:
    """The jobs workers of this site listening on its default queue whose heartbeat is live."""
    return len(rq.Worker.all(queue=jobs.get_queue()))


def check() -> dict[str, Any]:
    """``{"status": "ok"|"fail", "checks": {part: "ok" | reason}}``; ``status`` is ``fail``
    when any part of :data:`REQUIRED` is not ``ok``."""
    down = set(outage.probe())
    checks: dict[str, str] = {
        NAMES[service]: ("unavailable" if service in down else OK) for service in outage.SERVICES
    }
    if outage.QUEUE in down:
        checks["worker"] = "unknown: redis is unavailable"
        checks["scheduler"] = "unknown: redis is unavailable"
    else:
        try:
            count = live_workers()
            checks["worker"] = OK if count else "no live worker"
            holder = scheduler.holder(connect_to_redis())
            checks["scheduler"] = f"{OK} ({holder})" if holder else "not running"
        except Exception as exc:  # a Redis that refuses in the middle: report, never raise
            log.warning("health: the worker check failed: %s", exc)
            checks["worker"] = checks["scheduler"] = "unknown: redis is unavailable"
            checks["redis"] = "unavailable"
    failed = [part for part in REQUIRED if checks.get(part) != OK]
    return {"status": "fail" if failed else OK, "failed": failed, "checks": checks}
