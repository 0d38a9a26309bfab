"""Moving in (issue #18): the old portal's catalogue comes across, from its API and from its
dump, without a dataset, file or link lost; a second run changes nothing.

The old portal is a real stock CKAN in its own process (``conftest.old_portal``); the new one
is the test process, with the extension, its OPD registry and the DataStore.
"""

from __future__ import annotations

import csv
import gzip
import http.server
import json
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.cli.cli import ckan
from ckan.logic import NotAuthorized, ValidationError
from ckan.tests import factories, helpers

from ckanext.satudata_balikpapan.legacy import service as legacy
from ckanext.satudata_balikpapan.legacy import source
from ckanext.satudata_balikpapan.model import migrated_dataset, workflow_event
from ckanext.satudata_balikpapan.registry import opd
from ckanext.satudata_balikpapan.registry import sync as registry_sync
from ckanext.satudata_balikpapan.registry.roles import site_context
from tests.conftest import TEST_OVERRIDE_REASON, example_dataset

pytestmark = [pytest.mark.integration]

ORG_MAP = {"Badan Perencanaan Lama": "bappeda-litbang"}


@pytest.fixture
def new_portal(clean_db, clean_index):
    """A fresh Satu Data portal with the OPDs of its registry."""
    registry_sync.sync(opd.default_registry())


def _run(src: source.Source, **options) -> dict[str, legacy.Outcome]:
    options.setdefault("organization_map", ORG_MAP)
    return {o.old_name: o for o in legacy.migrate(src, legacy.Options(**options))}


def _show(name: str) -> dict:
    return helpers.call_action("package_show", context=site_context(), id=name)


def _download(app, dataset: dict, resource: dict) -> bytes:
    """The file at the download address the old portal gave out."""
    filename = resource["url"].rsplit("/", 1)[-1]
    answer = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download/{filename}",
                     extra_environ={"REMOTE_USER": ""}, status=200)  # fmt: skip
    return answer.get_data() if hasattr(answer, "get_data") else answer.body


def _assert_everything_came_across(old_portal, outcomes, app):
    old = {d["name"]: d for d in old_portal.everything()}
    names = old_portal.names
    arrived = {n for n, o in outcomes.items() if o.outcome == legacy.CREATED}
    assert arrived == {
        names[k] for k in ("public_with_files", "public_with_link", "datastore", "private", "draft")
    }
    if names["deleted"] in outcomes:  # a dump names it; the API never lists it
        assert outcomes[names["deleted"]].outcome == legacy.SKIPPED
        assert outcomes[names["deleted"]].problems == ["deleted on the old portal"]
    assert model.Package.get(names["deleted"]) is None
    assert outcomes[names["unmappable"]].outcome == legacy.SKIPPED
    assert "Komunitas Data Warga" in outcomes[names["unmappable"]].problems[0]

    for name in arrived:
        new, before = _show(name), old[name]
        assert (new["id"], new["name"], new["title"]) == (before["id"], before["name"], before["title"])
        assert [r["id"] for r in new["resources"]] == [r["id"] for r in before["resources"]]
    for resource in (
        _show(names["public_with_files"])["resources"] + _show(names["public_with_link"])["resources"][:1]
    ):
        dataset = _show(resource["package_id"])
        assert _download(app, dataset, resource) == old_portal.files[resource["id"]]
    link = _show(names["public_with_link"])["resources"][1]
    assert (link["url"], link["url_type"] or "") == ("https://example.org/peta-faskes.geojson", "")


def _assert_states(old_portal):
    names = old_portal.names
    public = _show(names["public_with_files"])
    assert (public["publishing_status"], public["private"], public["satudata_terbit"]) == (
        "terbit",
        False,
        True,
    )
    assert public["satudata_belum_diverifikasi"] is True and public["satudata_dimigrasikan"]
    for key in ("private", "draft"):
        draft = _show(names[key])
        assert (draft["publishing_status"], draft["private"]) == ("draft", True)
        assert draft["satudata_belum_diverifikasi"] is False
    history = workflow_event.events(public["id"])
    assert [e["action"] for e in history][-1] == "migrate"
    assert "portal lama" in history[-1]["note"]


