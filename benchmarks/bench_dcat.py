"""Rendering a DCAT catalogue page of 100 datasets: ``satudata_dcat_ap`` over plain
``euro_dcat_ap_3`` on the same datasets, in the same process, in alternating rounds.

Three results:

* *page*: the page as the portal renders it (dcat/fragments.py): the catalogue part rendered
  afresh and each dataset's fragments, rendered when it was published, read from Redis. Over
  ckanext-dcat rendering the page whole with plain ``euro_dcat_ap_3``. Target < 1.3.
* *page, nothing rendered ahead*: the same after every fragment is dropped (a Redis flush, the
  first request of a day without ``ckan satudata dcat-warm``). Reported, no target: our profile
  writes about four times the triples of plain DCAT-AP and rdflib's time per triple is the same.
* *endpoint, unchanged page*: what a harvester re-reading an unchanged page costs: the portal's
  ``/catalog.ttl`` (page cache, dcat/cache.py, stamp checked on every request) over plain
  ckanext-dcat rendering the page on every request. Target < 1.3.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ckan.cli.db import _run_migrations
from ckan.lib.redis import connect_to_redis
from ckan.lib.search import clear_all
from ckan.tests import helpers
from ckanext.dcat.processors import RDFSerializer

from benchmarks.run import Env, Result
from ckanext.satudata_balikpapan.dcat import fragments
from ckanext.satudata_balikpapan.registry import opd

PLUGINS = "satudata_balikpapan activity scheming_datasets scheming_organizations dcat"
SETTINGS = {
    "scheming.dataset_schemas": "ckanext.satudata_balikpapan.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.satudata_balikpapan.schemas:organization.yaml",
}
EXAMPLE = json.loads((Path(__file__).parent.parent / "docs/examples/dataset.json").read_text())
DATASETS = 100


def _catalogue_page() -> list[dict]:
    """100 published datasets with a CSV each, as the catalogue endpoint's search returns them."""

    helpers.reset_db()
    for plugin in ("activity", "satudata_balikpapan"):
        _run_migrations(plugin)
    clear_all()
    site = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    ctx = {"ignore_auth": True, "user": site}
    for code in ("dinkes", "diskominfo"):
        helpers.call_action(
            "organization_create", context=dict(ctx), **opd.default_registry().get(code).organization_fields()
        )
    for i in range(DATASETS):
        data = dict(EXAMPLE, name=f"bench-dcat-{i:03d}", title=f"Jumlah Kasus DBD {i}")
        dataset = helpers.call_action("package_create", context=dict(ctx), **data)
        helpers.call_action(
            "resource_create",
            context=dict(ctx),
            package_id=dataset["id"],
            url=f"https://data.balikpapan.go.id/dbd-{i}.csv",
            name=f"DBD {i}",
            format="CSV",
            periode="2024",
        )
        helpers.call_action("satudata_submit", context=dict(ctx), id=dataset["id"])
        helpers.call_action(
            "satudata_publish", context=dict(ctx), id=dataset["id"], override_reason="Benchmark data"
        )
    return helpers.call_action("package_search", rows=DATASETS, sort="metadata_modified desc")["results"]


def _render(datasets: list[dict], profile: str) -> float:

    t0 = time.perf_counter()
    RDFSerializer(profiles=[profile]).serialize_catalog({}, datasets, _format="turtle")
    return (time.perf_counter() - t0) * 1000


def _page(datasets: list[dict], *, drop_fragments: bool = False) -> float:

    if drop_fragments:
        redis = connect_to_redis()
        stored = redis.keys(fragments.PREFIX + "*")
        if stored:
            redis.delete(*stored)
    t0 = time.perf_counter()
    page = fragments.render_page(datasets, "turtle", ["satudata_dcat_ap"])
    elapsed = (time.perf_counter() - t0) * 1000
    assert page is not None
    return elapsed


def _endpoint(app) -> float:
    t0 = time.perf_counter()
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    return (time.perf_counter() - t0) * 1000


def run(env: Env) -> list[Result]:
    result = Result(
        name="DCAT catalogue page (100 datasets)",
        unit="ms",
        baseline_label="euro_dcat_ap_3, rendered whole by ckanext-dcat",
        candidate_label="satudata_dcat_ap, joined from the fragments rendered at publication",
        target=1.3,
    )
    cold = Result(
        name="DCAT catalogue page (100 datasets), nothing rendered ahead",
        unit="ms",
        baseline_label="euro_dcat_ap_3, rendered whole by ckanext-dcat",
        candidate_label="satudata_dcat_ap, every fragment rendered in the request",
        notes=["no target: about four times the triples of plain DCAT-AP (see the docstring)"],
    )
    endpoint = Result(
        name="DCAT catalogue endpoint, unchanged page (100 datasets)",
        unit="ms",
        baseline_label="euro_dcat_ap_3, rendered per request",
        candidate_label="satudata_dcat_ap /catalog.ttl with the page cache",
        target=1.3,
    )
    with env.plugins(PLUGINS, **SETTINGS):
        datasets = _catalogue_page()
        app = helpers._get_test_app()  # noqa: SLF001 - CKAN's own test app, as its fixtures build it
        for round_ in range(env.rounds + 1):
            base = _render(datasets, "euro_dcat_ap_3")
            ours = _page(datasets)
            ours_cold = _page(datasets, drop_fragments=True)
            served = _endpoint(app)
            if round_:  # round 0 warms both up (and fills the page cache)
                result.baseline.append(base)
                result.candidate.append(ours)
                cold.baseline.append(base)
                cold.candidate.append(ours_cold)
                endpoint.baseline.append(base)
                endpoint.candidate.append(served)
    return [result, cold, endpoint]
