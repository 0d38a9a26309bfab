"""The OPD registry, and ``ckan satudata opd sync`` that turns it into organisations."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.satudata_balikpapan.registry import opd
from ckanext.satudata_balikpapan.registry import sync as registry_sync
from tests.conftest import create_dataset, make_opd_org, publish


def _raw():

    text = resources.files("ckanext.satudata_balikpapan").joinpath("data/opd.yaml").read_text()
    return yaml.safe_load(text)


class TestRegistry:
    def test_the_shipped_registry_lists_the_city_opds_with_diskominfo_as_walidata(self):
        registry = opd.default_registry()
        kinds = [o.kind for o in registry.opds]
        assert len(registry.opds) >= 36
        assert kinds.count("dinas") >= 18
        assert kinds.count("badan") >= 6
        assert kinds.count("kecamatan") == 6
        assert kinds.count("rsud") == 2
        assert registry.walidata == "diskominfo"
        assert registry.get("dinkes").urusan == ("1.02",)
        assert registry.get("kec-balikpapan-kota").wilayah == "64.71.06"

    def test_a_broken_registry_is_refused_with_every_problem_named(self):
        raw = _raw()
        raw["opd"][1]["urusan"] = ["9.99"]
        raw["opd"][2]["code"] = raw["opd"][0]["code"]
        raw["opd"][3]["walidata"] = True
        with pytest.raises(opd.RegistryError) as exc:
            opd.parse_registry(raw)
        message = str(exc.value)
        assert "unknown urusan 9.99" in message
        assert "duplicate code" in message
        assert "exactly one OPD must be walidata, found 2" in message

    def test_a_predecessor_may_not_stay_listed(self):
        raw = _raw()
        raw["opd"][0]["predecessors"] = ["dinkes"]
        with pytest.raises(opd.RegistryError, match="predecessor dinkes is still listed"):
            opd.parse_registry(raw)


def _registry_with(*changes):
    raw = copy.deepcopy(_raw())
    for change in changes:
        change(raw)
    return opd.parse_registry(raw)


def _entry(raw, code):
    return next(e for e in raw["opd"] if e["code"] == code)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestSync:
    def test_sync_creates_every_opd_with_its_attributes_and_is_idempotent(self):
        registry = opd.default_registry()
        first = registry_sync.sync(registry)
        assert sorted(first.created) == sorted(o.code for o in registry.opds)

        org = helpers.call_action("organization_show", id="diskominfo")
        assert org["title"] == "Dinas Komunikasi dan Informatika"
        assert org["abbreviation"] == "Diskominfo"
        assert org["kind"] == "dinas"
        assert org["walidata"] == "true"
        assert "2.16" in org["urusan"]

        second = registry_sync.sync(registry)
        assert second.created == [] and second.updated == {}
        assert len(second.unchanged) == len(registry.opds)

    def test_sync_updates_what_changed_and_reports_the_fields(self):
        registry_sync.sync(opd.default_registry())

        def rename(raw):
            _entry(raw, "dishub")["name"] = "Dinas Perhubungan Kota Balikpapan"

        report = registry_sync.sync(_registry_with(rename))
        assert report.updated == {"dishub": ["title"]}
        title = helpers.call_action("organization_show", id="dishub")["title"]
        assert title == "Dinas Perhubungan Kota Balikpapan"

    def test_dry_run_reports_and_changes_nothing(self):
        report = registry_sync.sync(opd.default_registry(), dry_run=True)
        assert "diskominfo" in report.created
        assert report.lines()[-1].startswith("DRY RUN:")
        assert helpers.call_action("organization_list") == []

    def test_renamed_opd_receives_datasets_and_members_of_its_predecessor(self):
        old = make_opd_org("dinkes")
        clerk = factories.User(name="clerk-dinkes")
        helpers.call_action("organization_member_create", id="dinkes", username="clerk-dinkes", role="editor")
        for i in range(3):
            create_dataset(name=f"dbd-{i}", owner_org=old["id"])

        def rename(raw):
            entry = _entry(raw, "dinkes")
            entry["code"] = "dinkes-baru"
            entry["name"] = "Dinas Kesehatan (baru)"
            entry["predecessors"] = ["dinkes"]

        report = registry_sync.sync(_registry_with(rename))

        assert sorted(report.moved_datasets) == [(f"dbd-{i}", "dinkes", "dinkes-baru") for i in range(3)]
        assert ("clerk-dinkes", "dinkes", "dinkes-baru") in report.moved_members
        assert report.retired == ["dinkes"]
        for i in range(3):
            assert helpers.call_action("package_show", id=f"dbd-{i}")["organization"]["name"] == "dinkes-baru"
        members = helpers.call_action("member_list", id="dinkes-baru", object_type="user")
        assert (clerk["id"], "user", "Editor") in members
        assert "dinkes" not in helpers.call_action("organization_list")
        # running it again finds nothing more to move
        again = registry_sync.sync(_registry_with(rename))
        assert again.moved_datasets == [] and again.retired == []

    def test_merged_opds_hand_over_every_dataset(self):
        a = make_opd_org("disdag")
        b = make_opd_org("dkumkmp")
        create_dataset(name="harga-bapok", owner_org=a["id"], kode_urusan="3.30")
        create_dataset(name="jumlah-umkm", owner_org=b["id"], kode_urusan="2.17")
        create_dataset(name="draft-umkm", owner_org=b["id"], kode_urusan="3.31", state="draft")
        publish("harga-bapok")
        publish("jumlah-umkm")

        def merge(raw):
            raw["opd"] = [e for e in raw["opd"] if e["code"] not in ("disdag", "dkumkmp")]
            raw["opd"].append({
                "code": "disdagkop", "name": "Dinas Perdagangan, Koperasi dan UMKM",
                "abbreviation": "Disdagkop", "kind": "dinas", "urusan": ["3.30", "2.17"],  # not 3.31
                "predecessors": ["disdag", "dkumkmp"],
            })  # fmt: skip

        report = registry_sync.sync(_registry_with(merge))
        moved = {d for d, _, to in report.moved_datasets if to == "disdagkop"}
        assert moved == {"harga-bapok", "jumlah-umkm", "draft-umkm"}
        assert sorted(report.retired) == ["disdag", "dkumkmp"]
        owner = helpers.call_action("package_show", id="draft-umkm")["owner_org"]
        assert owner == helpers.call_action("organization_show", id="disdagkop")["id"]
        # the move is visible in search under the successor
        found = helpers.call_action("package_search", fq="organization:disdagkop")
        assert {d["name"] for d in found["results"]} == {"harga-bapok", "jumlah-umkm"}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestSyncCommand:
    def test_sync_prints_a_summary(self, cli):
        result = cli.invoke(ckan, ["satudata", "opd", "sync"])
        assert result.exit_code == 0, result.output
        assert "+ diskominfo created" in result.output
        assert "0 updated" in result.output

    def test_dry_run_flag(self, cli):
        result = cli.invoke(ckan, ["satudata", "opd", "sync", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "DRY RUN:" in result.output
        assert helpers.call_action("organization_list") == []

    def test_an_invalid_registry_file_is_refused(self, cli, tmp_path):
        bad = tmp_path / "opd.yaml"
        bad.write_text("opd:\n  - {code: X Y, name: '', kind: pasar}\n")
        result = cli.invoke(ckan, ["satudata", "opd", "sync", "--file", str(bad)])
        assert result.exit_code != 0
        assert "registry not valid" in result.output
        assert "kind must be one of" in result.output