@pytest.mark.usefixtures("new_portal")
def test_from_the_api_every_dataset_file_and_link_comes_across(old_portal, app):
    outcomes = _run(source.ApiSource(old_portal.url, api_key=old_portal.token))

    _assert_everything_came_across(old_portal, outcomes, app)
    _assert_states(old_portal)
    penduduk = _show(old_portal.names["public_with_files"])
    assert (penduduk["periode_awal"], penduduk["periode_akhir"], penduduk["satuan"]) == (
        "2022",
        "2023",
        "jiwa",
    )
    assert penduduk["frekuensi"] == "tahunan"
    assert [r["format"] for r in penduduk["resources"]] == ["CSV", "CSV"]
    assert outcomes[penduduk["name"]].unmapped == {"Sumber": "SIAK"}
    assert "konsep" in outcomes[penduduk["name"]].missing
    assert _show(old_portal.names["private"])["organization"]["name"] == "bappeda-litbang"


@pytest.mark.usefixtures("new_portal")
def test_the_datastore_table_comes_across_row_for_row(old_portal):
    _run(source.ApiSource(old_portal.url, api_key=old_portal.token))

    resource = _show(old_portal.names["datastore"])["resources"][0]
    rows = helpers.call_action(
        "datastore_search", context=site_context(), resource_id=resource["id"], limit=100
    )
    assert rows["total"] == 12
    assert [r["kunjungan"] for r in rows["records"]] == [1000 + m for m in range(1, 13)]


@pytest.mark.usefixtures("new_portal")
def test_a_second_run_changes_nothing(old_portal):
    src = source.ApiSource(old_portal.url, api_key=old_portal.token)
    _run(src)
    modified = {d["name"]: d["metadata_modified"] for d in (_show(n) for n in old_portal.names.values()
                                                              if model.Package.get(n) is not None)}  # fmt: skip
    events = sum(len(workflow_event.events(_show(n)["id"])) for n in modified)

    again = _run(src)

    changed = {n: o.outcome for n, o in again.items() if o.outcome not in (legacy.UNCHANGED, legacy.SKIPPED)}
    assert changed == {}
    assert {n: _show(n)["metadata_modified"] for n in modified} == modified
    assert sum(len(workflow_event.events(_show(n)["id"])) for n in modified) == events


@pytest.mark.usefixtures("new_portal")
def test_from_a_gzipped_dump_the_same_datasets_and_files_arrive(old_portal, app, tmp_path):
    dump, datasets = tmp_path / "datasets.jsonl.gz", old_portal.dump()
    with gzip.open(dump, "wt", encoding="utf-8") as stream:
        for dataset in datasets:
            stream.write(json.dumps(dataset) + "\n")
        stream.write("{not json\n")

    outcomes = _run(source.DumpSource(dump, api_key=old_portal.token))

    assert outcomes.pop(f"line {len(datasets) + 1}").problems[0].startswith("not JSON")
    assert outcomes[old_portal.names["deleted"]].outcome == legacy.SKIPPED
    _assert_everything_came_across(old_portal, outcomes, app)
    _assert_states(old_portal)


@pytest.mark.usefixtures("new_portal")
def test_a_dry_run_changes_nothing_and_reports_what_would_happen(old_portal):
    outcomes = _run(source.ApiSource(old_portal.url, api_key=old_portal.token), dry_run=True)

    assert {o.outcome for o in outcomes.values()} == {legacy.WOULD_CREATE, legacy.SKIPPED}
    assert all(model.Package.get(n) is None for n in old_portal.names.values())


