"""Redis goes away, and a worker dies in the middle of a job: nothing is lost, nothing sticks,
and no person has to step in. The supervisor starts the worker again; the sweeper
(``ckan satudata sweep``) queues what the outage lost; the pages say a mail *will* be sent
until it is."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from ckan import model
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.model import outbox
from ckanext.satudata_balikpapan.quality import service
from tests.conftest import (
    TEST_OVERRIDE_REASON,
    Inbox,
    create_dataset,
    free_port,
    make_opd_org,
    make_workflow_people,
)
from tests.faults.conftest import ROOT, STORAGE, ckan_command, stopped, worker_ini
from tests.logic.test_requests_actions import REQUEST
from tests.quality import corpus
from tests.quality.test_service import LAST, csv_bytes, site_context

pytestmark = [
    pytest.mark.integration,
    pytest.mark.once,
    pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues"),
    *(pytest.mark.ckan_config(key, value) for key, value in STORAGE.items()),
]


def _upload_large(dataset_id: str, rows: int = 0) -> dict:
    """A CSV larger than the request may check (this process checks 100 bytes at most), so a
    background job validates it."""
    table = corpus.penduduk([LAST])
    content = csv_bytes(table)
    if rows:  # a long file, to keep a worker busy for a while
        body = content.split(b"\n", 1)[1]
        content = content + body * (rows // max(1, body.count(b"\n")))
    return helpers.call_action(
        "resource_create", context=site_context(), package_id=dataset_id, url="penduduk.csv", name="Penduduk",
        format="CSV", periode=str(LAST), upload=FileStorage(io.BytesIO(content), filename="penduduk.csv"),
    )  # fmt: skip


def _dataset() -> dict:
    make_opd_org("disdukcapil")
    return create_dataset(
        name="penduduk", owner_org="disdukcapil", kode_urusan="2.12", sektor_kegiatan="2", satuan="jiwa"
    )


def test_an_upload_while_redis_is_down_is_validated_once_it_is_back(
    ckan_cli_env, ckan_config, monkeypatch, tmp_path
):
    monkeypatch.setitem(ckan_config, config.QUALITY_SYNC_MAX_BYTES, 100)
    dataset = _dataset()
    with stopped("redis"):
        resource = _upload_large(dataset["id"])  # the upload itself works
        waiting = service.validation_of(resource["id"])
    assert waiting["status"] == "menunggu" and waiting["queued_at"] is None, waiting[
        "error"
    ]  # waiting, not "gagal"

    ini = worker_ini(tmp_path)
    swept = ckan_command(ini, "satudata", "sweep", env=ckan_cli_env)  # what the supervised sweeper runs
    assert "validation: {'queued': 1" in swept.stdout
    ckan_command(ini, "jobs", "worker", "--burst", env=ckan_cli_env)

    done = service.validation_of(resource["id"])
    assert done["status"] in ("valid", "tidak_valid") and done["validated_at"], done


def test_a_data_request_while_redis_is_down_says_the_mail_will_be_sent_and_sends_it_later(
    app, ckan_cli_env, tmp_path
):
    make_workflow_people()
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with stopped("redis"):
            answer = app.post(
                "/api/3/action/satudata_request_create",
                json=REQUEST,
                environ_base={"REMOTE_ADDR": "198.51.100.7"},
            )
        created = answer.json["result"]
        assert created["stored"] and created["mail_queued"] is False
        pending = model.Session.execute(sa.select(outbox.outbox.c.status)).scalars().all()
        assert pending == [outbox.PENDING]

        ini = worker_ini(tmp_path, **{"smtp.server": f"127.0.0.1:{port}"})
        ckan_command(ini, "satudata", "sweep", env=ckan_cli_env)
        ckan_command(ini, "jobs", "worker", "--burst", env=ckan_cli_env)
    finally:
        smtp.stop()

    (receipt,) = inbox.to(REQUEST["email"])
    assert created["follow_url"] in receipt.get_body(preferencelist=("plain",)).get_content()
    model.Session.expire_all()
    assert model.Session.execute(sa.select(outbox.outbox.c.status)).scalars().all() == [outbox.DONE]


def test_the_workflow_and_the_catalogue_work_while_redis_is_down_and_the_notices_follow(
    app, ckan_cli_env, tmp_path
):
    tokens = make_workflow_people()
    dataset = create_dataset(name="kasus-dbd", owner_org="dinkes")
    helpers.call_action("satudata_submit", context={"ignore_auth": True, "user": "admin"}, id=dataset["id"])
    with stopped("redis"):
        published = app.post(
            "/api/3/action/satudata_publish", json={"id": "kasus-dbd", "override_reason": TEST_OVERRIDE_REASON},
            headers={"Authorization": tokens["walidata"]},
        )  # fmt: skip
        catalogue = app.get("/catalog.ttl")
    assert published.status_code == 200 and published.json["result"]["publishing_status"] == "terbit"
    assert dataset["id"] in catalogue.body  # the feed renders without its Redis cache
    statuses = model.Session.execute(sa.select(outbox.outbox.c.status)).scalars().all()
    assert outbox.PENDING in statuses  # the notice of the publication waits for Redis

    ckan_command(worker_ini(tmp_path), "satudata", "sweep", env=ckan_cli_env)
    model.Session.expire_all()
    assert outbox.PENDING not in model.Session.execute(sa.select(outbox.outbox.c.status)).scalars().all()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


def test_a_worker_killed_mid_job_and_a_redis_restart_heal_without_a_person(
    ckan_cli_env, ckan_config, monkeypatch, tmp_path
):
    monkeypatch.setitem(ckan_config, config.QUALITY_SYNC_MAX_BYTES, 100)
    dataset = _dataset()
    ini = worker_ini(tmp_path)
    log = (tmp_path / "worker.log").open("w")
    supervisor = subprocess.Popen(
        [str(ROOT / "scripts" / "supervise.sh"), "worker", "ckan", "-c", str(ini), "jobs", "worker"],
        env=ckan_cli_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        first = _wait(lambda: _children(supervisor.pid), 30, "the worker")[0]
        resource = _upload_large(dataset["id"], rows=150_000)
        started = _wait(lambda: _children(first), 60, "the worker to start the job (its work horse)")
        for pid in (*started, first):  # kill -9, mid-job: no chance to clean up
            os.kill(pid, signal.SIGKILL)
        assert service.validation_of(resource["id"])["status"] == "menunggu"

        # the supervisor starts a new worker; Redis restarts too, which the worker survives
        second = _wait(lambda: [p for p in _children(supervisor.pid) if p != first], 60, "a new worker")[0]
        with stopped("redis"):
            time.sleep(1)
        _wait(lambda: [p for p in _children(supervisor.pid) if p not in (first,)], 60, "a worker after Redis")

        # the sweeper finds the lost job (here at once: --stuck-minutes 0) and queues it again
        ckan_command(ini, "satudata", "sweep", "--stuck-minutes", "0", env=ckan_cli_env)

        def validated():
            model.Session.expire_all()
            row = service.validation_of(resource["id"])
            return row if row["status"] != "menunggu" else None

        done = _wait(validated, 120, "the validation after recovery")
        assert done["status"] in ("valid", "tidak_valid") and done["validated_at"]
        assert second != first
    finally:
        os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=30)
        log.close()
    assert "restarting" in Path(log.name).read_text()
