"""Reminders of the Daftar Data: an OPD hears of an unpublished item two weeks and three days
before its release date and, once late, the day after and weekly; the walidata get a Monday
digest. Each reminder goes out once, through the outbox, the jobs queue and a real SMTP
server; a published item is never reminded of; a clerk sees the same items on "Data OPD Saya"."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from ckan.tests import helpers

from ckanext.satudata_balikpapan.daftar_data import reminders, status
from ckanext.satudata_balikpapan.daftar_data.service import Entry
from ckanext.satudata_balikpapan.ops.scheduler import Scheduler
from tests.conftest import create_dataset, make_workflow_people, publish, run_queued_jobs

RULES = status.Reminders(before_days=(14, 3), late_every_days=7, digest_weekday=0)
MONDAY = dt.date(2026, 6, 15)


def _entry(item_id: str, planned: dt.date | None, published: bool = False) -> Entry:
    linked = [status.Linked("terbit", True, planned)] if published else []
    return Entry({"id": item_id, "jadwal_rilis": planned}, status.derive(planned, linked, MONDAY), [])


@pytest.mark.parametrize(
    ("days", "kind"),
    [(15, None), (14, "soon"), (7, None), (3, "soon"), (0, None), (-1, "late"), (-2, None), (-8, "late"),
     (-15, "late"), (-9, None)],
)  # fmt: skip
def test_an_item_is_reminded_of_before_its_date_and_weekly_once_late(days, kind):
    tuesday = MONDAY + dt.timedelta(days=1)
    found = reminders.due([_entry("a", tuesday + dt.timedelta(days=days))], tuesday, RULES)
    assert found == ([reminders.Due(kind, "a")] if kind else [])


def test_a_published_item_or_one_without_a_date_is_never_reminded_of_and_monday_brings_the_digest():
    entries = [_entry("terbit", MONDAY + dt.timedelta(days=3), published=True), _entry("tanpa-tanggal", None)]
    assert reminders.due(entries, MONDAY, RULES) == [reminders.Due("digest", "")]


@pytest.fixture
def people(clean_db, clean_index, clean_queues):
    return make_workflow_people()


def _item(title: str, planned: dt.date, organization: str = "dinkes") -> dict:
    return helpers.call_action(
        "satudata_daftar_data_create", context={"user": "walidata"}, year=planned.year,
        organization=organization, title=title, jadwal_rilis=planned.isoformat(),
    )  # fmt: skip


def test_the_days_reminders_go_out_once_to_the_opd_and_the_digest_to_the_walidata(people, mailbox):
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    _item("Jumlah Kasus DBD per Kelurahan", monday + dt.timedelta(days=14))
    _item("Cakupan Imunisasi", monday - dt.timedelta(days=1))
    published = _item("Jumlah Puskesmas", monday + dt.timedelta(days=3))
    publish(create_dataset(user="produsen-dinkes", daftar_data=published["id"])["id"])
    _item("Jumlah Penduduk", monday + dt.timedelta(days=30), organization="disdukcapil")
    jobs.get_queue().empty()

    assert reminders.send_due(monday) == {"soon": 1, "late": 1, "digest": 1}
    assert reminders.send_due(monday) == {"soon": 0, "late": 0, "digest": 0}  # once
    assert sorted(run_queued_jobs()) == [1, 1, 2]  # produsen-dinkes twice; walidata and walidata-2

    clerk = {m["Subject"].strip() for m in mailbox.to("produsen-dinkes@balikpapan.go.id")}
    assert clerk == {"[Satu Data] 14 hari lagi: Jumlah Kasus DBD per Kelurahan",
                     "[Satu Data] Terlambat: Cakupan Imunisasi"}  # fmt: skip
    (digest,) = mailbox.to("walidata@balikpapan.go.id")
    body = digest.get_body(preferencelist=("plain",)).get_content()
    promised = sum(1 for days in (14, -1, 3, 30) if (monday + dt.timedelta(days=days)).year == monday.year)
    assert f"{promised} butir dijanjikan, 1 terbit" in body and "- Cakupan Imunisasi (Dinas Kesehatan" in body
    assert not mailbox.to("produsen-disdukcapil@balikpapan.go.id")


def test_a_reminder_for_an_item_published_meanwhile_sends_nothing(people, mailbox):
    today = dt.date.today()
    item = _item("Jumlah Kasus DBD per Kelurahan", today + dt.timedelta(days=3))
    jobs.get_queue().empty()
    assert reminders.send_due(today)["soon"] == 1
    (queued,) = [j for j in jobs.get_queue().jobs if j.meta.get("title") == "satudata daftar-data soon"]
    publish(create_dataset(user="produsen-dinkes", daftar_data=item["id"])["id"])

    assert queued.perform() == 0
    assert not [m for m in mailbox.messages if "hari lagi" in m["Subject"]]


def test_the_scheduler_sends_the_reminders_once_a_day_after_their_hour(
    people, mailbox, ckan_config, monkeypatch
):
    monkeypatch.setitem(ckan_config, "ckanext.satudata.scheduler.reminders_at", "07:00")
    today = dt.date.today()
    _item("Jumlah Kasus DBD per Kelurahan", today + dt.timedelta(days=3))
    redis = connect_to_redis()
    for key in redis.scan_iter("satudata:*:scheduler:reminders_day"):
        redis.delete(key)
    scheduler = Scheduler(redis=redis, every=60)
    morning = dt.datetime.combine(today, dt.time(6, 59))

    assert scheduler.remind_if_due(morning) is None
    assert scheduler.remind_if_due(morning + dt.timedelta(minutes=2))["soon"] == 1
    assert scheduler.remind_if_due(morning + dt.timedelta(hours=5)) is None  # not twice a day


def test_the_clerk_sees_the_items_due_soon_or_late_on_my_opds_page(app, people):
    today = dt.date.today()
    late = _item("Cakupan Imunisasi", max(today - dt.timedelta(days=2), dt.date(today.year, 1, 1)))
    soon = _item(
        "Jumlah Kasus DBD per Kelurahan", min(today + dt.timedelta(days=10), dt.date(today.year, 12, 31))
    )
    far = _item("Jumlah Puskesmas", dt.date(today.year + 1, 12, 31))

    page = app.get("/verifikasi/data-opd-saya", headers={"Authorization": people["produsen-dinkes"]})
    notices = BeautifulSoup(page.body, "html.parser").select(".satudata-daftar-due li")

    shown = [li["data-item"] for li in notices]
    assert soon["id"] in shown and far["id"] not in shown
    if late["jadwal_rilis"] < today.isoformat():
        assert shown[0] == late["id"] and notices[0]["data-status"] == "terlambat"
