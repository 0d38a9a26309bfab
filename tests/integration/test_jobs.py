"""A CKAN background job goes through Redis and is run by a real ``ckan jobs worker``."""

from __future__ import annotations

import subprocess

import ckan.lib.jobs as jobs
import ckan.lib.search as search
import pytest
from ckan.tests import helpers

from tests.conftest import create_dataset, make_opd_org, publish

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _run_worker(env: dict[str, str]) -> None:
    """Run a real ``ckan jobs worker --burst`` until the queue is empty."""
    worker = subprocess.run(
        ["ckan", "-c", str(ROOT / "test.ini"), "jobs", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]


@pytest.mark.integration
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
def test_background_job_runs_through_redis_in_a_worker_process(ckan_cli_env):
    org = make_opd_org("disdukcapil")
    dataset = create_dataset(
        name="penduduk-per-kelurahan",
        title="Jumlah Penduduk per Kelurahan",
        owner_org=org["id"],
        kode_urusan="2.12",
    )
    publish(dataset["id"])
    search.clear(dataset["name"])  # drop it from Solr: only the job can bring it back
    assert helpers.call_action("package_search", q="penduduk")["count"] == 0

    job = jobs.enqueue(search.rebuild, kwargs={"package_id": dataset["id"]}, title="reindex one dataset")
    # besides ours, the queue holds the workflow's notification jobs (submit, publish)
    assert job.id in [j.id for j in jobs.get_queue().jobs]

    _run_worker(ckan_cli_env)

    job.refresh()
    assert job.get_status() == "finished"
    assert jobs.get_queue().count == 0
    assert helpers.call_action("package_search", q="penduduk")["count"] == 1


# The dotted paths under which releases before the layout by domain queued their jobs.
LEGACY_JOB_PATHS = [
    (
        "ckanext.satudata_balikpapan.notify.send_event_mail",
        [
            {
                "id": "e1",
                "package_id": "gone",
                "action": "submit",
                "to_state": "diajukan",
                "role": "produsen",
                "package_name": "gone",
            }
        ],
    ),
    ("ckanext.satudata_balikpapan.requests.send_request_mail", ["no-such-event"]),
    ("ckanext.satudata_balikpapan.quality.service.run_validation_job", ["no-such-resource"]),
]


@pytest.mark.integration
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues")
def test_jobs_queued_under_the_old_module_paths_still_run_after_an_upgrade(ckan_cli_env):
    queued = [jobs.enqueue(path, args, title=f"legacy {path}") for path, args in LEGACY_JOB_PATHS]

    _run_worker(ckan_cli_env)
    for job in queued:
        job.refresh()
        assert job.get_status() == "finished", (job.func_name, job.exc_info)
