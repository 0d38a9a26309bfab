"""Hand the outbox (``model/outbox.py``) to CKAN's background jobs, and run its items.

:func:`add` is called inside the transaction of the change the job announces; :func:`flush`
right after that transaction committed, to queue the item at once. Whatever could not be
queued then (Redis down), or was lost in the queue (Redis restarted without its data, a
worker killed), :func:`sweep` queues again, at most ``ckanext.satudata.sweep.max_attempts``
times; then the item is ``failed`` with the reason, for the admin to see
(``ckan satudata sweep`` reports it).

An item names its job by dotted path, and only functions of this extension are ever run
(:data:`ALLOWED_PREFIX`): the database content never chooses the code that runs.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.lib import jobs

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.lib import outage
from ckanext.satudata_balikpapan.model import outbox as db
from ckanext.satudata_balikpapan.model.meta import utcnow

log = logging.getLogger(__name__)

ALLOWED_PREFIX = "ckanext.satudata_balikpapan."


def job_path(function: Callable[..., Any]) -> str:
    """The dotted path an item stores for ``function``."""
    return f"{function.__module__}:{function.__qualname__}"


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    if not module.startswith(ALLOWED_PREFIX) or not name.isidentifier():
        raise ValueError(f"outbox job {path!r} is not one of the extension's")
    return getattr(importlib.import_module(module), name)


def add(function: Callable[..., Any], args: list[Any], title: str) -> str:
    """Write an item for ``function(*args)`` in the current transaction; returns its id."""
    _resolve(job_path(function))  # refuse at once what run() would refuse later
    return db.add(job_path(function), args, title)


def _enqueue(item_id: str, title: str | None) -> bool:
    try:
        jobs.enqueue(run, [item_id], title=title or "satudata outbox")
    except (*outage.QUEUE_ERRORS, OSError):
        log.warning("Satu Data: the jobs queue is down; outbox item %s stays pending", item_id)
        return False
    return True


def flush(item_ids: list[str]) -> bool:
    """Queue items just committed; True when all went into the queue. What could not be
    queued stays pending for :func:`sweep`."""
    queued = True
    for item_id in item_ids:
        item = db.get(item_id)
        if item is None or item["status"] != db.PENDING:
            continue
        if _enqueue(item_id, item["title"]):
            db.mark(item_id, db.QUEUED, queued_at=utcnow(), attempts=item["attempts"] + 1)
        else:
            queued = False
    model.Session.commit()
    return queued


def run(item_id: str) -> Any:
    """Background job: run one item, once. An item already done is not run again (a job
    queued twice, by the sweeper and by a slow first attempt, sends one mail: the item is
    locked while it runs, so a second run waits, then finds it done)."""
    item = db.get(item_id, for_update=True)
    if item is None or item["status"] in (db.DONE, db.FAILED):
        return None
    try:
        result = _resolve(item["job"])(*item["args"])
    except Exception as error:
        model.Session.rollback()
        db.mark(item_id, db.PENDING, error=f"{type(error).__name__}: {error}"[:500])
        model.Session.commit()
        raise
    db.mark(item_id, db.DONE, done_at=utcnow())
    model.Session.commit()
    return result


def lost_before(now: dt.datetime, stuck_minutes: int | None = None) -> dt.datetime:
    """Queued work older than this counts as lost: ``stuck_minutes`` before ``now``, by
    default ``ckanext.satudata.sweep.stuck_minutes`` (the outbox and the validations alike)."""
    minutes = config.sweep_stuck_minutes() if stuck_minutes is None else stuck_minutes
    return now - dt.timedelta(minutes=minutes)


def sweep(now: dt.datetime | None = None, stuck_minutes: int | None = None) -> dict[str, int]:
    """Queue again what is pending or lost (queued more than ``stuck_minutes`` ago, by default
    ``ckanext.satudata.sweep.stuck_minutes``); mark failed what ran out of attempts. Returns
    how many items were queued and failed."""
    now = now or utcnow()
    limit = config.sweep_max_attempts()
    queued = failed = 0
    for item in db.due(lost_before(now, stuck_minutes)):
        if item["attempts"] >= limit:
            db.mark(item["id"], db.FAILED, error=f"not done after {item['attempts']} attempts")
            failed += 1
            continue
        if not _enqueue(item["id"], item["title"]):
            break  # the queue is down: the next sweep tries again
        db.mark(item["id"], db.QUEUED, queued_at=now, attempts=item["attempts"] + 1)
        queued += 1
    model.Session.commit()
    return {"queued": queued, "failed": failed}
