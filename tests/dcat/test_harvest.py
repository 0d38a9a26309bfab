"""Harvesting the portal, as other portals do, on this machine.

The source is a second CKAN process (``ckan run``) with the extension, its own database, the
demo catalogue and its own site id (so it shares Solr without sharing an index). The harvesting
CKAN is the test process:

* with ckanext-harvest's DCAT RDF harvester and the ``satudata_dcat_ap`` profile, it ends with
  the same published datasets and the same fields;
* with the plain ``euro_dcat_ap_3`` profile and ckanext-dcat's own DCAT-AP schema (its
  documented set-up), it harvests them without
  errors;
* with ckanext-harvest's CKAN harvester (the action API, as the national portal reads regional
  portals), it gets the data.go.id keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from ckan.common import config
from ckan.tests import factories, helpers
from ckanext.dcat.harvesters import DCATRDFHarvester
from ckanext.harvest.harvesters import CKANHarvester
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from ckanext.satudata_balikpapan.registry import opd
from ckanext.satudata_balikpapan.registry import sync as registry_sync
from tests.conftest import MIGRATED_PLUGINS, ROOT, free_port, reset_extension_tables

pytestmark = [pytest.mark.once, pytest.mark.integration]

DATA_GO_ID_KEYS = [
    "sektor_kegiatan", "kode_urusan", "jenis", "prioritas_tahun", "konsep", "definisi", "ukuran",
    "satuan", "kodereferensi", "interpretasi", "metode_perhitungan", "level_estimasi",
    "cara_pengumpulan_data", "frekuensi", "tingkat_penyajian", "kode_wilayah", "accesslevel",
    "id_mskeg", "id_msind",
]  # fmt: skip
COMPARED = [
    "title",
    "notes",
    *DATA_GO_ID_KEYS,
    "periode_awal",
    "periode_akhir",
    "license_id",
    "penanggung_jawab",
    "apakah_indikator_komposit",
    "jadwal_rilis",
]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def source_portal():
    """A second CKAN with the extension and the published demo catalogue; yields its URL."""

    db_url = config["sqlalchemy.url"].rsplit("/", 1)
    source_db = f"{db_url[1]}_sumber"
    port = free_port()
    env = dict(os.environ)
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "CKAN_SQLALCHEMY_URL": f"{db_url[0]}/{source_db}",
        "CKAN_SITE_ID": "satudata.sumber",
        "CKAN_SITE_URL": f"http://127.0.0.1:{port}",
        "CKAN_SOLR_URL": config["solr_url"],
        "CKAN_REDIS_URL": config["ckan.redis.url"],
    })  # fmt: skip
    ckan = [str(Path(sys.executable).parent / "ckan"), "-c", str(ROOT / "test.ini")]
    subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), "dropdb", source_db],
        env=env,
        check=False,
        capture_output=True,
    )
    subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), "createdb", source_db],
        env=env,
        check=True,
        capture_output=True,
    )
    for args in (
        ["db", "init"],
        ["db", "upgrade", "-p", "activity"],
        ["db", "upgrade", "-p", "satudata_balikpapan"],
        ["satudata", "seed-demo"],
    ):
        done = subprocess.run([*ckan, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
    log = open(ROOT / ".work" / "logs" / "harvest-source.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [*ckan, "run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(f"{url}/api/3/action/status_show")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the source portal did not start (see .work/logs/harvest-source.log)")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        subprocess.run([*ckan, "search-index", "clear"], env=env, capture_output=True)


def _published(url: str) -> dict[str, dict]:
    found = _get(f"{url}/api/3/action/package_search?rows=1000")["result"]["results"]
    return {d["name"]: d for d in found}


@pytest.fixture
def target_bare(with_plugins, reset_db, migrate_db_for):
    """A fresh portal with the extension and ckanext-harvest, without organisations yet."""
    reset_db()
    for plugin in (*MIGRATED_PLUGINS, "harvest"):
        migrate_db_for(plugin)
    reset_extension_tables()


@pytest.fixture
def target_with_extension(target_bare):
    """A fresh portal with the extension, ckanext-harvest and the OPDs of the registry."""

    registry_sync.sync(opd.default_registry())


def _norm(value):
    if value in ("", None, []):
        return None
    if isinstance(value, list):
        return sorted(json.dumps(v, sort_keys=True) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _harvest(url: str, harvester, config: dict) -> dict:
    """Run one harvest job synchronously (ckanext-harvest's test helpers), with the harvest
    source owned by an organisation, as the portal requires of every dataset."""

    try:
        owner = helpers.call_action("organization_show", id="diskominfo")
    except Exception:
        owner = factories.Organization(name="pemanen")
    source = HarvestSourceObj(
        url=url, config=json.dumps(config), source_type=harvester.info()["name"], owner_org=owner["id"]
    )
    job = HarvestJobObj(source=source, run=False)
    return run_harvest_job(job, harvester)


PLUGINS = "satudata_balikpapan activity scheming_datasets scheming_organizations dcat harvest dcat_rdf_harvester ckan_harvester"


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("target_with_extension", "clean_index")
def test_our_profile_harvests_the_same_datasets_and_fields(source_portal):

    source = _published(source_portal)
    results = _harvest(f"{source_portal}/catalog.ttl", DCATRDFHarvester(), {"profiles": ["satudata_dcat_ap"]})
    errors = {guid: r["errors"] for guid, r in results.items() if r["errors"]}
    assert errors == {}
    harvested = {r["dataset"]["name"]: r["dataset"] for r in results.values()}
    assert set(harvested) == set(source)
    lost = []
    for name, original in source.items():
        copy = harvested[name]
        if copy["organization"]["name"] != original["organization"]["name"]:
            lost.append((name, "owner_org"))
        for field in COMPARED:
            if _norm(original.get(field)) != _norm(copy.get(field)):
                lost.append((name, field, original.get(field), copy.get(field)))
        if sorted(r["name"] for r in copy["resources"]) != sorted(r["name"] for r in original["resources"]):
            lost.append((name, "resources"))
    assert lost == []


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("target_bare", "clean_index")
def test_the_action_api_gives_a_ckan_harvester_the_data_go_id_keys(source_portal):

    source = _published(source_portal)
    # The national portal keeps the regional portal's organisations: here, the OPDs of the
    # source with the same ids, which ckanext-harvest's "remote_orgs" option matches on.

    remote = _get(f"{source_portal}/api/3/action/organization_list?all_fields=true&limit=1000")["result"]
    site_user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    for org in remote:
        entry = opd.default_registry().get(org["name"])
        helpers.call_action(
            "organization_create",
            context={"ignore_auth": True, "user": site_user},
            id=org["id"],
            **entry.organization_fields(),
        )
    results = _harvest(source_portal, CKANHarvester(), {"remote_orgs": "only_local"})
    errors = {guid: r["errors"] for guid, r in results.items() if r["errors"]}
    assert errors == {}
    harvested = {r["dataset"]["name"]: r["dataset"] for r in results.values()}
    assert set(harvested) == set(source)
    for name, original in source.items():
        for key in DATA_GO_ID_KEYS:
            assert _norm(harvested[name].get(key)) == _norm(original.get(key)), (name, key)


@pytest.fixture
def plain_ckan(with_plugins, reset_db, migrate_db_for):
    reset_db()
    migrate_db_for("harvest")


@pytest.mark.ckan_config("ckan.plugins", "dcat harvest dcat_rdf_harvester scheming_datasets")
@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3")
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.dcat.schemas:dcat_ap_full.yaml")
@pytest.mark.ckan_config(
    "scheming.presets", "ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml"
)
@pytest.mark.usefixtures("plain_ckan", "clean_index")
def test_a_plain_dcat_ap_3_portal_harvests_the_catalogue_without_errors(source_portal):

    source = _published(source_portal)
    results = _harvest(f"{source_portal}/catalog.ttl", DCATRDFHarvester(), {})
    errors = {guid: r["errors"] for guid, r in results.items() if r["errors"]}
    assert errors == {}
    titles = {r["dataset"]["title"] for r in results.values()}
    assert titles == {d["title"] for d in source.values()}