@pytest.mark.usefixtures("new_portal")
def test_as_draft_even_the_public_datasets_wait_for_the_walidata(old_portal):
    _run(source.ApiSource(old_portal.url, api_key=old_portal.token), as_draft=True)

    public = _show(old_portal.names["public_with_files"])
    assert (public["publishing_status"], public["private"]) == ("draft", True)


@pytest.mark.usefixtures("new_portal")
def test_the_cli_writes_one_report_row_per_dataset(old_portal, cli, tmp_path):
    org_map = tmp_path / "opd.yaml"
    org_map.write_text("Badan Perencanaan Lama: bappeda-litbang\n")
    report = tmp_path / "laporan.csv"
    result = cli.invoke(
        ckan,
        ["satudata", "migrate", "--source-url", old_portal.url, "--api-key", old_portal.token,
         "--org-map", str(org_map), "--report", str(report)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "5 dibuat" in result.output and "1 dilewati" in result.output
    rows = {r["nama_lama"]: r for r in csv.DictReader(report.open(encoding="utf-8-sig"))}
    assert len(rows) == len(old_portal.everything())
    penduduk = rows[old_portal.names["public_with_files"]]
    assert (penduduk["opd"], penduduk["status_lama"], penduduk["status_baru"]) == (
        "disdukcapil",
        "publik",
        "terbit",
    )
    assert penduduk["berkas_disalin"] == "2"
    assert "konsep" in penduduk["kolom_wajib_kosong"]


def test_the_cli_refuses_an_unreadable_source_with_a_clear_message(cli, tmp_path):
    result = cli.invoke(ckan, ["satudata", "migrate", "--source-url", "ftp://lama"])
    assert result.exit_code != 0
    assert "not an http(s) URL" in result.output
    result = cli.invoke(ckan, ["satudata", "migrate"])
    assert "--dump FILE or --source-url URL" in result.output


def _member(name: str, org: str, capacity: str) -> dict:
    factories.User(name=name, email=f"{name}@balikpapan.go.id")
    helpers.call_action("organization_member_create", context={"ignore_auth": True}, id=org, username=name,
                        role=capacity)  # fmt: skip
    return {"Authorization": factories.APIToken(user=name)["token"]}


@pytest.mark.usefixtures("new_portal")
def test_the_pages_say_what_is_migrated_and_what_the_opd_must_complete(old_portal, app):
    _run(source.ApiSource(old_portal.url, api_key=old_portal.token))
    walidata = _member("walidata", "diskominfo", "admin")
    clerk = _member("produsen-disdukcapil", "disdukcapil", "editor")
    name = old_portal.names["public_with_files"]

    public = BeautifulSoup(app.get(f"/dataset/{name}").body, "html.parser")
    assert "belum diverifikasi" in public.select_one(".satudata-migrated").get_text()
    assert public.select_one(".satudata-verified-badge") is None
    assert public.select_one(".satudata-migration-todo") is None  # the public sees no to-do list

    page = BeautifulSoup(app.get(f"/dataset/{name}", headers=clerk).body, "html.parser")
    todo = page.select_one(".satudata-migration-todo").get_text(" ", strip=True)
    assert "Konsep" in todo and "SIAK" in todo

    queue = BeautifulSoup(app.get("/verifikasi/antrean?migrated=true", headers=walidata).body, "html.parser")
    listed = [row["data-dataset"] for row in queue.select("tr[data-dataset]")]
    assert sorted(listed) == sorted(old_portal.names[k] for k in ("public_with_files", "public_with_link",
                                                                  "datastore"))  # fmt: skip
    assert "Konsep" in queue.select_one(f'tr[data-dataset="{name}"] .satudata-queue-missing').get_text()
    mine = BeautifulSoup(app.get("/verifikasi/data-opd-saya", headers=clerk).body, "html.parser")
    assert name in [row["data-dataset"] for row in mine.select("tr[data-dataset]")]


@pytest.mark.usefixtures("new_portal")
def test_once_the_opd_completes_it_and_the_walidata_publishes_it_it_is_verified(old_portal):
    _run(source.ApiSource(old_portal.url, api_key=old_portal.token))
    _member("produsen-dinkes", "dinkes", "editor")
    package_id = _show(old_portal.names["public_with_link"])["id"]

    # what the old portal never asked for, completed by the OPD (the example's Satu Data fields)
    completed = {k: v for k, v in example_dataset().items() if k not in ("name", "title", "notes", "tags")}
    helpers.call_action("package_patch", context={"user": "produsen-dinkes"}, id=package_id, **completed)
    under_review = _show(package_id)
    helpers.call_action(
        "satudata_publish", context=site_context(), id=package_id, override_reason=TEST_OVERRIDE_REASON
    )

    assert (under_review["publishing_status"], under_review["satudata_belum_diverifikasi"]) == (
        "diajukan",
        True,
    )
    shown = _show(package_id)
    assert (shown["publishing_status"], shown["satudata_belum_diverifikasi"]) == ("terbit", False)


def _complete(dataset: dict) -> dict:
    """``dataset`` as an old portal that kept every Satu Data field in its extras had it."""
    example = example_dataset()
    keys = [k for k in example if k not in ("name", "title", "notes", "tags", "owner_org", "resources",
                                            "license_id", "penanggung_jawab", "kode_wilayah")]  # fmt: skip
    extras = [{"key": k, "value": str(example[k])} for k in keys]
    contact = example["penanggung_jawab"][0]
    return dict(dataset, extras=[*dataset.get("extras", []), *extras, {"key": "kode_wilayah", "value": "64.71"}],
                maintainer=contact["nama"], maintainer_email=contact["email"])  # fmt: skip


@pytest.mark.usefixtures("new_portal")
def test_the_walidata_verifies_as_is_a_migrated_dataset_that_lacks_nothing(old_portal, app, tmp_path):
    complete_name = old_portal.names["public_with_link"]
    dump = tmp_path / "datasets.jsonl"
    dump.write_text("".join(
        json.dumps(_complete(d) if d["name"] == complete_name else d) + "\n" for d in old_portal.dump()
    ))  # fmt: skip
    outcomes = _run(source.DumpSource(dump, api_key=old_portal.token))
    assert outcomes[complete_name].missing == []
    walidata = _member("walidata", "diskominfo", "admin")
    clerk = _member("produsen-dinkes", "dinkes", "editor")
    as_walidata = {"user": "walidata", "ignore_auth": False}

    # a migrated dataset that still lacks fields: the OPD completes it first
    with pytest.raises(ValidationError) as refused:
        helpers.call_action(
            "satudata_verify", context=dict(as_walidata), id=old_portal.names["public_with_files"]
        )
    assert "Konsep" in refused.value.error_dict["publishing_status"][0]  # what is missing, by its label

    package_id = _show(complete_name)["id"]
    with pytest.raises(NotAuthorized):
        helpers.call_action(
            "satudata_verify", context={"user": "produsen-dinkes", "ignore_auth": False}, id=package_id
        )
    page = BeautifulSoup(app.get(f"/dataset/{complete_name}", headers=walidata).body, "html.parser")
    assert page.select_one("button.satudata-step-verify") is not None
    page = BeautifulSoup(app.get(f"/dataset/{complete_name}", headers=clerk).body, "html.parser")
    assert page.select_one("button.satudata-step-verify") is None

    helpers.call_action("satudata_verify", context=dict(as_walidata), id=package_id,
                        override_reason=TEST_OVERRIDE_REASON)  # fmt: skip

    shown = _show(complete_name)
    assert (shown["publishing_status"], shown["private"], shown["satudata_belum_diverifikasi"]) == (
        "terbit",
        False,
        False,
    )
    assert workflow_event.events(package_id)[-1]["action"] == "verify"
    public = BeautifulSoup(app.get(f"/dataset/{complete_name}").body, "html.parser")
    assert public.select_one(".satudata-migrated") is None
    with pytest.raises(ValidationError):  # once verified, there is nothing left to verify
        helpers.call_action("satudata_verify", context=dict(as_walidata), id=package_id)


class _HangingOldPortal:
    """A loopback proxy in front of the old portal that holds the first ``datastore_search``
    call until released: the migration is then, for certain, in the middle of a dataset
    (created here, its files stored, its DataStore table not yet copied)."""

    def __init__(self, target: str) -> None:
        self.reached, self.release = threading.Event(), threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if "datastore_search" in self.path and not outer.reached.is_set():
                    outer.reached.set()
                    outer.release.wait(120)
                request = urllib.request.Request(target + self.path, headers={
                    k: v for k, v in self.headers.items() if k.lower() in ("authorization", "x-ckan-api-key")
                })  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        status, body = answer.status, answer.read()
                except urllib.error.HTTPError as error:
                    status, body = error.code, error.read()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the migration was killed meanwhile
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


@pytest.mark.usefixtures("new_portal")
def test_a_run_killed_in_the_middle_of_a_dataset_is_finished_by_the_next_run(old_portal, ckan_cli_env,
                                                                              tmp_path):  # fmt: skip
    org_map = tmp_path / "opd.yaml"
    org_map.write_text("Badan Perencanaan Lama: bappeda-litbang\n")
    proxy = _HangingOldPortal(old_portal.url)
    try:
        run = subprocess.Popen(
            [str(Path(sys.executable).parent / "ckan"), "-c", "test.ini", "satudata", "migrate",
             "--source-url", proxy.url, "--api-key", old_portal.token, "--org-map", str(org_map)],
            env=ckan_cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert proxy.reached.wait(180), "the migration never reached the DataStore copy"
        run.send_signal(signal.SIGKILL)  # as a power cut would stop it
        run.wait(timeout=30)
    finally:
        proxy.close()
    model.Session.remove()

    # stopped half-way: the dataset exists, but only its OPD's staff can see it, and its
    # migration is recorded as unfinished
    half = model.Package.get(old_portal.names["datastore"])
    assert half is not None and half.private
    assert migrated_dataset.get(half.id)["source_hash"] == ""
    anonymous = helpers.call_action("package_search", context={"user": ""}, q="*:*", rows=100)
    assert half.name not in [d["name"] for d in anonymous["results"]]

    again = _run(source.ApiSource(old_portal.url, api_key=old_portal.token))

    assert again[half.name].outcome == legacy.UPDATED and again[half.name].problems == []
    _assert_states(old_portal)
    resource = _show(half.name)["resources"][0]
    rows = helpers.call_action("datastore_search", context=site_context(), resource_id=resource["id"])
    assert rows["total"] == 12
    for name in old_portal.names.values():
        pkg = model.Package.get(name)
        if pkg is not None:  # each arrived once: one arrival in its history
            assert [e["action"] for e in workflow_event.events(pkg.id)].count("migrate") == 1
    third = _run(source.ApiSource(old_portal.url, api_key=old_portal.token))
    assert {o.outcome for o in third.values()} == {legacy.UNCHANGED, legacy.SKIPPED}


@pytest.mark.usefixtures("new_portal")
def test_a_dataset_changed_on_the_old_portal_gets_its_datastore_table_replaced_not_doubled(old_portal):
    src = source.ApiSource(old_portal.url, api_key=old_portal.token)
    _run(src)
    name = old_portal.names["datastore"]
    notes = old_portal.call("package_show", id=name)["notes"]
    old_portal.call("package_patch", id=name, notes="Kunjungan puskesmas per bulan (diperbarui)")
    try:
        again = _run(src)
    finally:
        old_portal.call("package_patch", id=name, notes=notes)

    assert again[name].outcome == legacy.UPDATED
    assert _show(name)["notes"] == "Kunjungan puskesmas per bulan (diperbarui)"
    resource = _show(name)["resources"][0]
    rows = helpers.call_action("datastore_search", context=site_context(), resource_id=resource["id"])
    assert rows["total"] == 12
