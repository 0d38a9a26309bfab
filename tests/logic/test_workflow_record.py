"""The verification record: one event per step, append-only, surviving the dataset; two
walidata publishing at once make one publication; mail trouble never blocks a transition."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.satudata_balikpapan.model import dataset_state, resource_validation, workflow_event
from ckanext.satudata_balikpapan.workflow import notify
from tests.conftest import create_dataset, make_workflow_people, upload_csv

ADMIN = {"user": "admin"}


@pytest.fixture
def people(clean_db, clean_index):
    return make_workflow_people()


def _act(app, token, action, name, note=None):
    return app.post(
        f"/api/3/action/satudata_{action}", json={"id": name, "note": note}, headers={"Authorization": token}
    )


def test_the_history_records_each_step_with_actor_role_time_and_note(app, people):
    create_dataset(user="produsen-dinkes", name="dbd")
    assert _act(app, people["produsen-dinkes"], "submit", "dbd").status_code == 200
    assert (
        _act(app, people["pembina-bps"], "review_note", "dbd", "Definisi sesuai standar BPS").status_code
        == 200
    )
    assert _act(app, people["walidata"], "return", "dbd", "Lengkapi metode perhitungan").status_code == 200
    helpers.call_action(
        "package_patch", context={"user": "produsen-dinkes"}, id="dbd", metode_perhitungan="Penjumlahan kasus"
    )
    assert _act(app, people["produsen-dinkes"], "submit", "dbd").status_code == 200
    assert _act(app, people["walidata"], "publish", "dbd").status_code == 200
    helpers.call_action(
        "package_patch", context={"user": "produsen-dinkes"}, id="dbd", klasifikasi="Per bulan"
    )

    history = app.get(
        "/api/3/action/satudata_workflow_history",
        query_string={"id": "dbd"},
        headers={"Authorization": people["walidata"]},
    ).json["result"]
    steps = [
        (e["action"], e["from_state"], e["to_state"], e["actor_name"], e["role"]) for e in history["events"]
    ]
    assert steps == [
        ("create", None, "draft", "produsen-dinkes", "produsen"),
        ("submit", "draft", "diajukan", "produsen-dinkes", "produsen"),
        ("review_note", "diajukan", "diajukan", "pembina-bps", "pembina"),
        ("return", "diajukan", "dikembalikan", "walidata", "walidata"),
        ("submit", "dikembalikan", "diajukan", "produsen-dinkes", "produsen"),
        ("publish", "diajukan", "terbit", "walidata", "walidata"),
        ("update", "terbit", "diajukan", "produsen-dinkes", "produsen"),
    ]
    notes = [e["note"] for e in history["events"]]
    assert "Lengkapi metode perhitungan" in notes and "Definisi sesuai standar BPS" in notes
    assert history["events"][-1]["changed_fields"] == ["klasifikasi"]
    assert all(e["created"] for e in history["events"])
    # the public sees the steps of a published dataset, without the internal notes
    public = app.get("/api/3/action/satudata_workflow_history", query_string={"id": "dbd"}).json["result"]
    assert len(public["events"]) == 7 and all(e["note"] is None for e in public["events"])


def test_a_required_note_is_refused_when_missing_in_both_languages(app, people):
    create_dataset(user="produsen-dinkes", name="dbd")
    _act(app, people["produsen-dinkes"], "submit", "dbd")
    res = _act(app, people["walidata"], "return", "dbd", "")
    assert res.status_code == 409 and "Catatan wajib diisi" in res.json["error"]["note"][0]
    res = app.post(
        "/en/api/3/action/satudata_return", json={"id": "dbd"}, headers={"Authorization": people["walidata"]}
    )
    assert res.status_code == 409 and "A note is required" in res.json["error"]["note"][0]


def test_a_disallowed_step_says_why_in_the_users_language(app, people):
    create_dataset(user="produsen-dinkes", name="dbd")
    res = _act(app, people["walidata"], "publish", "dbd")
    assert res.status_code == 409
    assert "Hanya dataset yang diajukan yang dapat diterbitkan" in res.json["error"]["publishing_status"][0]
    res = _act(app, people["produsen-dinkes"], "publish", "dbd")
    assert res.status_code == 403 and "Hanya walidata" in res.json["error"]["message"]


def test_history_is_append_only_and_survives_the_dataset_whose_purge_leaves_nothing_else(app, people):
    dataset = create_dataset(user="produsen-dinkes", name="dbd")
    resource = upload_csv(dataset["id"], "produsen-dinkes")
    _act(app, people["produsen-dinkes"], "submit", "dbd")
    pid = dataset["id"]
    assert dataset_state.get_state(pid) and resource_validation.get(resource["id"])
    helpers.call_action("package_delete", context=dict(ADMIN), id="dbd")
    helpers.call_action("dataset_purge", context=dict(ADMIN), id="dbd")
    actions = [e["action"] for e in workflow_event.events(package_id=pid)]
    assert actions == ["create", "submit", "delete", "purge"]
    purge = workflow_event.events(package_id=pid)[-1]
    assert (purge["actor_name"], purge["package_name"]) == ("admin", "dbd")
    # no state row, no validation row names the purged dataset
    assert dataset_state.get_state(pid) is None and resource_validation.get(resource["id"]) is None
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text("DELETE FROM satudata_workflow_event"))
    model.Session.rollback()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text("UPDATE satudata_workflow_event SET note = 'x'"))
    model.Session.rollback()
    assert len(workflow_event.events(package_id=pid)) == 4


def test_two_walidata_publishing_at_once_make_one_publication(app, people):
    create_dataset(user="produsen-dinkes", name="dbd")
    _act(app, people["produsen-dinkes"], "submit", "dbd")
    barrier = threading.Barrier(2)
    results: list[int] = []

    def publish(token):
        client = app.flask_app.test_client()
        barrier.wait()
        res = client.post(
            "/api/3/action/satudata_publish", json={"id": "dbd"}, headers={"Authorization": token}
        )
        results.append(res.status_code)
        model.Session.remove()

    threads = [threading.Thread(target=publish, args=(people[w],)) for w in ("walidata", "walidata-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [200, 409]
    pid = helpers.call_action("package_show", context=dict(ADMIN), id="dbd")["id"]
    assert [e["action"] for e in workflow_event.events(package_id=pid)].count("publish") == 1


def test_a_failing_mail_server_never_blocks_a_transition(app, people, monkeypatch):
    create_dataset(user="produsen-dinkes", name="dbd")

    def broken_queue(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("ckan.lib.jobs.enqueue", broken_queue)
    assert _act(app, people["produsen-dinkes"], "submit", "dbd").status_code == 200


def test_notifications_reach_the_right_people(people):
    create_dataset(user="produsen-dinkes", name="dbd")
    pkg = model.Package.get("dbd")
    event = {
        "package_id": pkg.id,
        "package_name": "dbd",
        "action": "submit",
        "to_state": "diajukan",
        "actor_name": "produsen-dinkes",
    }
    assert {u.name for u in notify.recipients(event)} == {"walidata", "walidata-2", "pembina-bps"}
    event = dict(event, action="return", to_state="dikembalikan", actor_name="walidata")
    assert {u.name for u in notify.recipients(event)} == {"produsen-dinkes"}
    subject, body = notify.message(
        dict(event, id="x", role="walidata", note="Lengkapi definisi", package_title="DBD")
    )
    assert subject == "[Satu Data] Dataset dikembalikan untuk diperbaiki: DBD"
    assert "Catatan: Lengkapi definisi" in body


def test_the_mail_job_survives_a_dead_mail_server(people):
    """The job runs with CKAN's mailer pointed at a closed port: it fails per recipient, logs,
    and finishes."""
    create_dataset(user="produsen-dinkes", name="dbd")
    pkg = model.Package.get("dbd")
    event = {"id": "e1", "package_id": pkg.id, "package_name": "dbd", "package_title": "DBD", "action": "submit",
             "from_state": "draft", "to_state": "diajukan", "actor_name": "produsen-dinkes", "role": "produsen"}  # fmt: skip
    assert notify.send_event_mail(event) == 0
