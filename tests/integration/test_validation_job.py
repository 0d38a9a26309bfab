"""A large file is validated by a background job: the resource waits ("menunggu") until a real
``ckan jobs worker`` has taken the job from Redis and stored the result."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import ckan.lib.jobs as jobs
import pytest
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.quality import service
from tests.conftest import create_dataset, make_opd_org
from tests.quality import corpus
from tests.quality.test_service import LAST, csv_bytes, site_context

ROOT = Path(__file__).resolve().parents[2]
# test.ini keeps CKAN 2.12's uploads in memory, which a worker process cannot read: this test
# stores them on disk, as a site does (CKAN 2.11 ignores these keys: ckan.storage_path is used).
STORAGE = {
    "ckan.files.storage.test.type": "ckan:fs",
    "ckan.files.storage.test.path": str(ROOT / ".work" / "test-storage" / "files"),
    "ckan.files.storage.test.initialize": "true",
}


LOGGING = """
[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def _worker_ini(tmp_path: Path) -> Path:
    """test.ini with the uploads on disk, for the worker (CKAN 2.11 reads its logging too)."""
    ini = tmp_path / "worker.ini"
    lines = ["[app:main]", f"use = config:{ROOT / 'test.ini'}", *(f"{k} = {v}" for k, v in STORAGE.items())]
    ini.write_text("\n".join(lines) + "\n" + LOGGING.replace("%", "%%"))
    return ini


@pytest.mark.integration
@pytest.mark.ckan_config("ckan.files.storage.test.type", STORAGE["ckan.files.storage.test.type"])
@pytest.mark.ckan_config("ckan.files.storage.test.path", STORAGE["ckan.files.storage.test.path"])
@pytest.mark.ckan_config("ckan.files.storage.test.initialize", True)
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
def test_a_large_file_is_validated_by_a_worker_process(ckan_cli_env, ckan_config, monkeypatch, tmp_path):
    # "large": anything over 100 bytes, in this process; the worker keeps the default limits
    monkeypatch.setitem(ckan_config, config.QUALITY_SYNC_MAX_BYTES, 100)
    make_opd_org("disdukcapil")
    dataset = create_dataset(
        name="penduduk", owner_org="disdukcapil", kode_urusan="2.12", sektor_kegiatan="2", satuan="jiwa"
    )
    rows = corpus.penduduk([LAST])
    corpus.find(rows, "64.71.04", LAST)[corpus.PR] = -5  # below the minimum of 0
    resource = helpers.call_action(
        "resource_create", context=site_context(), package_id=dataset["id"], url="penduduk.csv", name="Penduduk",
        format="CSV", periode=str(LAST), upload=FileStorage(io.BytesIO(csv_bytes(rows)), filename="penduduk.csv"),
        schema=json.dumps(corpus.schema()),
    )  # fmt: skip
    waiting = service.validation_of(resource["id"])
    assert waiting["status"] == "menunggu" and waiting["findings"] == [] and waiting["queued_at"]
    assert service.validation_summary(dataset["id"])["pending"] == 1
    assert any(j.func_name.endswith("run_validation_job") for j in jobs.get_queue().jobs)

    worker = subprocess.run(
        ["ckan", "-c", str(_worker_ini(tmp_path)), "jobs", "worker", "--burst"],
        env=ckan_cli_env, capture_output=True, text=True, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr[-2000:]

    done = service.validation_of(resource["id"])
    assert done["status"] == "tidak_valid" and done["validated_at"], done["error"]
    (finding,) = [f for f in done["findings"] if f["code"] == "constraint_error"]
    assert (finding["row"], finding["column"]) == (corpus.row_number(rows, "64.71.04", LAST), "perempuan")
    assert finding["message"]["id"].endswith('nilai "-5" kurang dari batas bawah 0')
