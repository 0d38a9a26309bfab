"""The index falls behind the database (a commit Solr missed, an old index restored): the
public still never sees an unpublished dataset, and ``ckan satudata reconcile`` reports the
drift and mends it."""

from __future__ import annotations

import subprocess

import ckan.lib.search as search
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.tests import helpers

from tests.conftest import ROOT, create_dataset, make_workflow_people, public_channels, publish

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("clean_db", "clean_index")]

ADMIN = {"ignore_auth": True, "user": "admin"}


def _reconcile(ckan_cli_env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ckan", "-c", str(ROOT / "test.ini"), "satudata", "reconcile", *args],
        env=ckan_cli_env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def _withdraw_behind_the_index(package_id: str) -> None:
    """What a withdrawal leaves when its commit reached PostgreSQL and never Solr."""
    model.Session.execute(sa.text("UPDATE package SET private = true WHERE id = :id"), {"id": package_id})
    model.Session.execute(
        sa.text(
            "UPDATE satudata_dataset_state SET published = false, status = 'ditarik' WHERE package_id = :id"
        ),
        {"id": package_id},
    )
    model.Session.commit()


def test_a_stale_index_never_shows_an_unpublished_dataset_and_the_reconciler_mends_it(app, ckan_cli_env):
    tokens = make_workflow_people()
    dataset = create_dataset(name="kasus-dbd", owner_org="dinkes")
    publish(dataset["id"])
    dataset = helpers.call_action("package_show", context=dict(ADMIN), id=dataset["id"])
    _withdraw_behind_the_index(dataset["id"])
    indexed = search.query_for(model.Package).run(
        {"q": "name:kasus-dbd", "fl": "id,capacity"}, permission_labels=None
    )
    assert indexed["results"][0]["capacity"] == "public"  # the index still says public

    assert public_channels(app, dataset) == dict.fromkeys(public_channels(app, dataset), False)
    # the walidata, who may read it, still finds it
    found = app.get(
        "/api/3/action/package_search",
        query_string={"q": "kasus"},
        headers={"Authorization": tokens["walidata"]},
    ).json["result"]
    assert [d["name"] for d in found["results"]] == ["kasus-dbd"]

    report = _reconcile(ckan_cli_env)
    assert report.returncode == 1 and "1 stale" in report.stdout and dataset["id"] in report.stdout
    repaired = _reconcile(ckan_cli_env, "--repair")
    assert repaired.returncode == 0 and "1 repaired" in repaired.stdout
    indexed = search.query_for(model.Package).run(
        {"q": "name:kasus-dbd", "fl": "id,capacity"}, permission_labels=None
    )
    assert indexed["results"][0]["capacity"] == "private"
    assert _reconcile(ckan_cli_env).returncode == 0


def test_the_reconciler_finds_missing_and_orphaned_documents(ckan_cli_env):
    make_workflow_people()
    missing = create_dataset(name="hilang", owner_org="dinkes")
    search.clear(missing["id"])
    # a document whose dataset the database never had (an old index restored)
    search.make_connection().add(
        [{"index_id": "ghost", "id": "ghost", "name": "ghost", "title": "Hantu", "site_id": config["ckan.site_id"],
          "entity_type": "package", "dataset_type": "dataset", "capacity": "public", "state": "active"}],
        commit=True,
    )  # fmt: skip

    report = _reconcile(ckan_cli_env)
    assert report.returncode == 1
    assert f"missing   {missing['id']}" in report.stdout and "orphaned  ghost" in report.stdout
    assert _reconcile(ckan_cli_env, "--repair").returncode == 0
    assert _reconcile(ckan_cli_env).returncode == 0
    assert helpers.call_action("package_search", q="name:ghost")["count"] == 0
