"""A record that cannot be rewritten: the verification history, the walidata's quality
acknowledgements and the data request history refuse UPDATE, DELETE and TRUNCATE; the
production role cannot get around that; and what gets around it anyway (the owner, a
superuser, a restored dump) ``ckan satudata history verify`` names, row by row."""

from __future__ import annotations

import itertools
import os
import subprocess

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.satudata_balikpapan.model import APPEND_ONLY, chain, workflow_event
from tests.conftest import ROOT, TEST_OVERRIDE_REASON, create_dataset, make_workflow_people, upload_csv
from tests.logic.test_requests_actions import REQUEST

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("clean_db", "clean_index")]

ADMIN = {"ignore_auth": True, "user": "admin"}
EVENTS = workflow_event.workflow_event


@pytest.fixture
def history():
    """A dataset taken through the workflow, with a warning published past (an acknowledgement)."""
    make_workflow_people()
    dataset = create_dataset(user="produsen-dinkes", name="kasus-dbd")
    upload_csv(dataset["id"], "produsen-dinkes")
    helpers.call_action("satudata_submit", context=dict(ADMIN), id=dataset["id"])
    helpers.call_action("satudata_return", context=dict(ADMIN), id=dataset["id"], note="Perbaiki satuan")
    helpers.call_action("satudata_submit", context=dict(ADMIN), id=dataset["id"])
    helpers.call_action(
        "satudata_publish", context=dict(ADMIN), id=dataset["id"], override_reason=TEST_OVERRIDE_REASON
    )
    helpers.call_action("satudata_request_create", context={"user": "warga"}, **REQUEST)
    return dataset


def _as_owner(statement: str, **params) -> None:
    """What the tables' owner (or a superuser) can still do: switch the triggers off."""
    model.Session.execute(sa.text("ALTER TABLE satudata_workflow_event DISABLE TRIGGER USER"))
    model.Session.execute(sa.text(statement), params)
    model.Session.execute(sa.text("ALTER TABLE satudata_workflow_event ENABLE TRIGGER USER"))
    model.Session.commit()


def _verify(ckan_cli_env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ckan", "-c", str(ROOT / "test.ini"), "satudata", "history", "verify"],
        env=ckan_cli_env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_every_step_and_acknowledgement_is_chained_and_the_chain_verifies(history, ckan_cli_env):
    rows = model.Session.execute(sa.select(EVENTS).order_by(EVENTS.c.seq)).mappings().all()
    assert [r["action"] for r in rows] == ["create", "submit", "return", "submit", "publish"]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == chain.GENESIS
    assert all(b["prev_hash"] == a["row_hash"] for a, b in itertools.pairwise(rows))
    assert all(chain.verify(table).intact for table in APPEND_ONLY)
    assert chain.verify(APPEND_ONLY[1]).rows >= 1  # the acknowledgement of the publication

    done = _verify(ckan_cli_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "satudata_workflow_event: 5 rows, intact" in done.stdout


@pytest.mark.parametrize(
    ("tampering", "statement", "found"),
    [
        ("a note rewritten", "UPDATE satudata_workflow_event SET note = 'Tidak ada catatan' WHERE seq = 3", [(3, "altered")]),
        ("a step removed", "DELETE FROM satudata_workflow_event WHERE seq = 3", [(4, "missing")]),
        (
            "a step inserted",
            "INSERT INTO satudata_workflow_event (id, package_id, package_name, action, role, created, seq, prev_hash, row_hash) "
            "SELECT 'forged', package_id, package_name, 'publish', 'walidata', now(), 6, row_hash, repeat('a', 64) "
            "FROM satudata_workflow_event WHERE seq = 5",
            [(6, "altered")],
        ),
        (
            "a step inserted outside the chain",
            "INSERT INTO satudata_workflow_event (id, package_id, package_name, action, role, created) "
            "SELECT 'forged', package_id, package_name, 'publish', 'walidata', now() FROM satudata_workflow_event WHERE seq = 5",
            [(None, "out_of_chain")],
        ),
    ],
)  # fmt: skip
def test_verify_names_every_row_rewritten_behind_the_portals_back(
    history, ckan_cli_env, tampering, statement, found
):
    _as_owner(statement)
    report = chain.verify(EVENTS)
    assert [(p.seq, p.kind) for p in report.problems] == found, tampering

    done = _verify(ckan_cli_env)
    assert done.returncode == 1 and "satudata_workflow_event" in done.stdout and "BROKEN" in done.stdout


@pytest.mark.parametrize("table", [t.name for t in APPEND_ONLY])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET created = now()", "DELETE FROM {t}", "TRUNCATE {t}"])
def test_the_record_refuses_to_be_changed_emptied_or_truncated(history, table, statement):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text(statement.format(t=table)))
    model.Session.rollback()


def test_the_production_role_can_append_but_not_rewrite_truncate_or_unprotect_the_record(
    history, ckan_cli_env
):
    database = os.environ.get("PG_TEST_DB") or model.meta.engine.url.database
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh"), "app-role", database, "satudata_app_test", "app-pass"],
        env=ckan_cli_env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    url = model.meta.engine.url.set(username="satudata_app_test", password="app-pass")
    engine = sa.create_engine(url)

    def as_app(statement: str):
        with engine.connect() as app:
            transaction = app.begin()
            try:
                result = app.execute(sa.text(statement))
                return result.fetchall() if result.returns_rows else None
            finally:
                transaction.rollback()

    try:
        assert as_app("SELECT count(*) FROM package") == [(1,)]
        as_app(
            "INSERT INTO satudata_workflow_event (id, package_id, package_name, action, role, created) "
            "VALUES ('x', 'p', 'p', 'review_note', 'walidata', now())"
        )
        for statement in (
            "UPDATE satudata_workflow_event SET note = 'x'",
            "DELETE FROM satudata_quality_ack",
            "TRUNCATE satudata_workflow_event",
            "TRUNCATE satudata_data_request_event",
            "ALTER TABLE satudata_workflow_event DISABLE TRIGGER USER",
            "ALTER TABLE satudata_quality_ack DISABLE TRIGGER ALL",
        ):
            with pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"):
                as_app(statement)
    finally:
        engine.dispose()
