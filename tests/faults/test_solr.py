"""Solr stops in the middle of the walidata's and the clerk's work: every step lands in the
database and the index, or in neither; the user reads a translated 503 (no traceback, no
internal URL); nothing is half-done; the public never sees an unpublished dataset; once Solr
is back the same step simply works."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.model import outbox, workflow_event
from tests.conftest import (
    TEST_OVERRIDE_REASON,
    create_dataset,
    make_workflow_people,
    public_channels,
    publish,
)
from tests.faults.conftest import STORAGE, STORAGE_PATH, stopped
from tests.logic.test_requests_actions import REQUEST

pytestmark = [pytest.mark.integration, pytest.mark.once, pytest.mark.usefixtures("clean_db", "clean_index")]

ADMIN = {"ignore_auth": True, "user": "admin"}


def _post(app, action, token, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": token}, status=None)


def assert_unavailable(answer, service_word="pencarian"):
    """The 503 an API caller gets: translated, naming the service in words, nothing internal."""
    assert answer.status_code == 503, answer.body
    assert answer.headers["Retry-After"]
    message = answer.json["error"]["message"]
    assert service_word in message and "Tidak ada yang diubah" in message
    for internal in ("8983", "127.0.0.1", "Traceback", "solr/ckan"):
        assert internal not in answer.body


def _events(package_id: str) -> list[str]:
    return [e["action"] for e in workflow_event.events(package_id=package_id)]


def _activities(package_id: str) -> int:
    return len(
        helpers.call_action(
            "package_activity_list", context=dict(ADMIN), id=package_id, include_hidden_activity=True
        )
    )


def _outbox() -> int:
    return model.Session.execute(sa.select(sa.func.count()).select_from(outbox.outbox)).scalar()


def test_a_withdrawal_while_solr_is_down_lands_nowhere_and_says_so(app):
    tokens = make_workflow_people()
    dataset = create_dataset(name="kasus-dbd", owner_org="dinkes")
    publish(dataset["id"])
    assert all(public_channels(app, dataset).values())
    events, mails = _events(dataset["id"]), _outbox()

    with stopped("solr"):
        answer = _post(app, "satudata_withdraw", tokens["walidata"], id="kasus-dbd", note="Angka keliru")
        state = helpers.call_action("package_show", context=dict(ADMIN), id="kasus-dbd")

    assert_unavailable(answer)
    assert state["publishing_status"] == "terbit" and state["private"] is False
    assert _events(dataset["id"]) == events and _outbox() == mails  # no record, no mail of a step not taken
    assert all(public_channels(app, dataset).values())  # database and index agree: still published

    done = _post(app, "satudata_withdraw", tokens["walidata"], id="kasus-dbd", note="Angka keliru")
    assert done.status_code == 200, done.body
    assert not any(public_channels(app, dataset).values())
    assert _events(dataset["id"])[-1] == "withdraw"


def test_a_publication_while_solr_is_down_lands_nowhere_and_succeeds_once_it_is_back(app):
    tokens = make_workflow_people()
    dataset = create_dataset(name="kasus-dbd", owner_org="dinkes")
    helpers.call_action("satudata_submit", context=dict(ADMIN), id=dataset["id"])
    activities, mails = _activities(dataset["id"]), _outbox()

    with stopped("solr"):
        answer = _post(
            app, "satudata_publish", tokens["walidata"], id="kasus-dbd", override_reason=TEST_OVERRIDE_REASON
        )
        state = helpers.call_action("package_show", context=dict(ADMIN), id="kasus-dbd")

    assert_unavailable(answer)
    assert state["publishing_status"] == "diajukan" and state["private"] is True
    assert "publish" not in _events(dataset["id"])
    assert _activities(dataset["id"]) == activities and _outbox() == mails
    assert not any(public_channels(app, dataset).values())

    # the retry is the same step, not a 409 "already published"
    done = _post(
        app, "satudata_publish", tokens["walidata"], id="kasus-dbd", override_reason=TEST_OVERRIDE_REASON
    )
    assert done.status_code == 200, done.body
    assert all(public_channels(app, dataset).values())
    assert _events(dataset["id"]).count("publish") == 1
    assert _activities(dataset["id"]) == activities + 1  # one public activity of the publication
    assert _outbox() == mails + 1  # one notification


@pytest.mark.ckan_config("ckan.files.storage.test.type", STORAGE["ckan.files.storage.test.type"])
@pytest.mark.ckan_config("ckan.files.storage.test.path", STORAGE["ckan.files.storage.test.path"])
@pytest.mark.ckan_config("ckan.files.storage.test.initialize", True)
@pytest.mark.ckan_config("ckan.storage_path", STORAGE["ckan.storage_path"])
def test_an_upload_while_solr_is_down_leaves_no_resource_and_no_orphaned_file(app):
    tokens = make_workflow_people()
    dataset = create_dataset(name="kasus-dbd", owner_org="dinkes")
    before = {p for p in STORAGE_PATH.rglob("*") if p.is_file()}

    with stopped("solr"):
        answer = app.post(
            "/api/3/action/resource_create",
            data={
                "package_id": dataset["id"], "name": "Kasus 2024", "format": "CSV", "periode": "2024",
                "upload": (io.BytesIO(b"kode_wilayah,tahun,kasus\n64.71.01,2024,17\n"), "kasus.csv"),
            },
            headers={"Authorization": tokens["produsen-dinkes"]}, content_type="multipart/form-data", status=None,
        )  # fmt: skip

    assert_unavailable(answer)
    assert helpers.call_action("package_show", context=dict(ADMIN), id=dataset["id"])["resources"] == []
    assert {p for p in STORAGE_PATH.rglob("*") if p.is_file()} == before

    upload = FileStorage(io.BytesIO(b"kode_wilayah,tahun,kasus\n64.71.01,2024,17\n"), filename="kasus.csv")
    created = helpers.call_action(
        "resource_create", context={"user": "produsen-dinkes"}, package_id=dataset["id"], name="Kasus 2024",
        format="CSV", periode="2024", upload=upload,
    )  # fmt: skip
    assert created["url_type"] == "upload"


def test_data_requests_work_while_solr_is_down_and_the_catalogue_says_to_retry(app):
    make_workflow_people()
    with stopped("solr"):
        form = app.get("/permohonan-data/baru", status=None)
        listing = app.get("/permohonan-data", status=None)
        created = app.post(
            "/api/3/action/satudata_request_create",
            json=REQUEST,
            environ_base={"REMOTE_ADDR": "198.51.100.9"},
        )
        search = app.get("/dataset/", status=None)
        catalogue = app.get("/catalog.ttl", status=None)
    assert form.status_code == 200 and "Dinas Kesehatan" in form.body
    assert listing.status_code == 200
    assert created.status_code == 200 and created.json["result"]["stored"]
    # a harvester is told to come back (503, Retry-After), not served a broken feed
    assert catalogue.status_code == 503 and catalogue.headers["Retry-After"]
    # the search page cannot search: the translated 503 page, not CKAN's 500
    assert search.status_code == 503 and "Layanan pencarian sedang tidak tersedia" in search.body
