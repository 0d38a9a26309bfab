"""The one scheduler of a site: elected through Redis, the sweeper each round, the DCAT
warm-up once a day."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from ckan.lib.redis import connect_to_redis

from ckanext.satudata_balikpapan.ops import scheduler
from tests.conftest import create_dataset, make_opd_org, publish


@pytest.mark.parametrize(
    ("now", "last_day", "due"),
    [
        (dt.datetime(2026, 12, 7, 0, 29), None, False),  # before the hour
        (dt.datetime(2026, 12, 7, 0, 30), None, True),
        (dt.datetime(2026, 12, 7, 13, 0), None, True),  # a scheduler started at noon warms at once
        (dt.datetime(2026, 12, 7, 13, 0), "2026-12-07", False),  # done today
        (dt.datetime(2026, 12, 8, 0, 31), "2026-12-07", True),  # the next day
    ],
)
def test_the_warm_up_is_due_once_a_day_after_its_hour(now, last_day, due):
    assert scheduler.warm_due(now, (0, 30), last_day) is due


def _reset_lock() -> None:
    redis = connect_to_redis()
    for key in redis.scan_iter("satudata:*:scheduler:*"):
        redis.delete(key)


@pytest.mark.integration
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestElection:
    def setup_method(self):
        _reset_lock()

    def test_one_copy_holds_the_lock_and_the_other_stands_by(self):
        first, second = scheduler.Scheduler(every=60), scheduler.Scheduler(every=60)
        second.me = "node-b:1"
        assert first.elect() and first.elect()  # taken, then renewed
        assert not second.elect()
        assert second.round() == {"standby": first.me}
        assert scheduler.holder(first.redis) == first.me

    def test_a_standby_takes_over_when_the_holder_resigns_or_dies(self):
        first, second = scheduler.Scheduler(every=60), scheduler.Scheduler(every=60)
        second.me = "node-b:1"
        assert first.elect()
        first.resign()
        assert second.elect()
        # the holder dies without resigning: its lock expires by itself
        second.resign()
        first.ttl = 1
        assert first.elect()
        time.sleep(1.5)
        assert second.elect()

    def test_the_holder_sweeps_every_round_and_warms_the_feed_once_a_day(self):
        org = make_opd_org("disdukcapil")
        dataset = create_dataset(name="penduduk-per-kelurahan", owner_org=org["id"], kode_urusan="2.12")
        publish(dataset["id"])
        holder = scheduler.Scheduler(every=60)
        noon = dt.datetime.now().replace(hour=12, minute=0)

        first = holder.round(now=noon)
        assert set(first) >= {"outbox", "validation", "index", "stages", "dcat_warm"}
        assert first["dcat_warm"] == 1  # the one published dataset, rendered
        assert holder.round(now=noon)["dcat_warm"] is None  # not twice the same day
        assert holder.round(now=noon + dt.timedelta(days=1))["dcat_warm"] == 1
