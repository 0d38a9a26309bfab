"""The one scheduler of a site: the sweeper every minute and the DCAT warm-up once a day.

Periodic work must run exactly once per site, however many nodes run the portal: two sweepers
would queue the same lost e-mail twice, two warm-ups would render the feed twice. So every node
may start ``ckan satudata scheduler`` (the same units everywhere is simpler to run), and the
copies elect one through a lock in Redis: ``SET key holder NX EX ttl``, renewed by its holder
every round. The others stand by and take over within ``ttl`` seconds after the holder dies
(the lock expires by itself: nothing to clean up after a ``kill -9`` or a lost node).

Each round the holder runs:

- **the sweeper** (:func:`sweep_once`): queues again the e-mails and validations a Redis outage
  or a killed worker lost, repairs the search index from the database and drops the DataStore
  stages of loads that died;
- **the Daftar Data reminders**, once a day after ``ckanext.satudata.scheduler.reminders_at``
  (``daftar_data.reminders``: each reminder is recorded, so a second run sends nothing twice);
- **the DCAT warm-up**, once a day after ``ckanext.satudata.scheduler.dcat_warm_at``: the feed's
  fragments are keyed on the day, so the first harvester after midnight would otherwise render
  the whole catalogue. The day it last ran is kept in Redis, so a restart does not warm twice.

A service that is down skips its part of the round (the next round tries again); a Redis that
is down means no lock, so the round waits: running unelected could double the work.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis
from redis import Redis

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.daftar_data import reminders
from ckanext.satudata_balikpapan.data_api import load
from ckanext.satudata_balikpapan.dcat import fragments
from ckanext.satudata_balikpapan.lib import outage, outbox
from ckanext.satudata_balikpapan.quality import service as quality
from ckanext.satudata_balikpapan.workflow import reconcile as reconciler

log = logging.getLogger(__name__)

# Renew the lock if it is still ours, atomically (a holder that was paused past the lock's
# life must not extend a lock another node now holds).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('expire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def _key(name: str) -> str:
    site = tk.config.get("ckan.site_id") or "default"
    return f"satudata:{site}:scheduler:{name}"


def identity() -> str:
    """Who holds the lock: host and process, as an operator reads it in ``/health``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder(redis: Redis) -> str | None:
    """The identity of the scheduler that holds the site's lock, or None."""
    value = redis.get(_key("lock"))
    return value.decode() if isinstance(value, bytes) else value


def sweep_once(stuck_minutes: int | None = None) -> dict[str, Any]:
    """One round of the sweeper; a service still down skips its part until the next round."""
    out: dict[str, Any] = {}
    work: dict[str, Callable[[], Any]] = {
        "outbox": lambda: outbox.sweep(stuck_minutes=stuck_minutes),
        "validation": lambda: quality.sweep_validations(stuck_minutes=stuck_minutes),
        "index": lambda: reconciler.reconcile(repair=True),
        "stages": lambda: load.sweep_stages(),
    }
    for name, run in work.items():
        try:
            out[name] = run()
        except Exception as exc:
            model.Session.rollback()
            service = outage.failed_service(exc)
            if service is None:
                raise
            out[name] = f"skipped: the {service} service is unavailable"
    return out


def warm_due(now: dt.datetime, at: tuple[int, int], last_day: str | None) -> bool:
    """Whether the daily warm-up is due: not yet done today, and today's time is past ``at``."""
    return last_day != now.date().isoformat() and (now.hour, now.minute) >= at


class Scheduler:
    """The scheduler loop of one process; :meth:`round` is one turn of it."""

    def __init__(self, redis: Redis | None = None, every: int | None = None) -> None:
        self.redis = redis or connect_to_redis()
        self.every = every or config.scheduler_every()
        self.me = identity()
        # the lock outlives three missed rounds: a slow round (a big reconcile) keeps it
        self.ttl = max(90, 3 * self.every)

    def elect(self) -> bool:
        """Take or renew the site's lock; True when this process holds it."""
        if self.redis.set(_key("lock"), self.me, nx=True, ex=self.ttl):
            log.info("scheduler: %s holds the lock", self.me)
            return True
        return bool(self.redis.eval(_RENEW, 1, _key("lock"), self.me, self.ttl))

    def resign(self) -> None:
        """Give the lock up (on a clean stop), so that a standby takes over at once."""
        try:
            self.redis.eval(_RELEASE, 1, _key("lock"), self.me)
        except Exception:  # Redis gone: the lock expires by itself
            log.warning("scheduler: could not release the lock", exc_info=True)

    def _once_a_day(self, name: str, at: tuple[int, int], now: dt.datetime, run: Callable[[], Any]) -> Any:
        """``run()`` once a day after ``at``: the day it last ran is kept in Redis, so a
        restart or a second node does not run it twice; its result, or None when not due."""
        last = self.redis.get(_key(name))
        last_day = last.decode() if isinstance(last, bytes) else last
        if not warm_due(now, at, last_day):
            return None
        result = run()
        self.redis.set(_key(name), now.date().isoformat(), ex=3 * 86400)
        return result

    def warm_if_due(self, now: dt.datetime) -> int | None:
        """Warm the DCAT feed when it is due today; the number of datasets rendered, or None."""
        if not fragments.enabled():
            return None
        return self._once_a_day("dcat_warm_day", config.scheduler_dcat_warm_at(), now, fragments.warm)

    def remind_if_due(self, now: dt.datetime) -> dict[str, int] | None:
        """Send the day's Daftar Data reminders when they are due; the counts, or None."""
        return self._once_a_day("reminders_day", config.scheduler_reminders_at(), now, reminders.send_due)

    def round(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """One turn: elected, sweep and warm when due; else stand by. Never raises for an
        outage (the supervisor would only restart a loop that waits for the service anyway)."""
        try:
            if not self.elect():
                return {"standby": holder(self.redis)}
        except outage.QUEUE_ERRORS:
            return {"skipped": "the queue service is unavailable"}
        result = sweep_once()
        now = now or dt.datetime.now()
        for name, daily in (("daftar_data_reminders", self.remind_if_due), ("dcat_warm", self.warm_if_due)):
            try:
                result[name] = daily(now)
            except Exception as exc:
                model.Session.rollback()
                service = outage.failed_service(exc)
                if service is None:
                    raise
                result[name] = f"skipped: the {service} service is unavailable"
        return result

    def run(self, rounds: int | None = None, report: Callable[[dict[str, Any]], None] = print) -> None:
        """Loop every :attr:`every` seconds (``rounds`` turns, or for ever); resign on exit."""
        done = 0
        try:
            while rounds is None or done < rounds:
                report(self.round())
                done += 1
                if rounds is None or done < rounds:
                    time.sleep(self.every)
        finally:
            self.resign()
