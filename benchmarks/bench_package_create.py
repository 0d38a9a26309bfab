"""``package_create`` latency: the Satu Data stack against plain CKAN + scheming's default schema.

Both sides create datasets with the same content, through the same action, into the same
PostgreSQL and Solr, in alternating rounds so that drift hits both alike.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from ckan.cli.db import _run_migrations
from ckan.tests import factories, helpers

from benchmarks.run import Env, Result
from ckanext.satudata_balikpapan.registry import opd

BASELINE = dict(
    plugins="activity scheming_datasets",
    **{"scheming.dataset_schemas": "ckanext.scheming:ckan_dataset.yaml"},
)
CANDIDATE = dict(
    plugins="satudata_balikpapan activity scheming_datasets dcat",
    **{"scheming.dataset_schemas": "ckanext.satudata_balikpapan.schemas:dataset.yaml"},
)
PER_ROUND = 20


def _reset_db() -> None:

    helpers.reset_db()
    _run_migrations("activity")


EXAMPLE = json.loads((Path(__file__).parent.parent / "docs/examples/dataset.json").read_text())


def _create_many(owner_org: str, user: str) -> list[float]:

    samples = []
    for i in range(PER_ROUND):
        # The same full Satu Data record on both sides; plain scheming keeps what its schema
        # knows and drops the rest, so the baseline does strictly less work per call.
        data = dict(
            EXAMPLE,
            name=f"bench-{uuid.uuid4().hex[:12]}",
            title=f"Jumlah Kasus DBD per Kelurahan {i}",
            owner_org=owner_org,
        )
        t0 = time.perf_counter()
        helpers.call_action("package_create", context={"user": user}, **data)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def run(env: Env) -> Result:

    _reset_db()
    result = Result(
        name="package_create latency",
        unit="ms",
        baseline_label="plain CKAN + scheming ckan_dataset.yaml",
        candidate_label="satudata_balikpapan + scheming + dcat",
    )
    sysadmin = factories.Sysadmin()

    org = factories.Organization(**opd.default_registry().get("dinkes").organization_fields())
    for round_ in range(env.rounds + 1):
        for side, settings in (("baseline", BASELINE), ("candidate", CANDIDATE)):
            settings = dict(settings)
            with env.plugins(settings.pop("plugins"), **settings):
                samples = _create_many(org["id"], sysadmin["name"])
            if round_:  # round 0 warms both sides up and is not counted
                getattr(result, side).extend(samples)
    return result
