"""The outbox (``lib/outbox.py``): work written with the change it announces runs once, is
queued again when lost, is given up after its attempts with the reason, and never runs code
the database names."""

from __future__ import annotations

import datetime as dt

import ckan.lib.jobs as jobs
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.lib import outbox
from ckanext.satudata_balikpapan.model import outbox as db
from ckanext.satudata_balikpapan.model.meta import utcnow
from ckanext.satudata_balikpapan.workflow import notify

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("clean_db", "clean_queues")]


def _item(
    job: str = "ckanext.satudata_balikpapan.workflow.notify:mail_event", args=("no-such-event",)
) -> str:
    item_id = db.add(job, list(args), "satudata test")
    model.Session.commit()
    return item_id


def test_an_item_is_queued_after_the_commit_and_runs_once_even_if_queued_twice():
    item_id = outbox.add(notify.mail_event, ["no-such-event"], "satudata notify test")
    model.Session.commit()
    assert outbox.flush([item_id]) is True
    assert db.get(item_id)["status"] == db.QUEUED
    jobs.enqueue(outbox.run, [item_id])  # the sweeper's copy of the same item
    results = [job.perform() for job in jobs.get_queue().jobs]
    assert results == [0, None]  # the mail job ran once (nobody to mail); the copy did nothing
    assert db.get(item_id)["status"] == db.DONE


def test_a_lost_item_is_queued_again_then_given_up_with_the_reason(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.satudata.sweep.max_attempts", 2)
    item_id = _item()
    later = utcnow() + dt.timedelta(hours=2)  # long past the stuck time
    assert outbox.sweep() == {"queued": 1, "failed": 0}  # pending: queued at once
    jobs.get_queue().empty()  # ... and lost with Redis
    assert outbox.sweep(now=later) == {"queued": 1, "failed": 0}
    jobs.get_queue().empty()
    assert outbox.sweep(now=later + dt.timedelta(hours=2)) == {"queued": 0, "failed": 1}
    item = db.get(item_id)
    assert item["status"] == db.FAILED and "2 attempts" in item["error"]


def test_no_code_outside_the_extension_ever_runs_from_a_row():
    item_id = _item(job="os:system", args=["touch /tmp/satudata-pwned"])
    with pytest.raises(ValueError, match="not one of the extension's"):
        outbox.run(item_id)
    assert db.get(item_id)["status"] == db.PENDING
    with pytest.raises(ValueError):
        outbox.add(sa.text, ["x"], "not ours")
