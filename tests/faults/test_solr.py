"""Solr stops in the middle of the walidata's work: every step lands in the database and the
index, or in neither; the user reads a translated 503; the public never sees an unpublished
dataset."""

from __future__ import annotations

import pytest
from ckan.tests import helpers

from tests.conftest import create_dataset, make_workflow_people, publish
from tests.faults.conftest import stopped

pytestmark = [pytest.mark.integration, pytest.mark.once, pytest.mark.usefixtures("clean_db", "clean_index")]


def _post(app, action, token, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": token}, status=None)


def _public_names(app) -> set[str]:
    found = app.get("/api/3/action/package_search", query_string={"rows": 100}).json["result"]["results"]
    return {d["name"] for d in found}


def test_a_withdrawal_while_solr_is_down_lands_nowhere_and_says_so(app):
    tokens = make_workflow_people()
    dataset = create_dataset(name="kasus-dbd", owner_org="dinkes")
    publish(dataset["id"])
    assert "kasus-dbd" in _public_names(app)

    with stopped("solr"):
        answer = _post(app, "satudata_withdraw", tokens["walidata"], id="kasus-dbd", note="Angka keliru")
        state = helpers.call_action("package_show", context={"ignore_auth": True}, id="kasus-dbd")

    assert answer.status_code == 503, answer.body
    message = answer.json["error"]["message"]
    assert "pencarian" in message and "8983" not in answer.body and "Traceback" not in answer.body
    assert state["publishing_status"] == "terbit" and state["private"] is False
    assert "kasus-dbd" in _public_names(app)  # database and index agree: still published

    done = _post(app, "satudata_withdraw", tokens["walidata"], id="kasus-dbd", note="Angka keliru")
    assert done.status_code == 200, done.body
    assert "kasus-dbd" not in _public_names(app)
