"""Migration time (issue #18): ``ckan satudata migrate`` of a stock CKAN dump, per dataset,
against creating the same datasets through the portal's own ``package_create``.

The candidate migrates ``COUNT`` datasets of a ckanapi dump (each with one uploaded CSV of
about 2 KB, served by a local HTTP server as the old portal would, and one link): mapping,
the create with its old ids, the file's download, storage and read-back check, the state and
the history. The baseline creates as many complete Satu Data datasets, without files, through
``package_create`` (what a clerk's form does), in the same process, database and Solr. The
ratio is per dataset; the notes give the migration's total time for ``COUNT`` datasets.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import tempfile
import threading
import time
import uuid
from pathlib import Path

from ckan.cli.db import _run_migrations
from ckan.tests import helpers

from benchmarks.run import Env, Result
from ckanext.satudata_balikpapan.legacy import service as legacy
from ckanext.satudata_balikpapan.legacy import source
from ckanext.satudata_balikpapan.registry import opd, roles
from ckanext.satudata_balikpapan.registry import sync as registry_sync

COUNT = 1000
BASELINE_COUNT = 100
EXAMPLE = json.loads((Path(__file__).parent.parent / "docs/examples/dataset.json").read_text())
CSV = "kecamatan,tahun,jumlah\n" + "".join(f"64.71.0{k},2023,{1000 + k * 37}\n" for k in range(1, 7)) * 12


def _reset() -> None:
    helpers.reset_db()
    for plugin in ("activity", "satudata_balikpapan"):
        _run_migrations(plugin)
    registry_sync.sync(opd.default_registry())


def _dump(folder: Path, port: int, count: int) -> Path:
    """A ckanapi dump of ``count`` stock datasets whose files the local server serves."""
    (folder / "files").mkdir()
    path = folder / "datasets.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for i in range(count):
            dataset_id, resource_id = str(uuid.uuid4()), str(uuid.uuid4())
            (folder / "files" / f"{resource_id}.csv").write_text(CSV)
            stream.write(json.dumps({
                "id": dataset_id, "name": f"data-lama-{i}", "title": f"Data Lama {i}", "state": "active",
                "private": False, "notes": "Data dari portal lama.", "license_id": "cc-by",
                "organization": {"name": "dinas-kesehatan", "title": "Dinas Kesehatan"},
                "tags": [{"name": "kesehatan"}],
                "extras": [{"key": "Tahun", "value": "2021-2023"}, {"key": "Satuan", "value": "Jiwa"}],
                "metadata_modified": "2024-01-02T03:04:05",
                "resources": [
                    {"id": resource_id, "name": f"Data {i} 2023", "format": "CSV", "url_type": "upload",
                     "url": f"http://127.0.0.1:{port}/files/{resource_id}.csv"},
                    {"id": str(uuid.uuid4()), "name": "Tautan", "format": "HTML", "url": "https://example.org/"},
                ],
            }) + "\n")  # fmt: skip
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def run(env: Env) -> Result:
    result = Result(
        name=f"migration of {COUNT} stock datasets (one 2 KB file each), per dataset",
        unit="ms",
        baseline_label="package_create of a complete Satu Data dataset, no file",
        candidate_label="ckan satudata migrate --dump, file copied and checked",
    )
    _reset()
    owner = opd.organization("dinkes")
    user = roles.site_context()["user"]
    for i in range(BASELINE_COUNT):
        data = dict(EXAMPLE, name=f"bench-baru-{i}", title=f"Data Baru {i}", owner_org=owner.name)
        started = time.perf_counter()
        helpers.call_action("package_create", context={"user": user}, **data)
        result.baseline.append((time.perf_counter() - started) * 1000)

    with tempfile.TemporaryDirectory() as folder:
        handler = functools.partial(_Quiet, directory=folder)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            dump = _dump(Path(folder), server.server_address[1], COUNT)
            started = last = time.perf_counter()
            outcomes = []
            for outcome in legacy.migrate(source.DumpSource(dump), legacy.Options()):
                now = time.perf_counter()
                result.candidate.append((now - last) * 1000)
                last = now
                outcomes.append(outcome.outcome)
            total = time.perf_counter() - started
        finally:
            server.shutdown()
    created = outcomes.count(legacy.CREATED)
    result.notes.append(f"{created} of {COUNT} created in {total:.0f} s ({COUNT / total:.1f} datasets/s)")
    return result
