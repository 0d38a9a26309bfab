"""Resource validation inside CKAN (#5): a CSV or XLSX file uploaded or linked is validated
when the resource is created or changed, and the checks across resources (earlier periods of
the dataset, files of any dataset, the dataset's satuan and frekuensi) find what they should,
with its location. A check that cannot run never fails the action."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.quality import service
from tests.conftest import create_dataset, make_opd_org, publish
from tests.quality import corpus, hostile
from tests.quality.corpus import HEADER, JML, LK, PR
from tests.test_resource_files import local_server

pytestmark = [pytest.mark.integration]

# The latest year of the test files: last year, so that no file is overdue ("stale") today.
LAST = dt.date.today().year - 1
PREV = LAST - 1


def site_context() -> dict:
    user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    return {"ignore_auth": True, "user": user}


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(dataset_id: str, name: str, content: bytes, fmt: str = "CSV", periode: str | None = None, **extra):
    filename = f"{name}.{fmt.lower()}"
    return helpers.call_action(
        "resource_create", context=site_context(), package_id=dataset_id, url=filename, name=name, format=fmt,
        periode=periode, upload=FileStorage(io.BytesIO(content), filename=filename), **extra,
    )  # fmt: skip


def copy_of(rows: list[list], year: int) -> list[list]:
    """The same figures labelled with another year: last year's table copied."""
    return [[*r[:2], year, *r[3:]] for r in rows]


def at(findings, code, row=None, column=None, sheet=None) -> dict:
    for f in findings:
        if f["code"] == code and f["row"] == row and f["column"] == column and f["sheet"] == sheet:
            return f
    raise AssertionError(f"no {code} at {sheet}/{row}/{column}: {[f['message']['en'] for f in findings]}")


@pytest.fixture
def opd(clean_db, clean_index):
    make_opd_org("disdukcapil")
    make_opd_org("dinkes")


def penduduk_dataset(name="jumlah-penduduk-kecamatan", **overrides):
    data = {
        "name": name, "title": "Jumlah Penduduk menurut Kecamatan", "owner_org": "disdukcapil",
        "kode_urusan": "2.12", "sektor_kegiatan": "2", "satuan": "jiwa", "tingkat_penyajian": "kecamatan",
        "frekuensi": "tahunan",
    }  # fmt: skip
    data.update(overrides)
    return create_dataset(**data)


class TestOneFile:
    def test_a_clean_file_is_valid_and_gets_a_draft_schema_to_confirm(self, opd):
        dataset = penduduk_dataset()
        resource = upload(
            dataset["id"], f"penduduk-{LAST}", csv_bytes(corpus.penduduk([LAST])), periode=str(LAST)
        )

        validation = service.validation_of(resource["id"])
        assert validation["status"] == "valid"
        assert validation["findings"] == [] and validation["errors"] == 0
        assert validation["rows"] == 7 and len(validation["sha256"]) == 64
        # the draft is stored on the resource, flagged, in Table Schema form
        schema = resource["schema"]
        assert schema["satudata:draft"] is True
        assert [f["name"] for f in schema["fields"]] == HEADER
        assert schema["primaryKey"] == ["kode_wilayah", "tahun"]
        assert helpers.call_action("resource_show", id=resource["id"])["schema"] == schema
        assert service.dataset_findings(dataset["id"]) == []
        assert service.validation_summary(dataset["id"]) == {
            "resources": {resource["id"]: "valid"}, "errors": 0, "warnings": 0, "acknowledged": 0,
            "pending": 0, "failed": 0,
        }  # fmt: skip

    def test_errors_against_the_confirmed_schema_name_row_column_and_problem(self, opd):
        dataset = penduduk_dataset()
        rows = corpus.penduduk([LAST])
        corpus.find(rows, "64.71.03", LAST)[LK] = "91.2O4"
        resource = upload(
            dataset["id"], "penduduk", csv_bytes(rows), periode=str(LAST), schema=json.dumps(corpus.schema())
        )
        validation = service.validation_of(resource["id"])
        assert validation["status"] == "tidak_valid"
        row = corpus.row_number(rows, "64.71.03", LAST)
        error = at(validation["findings"], "type_error", row, "laki_laki")
        assert error["severity"] == "error"
        assert (
            error["message"]["id"] == f'Baris {row}, kolom "laki_laki": nilai "91.2O4" bukan bilangan bulat'
        )
        assert (
            error["message"]["en"] == f'Row {row}, column "laki_laki": value "91.2O4" is not a whole number'
        )
        # the person's schema is kept as it is: no draft flag
        assert "satudata:draft" not in helpers.call_action("resource_show", id=resource["id"])["schema"]

    def test_a_broken_spreadsheet_is_not_valid_and_the_upload_still_succeeds(self, opd):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "rusak", b"PK\x03\x04 this is not really a spreadsheet", "XLSX")
        validation = service.validation_of(resource["id"])
        assert validation["status"] == "tidak_valid"
        assert [f["code"] for f in validation["findings"]] == ["file_error"]
        empty = upload(dataset["id"], "kosong", b"")
        assert service.validation_of(empty["id"])["findings"][0]["message"]["id"] == "Berkas kosong"

    def test_a_link_the_portal_may_not_fetch_is_a_failed_check_not_a_failed_action(self, opd):
        dataset = penduduk_dataset()
        with local_server() as server:  # 127.0.0.1: refused unless the admin allows the host
            resource = helpers.call_action(
                "resource_create", context=site_context(), package_id=dataset["id"], url=f"{server}/data.csv",
                name="DBD", format="CSV",
            )  # fmt: skip
        validation = service.validation_of(resource["id"])
        assert validation["status"] == "gagal" and validation["error"].startswith("blocked")

    def test_a_linked_file_from_an_allowed_host_is_validated(self, opd, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.satudata.fetch_allowed_hosts", ["127.0.0.1"])
        dataset = penduduk_dataset()
        with local_server() as server:
            resource = helpers.call_action(
                "resource_create", context=site_context(), package_id=dataset["id"], url=f"{server}/data.csv",
                name="DBD", format="CSV",
            )  # fmt: skip
        assert service.validation_of(resource["id"])["status"] == "valid"
        assert resource["schema"]["satudata:draft"] is True

    def test_other_formats_are_not_validated(self, opd):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "laporan", b"%PDF-1.4 ...", "PDF")
        assert service.validation_of(resource["id"]) is None
        assert service.validation_summary(dataset["id"])["resources"] == {}

    def test_an_invalid_schema_is_refused_naming_the_problem_and_nothing_is_saved(self, opd):
        dataset = penduduk_dataset()
        bad = {"fields": [{"name": "tahun", "type": "angka"}], "primaryKey": ["kode_wilayah"]}
        with pytest.raises(helpers.logic.ValidationError) as error:
            upload(dataset["id"], "penduduk", csv_bytes(corpus.penduduk([LAST])), schema=json.dumps(bad))
        messages = error.value.error_dict["schema"]
        assert any("Kolom \"tahun\": jenis 'angka' tidak didukung" in m for m in messages)
        assert any('Kolom kunci "kode_wilayah" tidak ada di skema' in m for m in messages)
        assert helpers.call_action("package_show", id=dataset["id"])["resources"] == []


class TestSchemaActions:
    def test_infer_proposes_and_confirm_removes_the_draft_flag(self, opd):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "penduduk", csv_bytes(corpus.penduduk([LAST])), periode=str(LAST))
        inferred = helpers.call_action("satudata_schema_infer", context=site_context(), id=resource["id"])
        assert "satudata:draft" not in inferred and inferred["primaryKey"] == ["kode_wilayah", "tahun"]
        before = service.validation_of(resource["id"])

        result = helpers.call_action("satudata_schema_confirm", context=site_context(), id=resource["id"])
        assert "satudata:draft" not in result["schema"]
        shown = helpers.call_action("resource_show", id=resource["id"])["schema"]
        assert shown == result["schema"] == inferred
        # the same columns: nothing to validate again
        assert service.validation_of(resource["id"])["validated_at"] == before["validated_at"]

    def test_a_confirmed_schema_survives_an_edit_that_leaves_it_out(self, opd):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "penduduk", csv_bytes(corpus.penduduk([LAST])), periode=str(LAST))
        helpers.call_action("satudata_schema_confirm", context=site_context(), id=resource["id"])
        edited = {
            k: v for k, v in helpers.call_action("resource_show", id=resource["id"]).items() if k != "schema"
        }
        edited["name"] = "Penduduk per kecamatan"
        helpers.call_action("resource_update", context=site_context(), **edited)
        shown = helpers.call_action("resource_show", id=resource["id"])
        assert shown["name"] == "Penduduk per kecamatan" and "satudata:draft" not in shown["schema"]

    def test_confirming_an_invalid_schema_is_refused_in_indonesian(self, opd):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "penduduk", csv_bytes(corpus.penduduk([LAST])))
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action(
                "satudata_schema_confirm", context=site_context(), id=resource["id"], schema={"fields": []}
            )
        assert error.value.error_dict["schema"] == ["Skema harus memiliki daftar 'fields' yang tidak kosong"]

    def test_the_validation_is_readable_by_whoever_reads_the_resource(self, opd):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "penduduk", csv_bytes(corpus.penduduk([LAST])))
        shown = helpers.call_action(
            "satudata_resource_validation_show", context=site_context(), id=resource["id"]
        )
        assert shown["status"] == "valid" and shown["schema_draft"] is True
        # a draft dataset is private: the public may not read it, nor its validation
        with pytest.raises(helpers.logic.NotAuthorized):
            helpers.call_action(
                "satudata_resource_validation_show",
                context={"user": "", "ignore_auth": False},
                id=resource["id"],
            )


class TestAcrossResources:
    def test_last_years_figures_copied_into_this_years_file(self, opd):
        dataset = penduduk_dataset()
        old_rows = corpus.penduduk([PREV])
        upload(dataset["id"], f"Penduduk {PREV}", csv_bytes(old_rows), periode=str(PREV))
        new = upload(dataset["id"], f"Penduduk {LAST}", csv_bytes(copy_of(old_rows, LAST)), periode=str(LAST))

        validation = service.validation_of(new["id"])
        assert validation["status"] == "valid"  # a warning: publishable with the walidata's reason
        copied = at(validation["findings"], "copied_previous_period", 2, "tahun")
        assert copied["severity"] == "warning"
        assert copied["details"]["previous_period"] == str(PREV)
        assert copied["details"]["source"] == f"Penduduk {PREV}"
        assert f"sama dengan periode {PREV} di Penduduk {PREV}" in copied["message"]["id"]
        found = service.dataset_findings(dataset["id"])
        assert [(f["code"], f["resource_name"]) for f in found] == [
            ("copied_previous_period", f"Penduduk {LAST}")
        ]

    def test_correcting_last_years_file_clears_the_copy_warning_of_this_years(self, opd):
        dataset = penduduk_dataset()
        this_year = corpus.penduduk([LAST])
        # Last year's file was filled with this year's figures by mistake.
        old = upload(
            dataset["id"], f"Penduduk {PREV}", csv_bytes(copy_of(this_year, PREV)), periode=str(PREV)
        )
        new = upload(dataset["id"], f"Penduduk {LAST}", csv_bytes(this_year), periode=str(LAST))
        assert [f["code"] for f in service.validation_of(new["id"])["findings"]] == ["copied_previous_period"]

        # The OPD uploads last year's right figures: this year's file no longer repeats them,
        # and its warning goes without a new upload of it.
        filename = f"Penduduk {PREV}.csv"
        helpers.call_action(
            "resource_patch", context=site_context(), id=old["id"], url=filename,
            upload=FileStorage(io.BytesIO(csv_bytes(corpus.penduduk([PREV]))), filename=filename),
        )  # fmt: skip
        assert service.validation_of(new["id"])["findings"] == []
        assert service.dataset_findings(dataset["id"]) == []

    def test_deleting_the_copied_file_clears_the_copy_warning(self, opd):
        dataset = penduduk_dataset()
        old_rows = corpus.penduduk([PREV])
        old = upload(dataset["id"], f"Penduduk {PREV}", csv_bytes(old_rows), periode=str(PREV))
        new = upload(dataset["id"], f"Penduduk {LAST}", csv_bytes(copy_of(old_rows, LAST)), periode=str(LAST))
        assert service.dataset_findings(dataset["id"]) != []
        helpers.call_action("resource_delete", context=site_context(), id=old["id"])
        assert service.validation_of(new["id"])["findings"] == []
        assert service.validation_of(old["id"]) is None

    def test_an_extreme_change_against_last_years_file(self, opd):
        dataset = penduduk_dataset()
        upload(dataset["id"], f"Penduduk {PREV}", csv_bytes(corpus.penduduk([PREV])), periode=str(PREV))
        rows = corpus.penduduk([LAST])
        row = corpus.find(rows, "64.71.02", LAST)
        row[LK] *= 20
        row[JML] = row[LK] + row[PR]
        corpus.recompute_totals(rows)
        new = upload(dataset["id"], f"Penduduk {LAST}", csv_bytes(rows), periode=str(LAST))

        findings = service.validation_of(new["id"])["findings"]
        change = at(findings, "extreme_change", corpus.row_number(rows, "64.71.02", LAST), "laki_laki")
        assert change["details"]["previous_period"] == str(PREV)
        assert change["details"]["source"] == f"Penduduk {PREV}"

    def test_a_workbook_copying_one_sheet_into_the_next_names_the_sheet(self, opd, tmp_path):
        dataset = penduduk_dataset()
        old = corpus.penduduk([PREV])
        path = corpus.per_year_workbook(tmp_path / "penduduk.xlsx", old + copy_of(old, LAST))
        resource = upload(dataset["id"], "Penduduk per tahun", path.read_bytes(), "XLSX")
        findings = service.validation_of(resource["id"])["findings"]
        copied = at(findings, "copied_previous_period", 2, "tahun", sheet=str(LAST))
        assert copied["message"]["en"].startswith(f'Sheet "{LAST}", row 2, column "tahun": 100% of period')

    def test_the_same_file_in_two_datasets(self, opd):
        content = csv_bytes(corpus.penduduk([LAST]))
        first = penduduk_dataset()
        original = upload(first["id"], "Penduduk kecamatan", content, periode=str(LAST))
        second = penduduk_dataset(name="penduduk-salinan", title="Salinan Data Penduduk")
        copy = upload(second["id"], "Penduduk salinan", content, periode=str(LAST))

        assert service.validation_of(original["id"])["findings"] == []  # the resource itself is no match
        # The first dataset is an unpublished draft: whoever reads the copy learns only that
        # an unpublished file matches, not its name.
        identical = at(service.validation_of(copy["id"])["findings"], "identical_file")
        assert identical["details"]["unpublished"] == 1 and identical["details"]["other"] == ""
        assert identical["message"]["id"] == (
            "Berkas ini sama persis (byte demi byte) dengan 1 berkas lain yang belum terbit"
        )
        assert "Jumlah Penduduk" not in json.dumps(identical)
        # Once the first dataset is published, the copy's check names it.
        publish(first["id"])
        service.check_resource(copy["id"], force=True)
        identical = at(service.validation_of(copy["id"])["findings"], "identical_file")
        assert identical["details"]["other"] == '"Penduduk kecamatan" (Jumlah Penduduk menurut Kecamatan)'
        assert identical["message"]["en"] == (
            'This file is byte for byte the same as "Penduduk kecamatan" (Jumlah Penduduk menurut Kecamatan)'
        )

    def test_a_unit_other_than_the_datasets_satuan_and_its_correction(self, opd):
        dataset = penduduk_dataset(satuan="orang")  # the file counts jiwa, and luas in km2
        resource = upload(dataset["id"], "penduduk", csv_bytes(corpus.penduduk([LAST])), periode=str(LAST))
        findings = service.validation_of(resource["id"])["findings"]
        mismatch = at(findings, "unit_mismatch", None, "Jumlah (jiwa)")
        assert mismatch["value"] == "jiwa" and mismatch["details"]["expected"] == "orang"
        # the produsen corrects the dataset's satuan: the file is validated again
        helpers.call_action("package_patch", context=site_context(), id=dataset["id"], satuan="jiwa")
        assert service.validation_of(resource["id"])["findings"] == []

    def test_an_overdue_update_is_a_dataset_warning_computed_for_the_day(self, opd):
        dataset = penduduk_dataset()  # tahunan
        upload(dataset["id"], "Penduduk 2023", csv_bytes(corpus.penduduk([2023])), periode="2023")
        assert service.dataset_findings(dataset["id"], today=dt.date(2025, 3, 31)) == []
        (stale,) = service.dataset_findings(dataset["id"], today=dt.date(2025, 6, 1))
        assert stale["code"] == "stale" and stale["resource_id"] is None and stale["acknowledged"] is False
        assert stale["details"]["last_period"] == "2023" and stale["details"]["expected_by"] == "2025-03-31"
        assert "62 hari terlambat" in stale["message"]["id"]
        # not stored with the file: the file itself is valid
        assert service.validation_summary(dataset["id"])["warnings"] == 1  # the current date: overdue too


@pytest.mark.usefixtures("clean_queues")
class TestReadingBounds:
    """A hostile file (#14) is never read past the bounds. Beyond the job's bounds it is
    refused at once, with a file_error naming the limit, which blocks publication like any
    error; beyond only the smaller bounds of a request, it is handed to the background job
    instead of keeping the user waiting."""

    def test_a_sheet_spanning_the_grid_is_refused_at_once_naming_the_limit(self, opd, tmp_path):
        dataset = penduduk_dataset()
        path = hostile.far_corner_xlsx(tmp_path / "pojok.xlsx", "ZZ1048576")
        assert path.stat().st_size < 2048  # 1 KB, but 736 million cells
        resource = upload(dataset["id"], "pojok", path.read_bytes(), "XLSX")
        validation = service.validation_of(resource["id"])
        assert validation["status"] == "tidak_valid"
        (finding,) = validation["findings"]
        assert finding["code"] == "file_error" and finding["details"]["limit"] == "cells"
        assert (
            finding["message"]["id"] == f"Berkas melampaui batas jumlah sel: {702 * 1048576} (batas 5000000)"
        )
        assert "satudata:draft" not in json.dumps(helpers.call_action("resource_show", id=resource["id"]))
        assert service.validation_summary(dataset["id"])["errors"] == 1

    @pytest.mark.parametrize(
        ("make", "limit"),
        [
            (lambda d: hostile.billion_laughs_xlsx(d / "lol.xlsx"), "xml_entities"),
            (
                lambda d: hostile.string_bomb_xlsx(d / "teks.xlsx", text_bytes=60 * 1024 * 1024),
                "shared_strings_bytes",
            ),
            (lambda d: hostile.lying_sizes_xlsx(d / "bohong.xlsx", unpacked=4 * 1024 * 1024), None),
        ],
    )
    def test_a_workbook_bomb_is_refused_at_once(self, opd, tmp_path, make, limit):
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "bom", make(tmp_path).read_bytes(), "XLSX")
        validation = service.validation_of(resource["id"])
        assert validation["status"] == "tidak_valid"
        (finding,) = validation["findings"]
        assert finding["code"] == "file_error"
        assert finding["details"].get("limit") == limit

    def test_a_workbook_beyond_only_the_requests_bound_waits_for_the_job(
        self, opd, ckan_config, monkeypatch, tmp_path
    ):
        monkeypatch.setitem(ckan_config, config.QUALITY_SYNC_MAX_CELLS, 10)
        dataset = penduduk_dataset()
        path = corpus.write_xlsx(tmp_path / "penduduk.xlsx", {"Data": (HEADER, corpus.penduduk([LAST]))})
        resource = upload(dataset["id"], "penduduk", path.read_bytes(), "XLSX", periode=str(LAST))
        assert service.validation_of(resource["id"])["status"] == "menunggu"
        service.run_validation_job(resource["id"])
        assert service.validation_of(resource["id"])["status"] == "valid"

    def test_the_schema_guess_of_a_wide_file_is_refused_naming_the_limit(self, opd, tmp_path):
        dataset = penduduk_dataset()
        path = hostile.wide_csv(tmp_path / "lebar.csv", columns=5_000, rows=1)
        resource = upload(dataset["id"], "lebar", path.read_bytes())
        with pytest.raises(tk.ValidationError) as refused:
            helpers.call_action("satudata_schema_infer", context=site_context(), id=resource["id"])
        assert refused.value.error_dict["url"] == ["Berkas melampaui batas jumlah kolom: 5000 (batas 1000)"]


@pytest.mark.parametrize(("setting", "share"), [(None, 0.95), ("0.98", 0.98), ("0.2", 0.5), ("banyak", 0.95)])
def test_the_copied_share_is_the_admins_between_a_half_and_all(ckan_config, monkeypatch, setting, share):
    """``ckanext.satudata.quality.copied_share``: 0.95 unless set; below half, most honest
    updates would look copied, so it never goes lower; a value that is no number is ignored."""
    monkeypatch.setitem(ckan_config, config.QUALITY_COPIED_SHARE, setting)
    assert config.quality_copied_share() == share


def test_an_office_csv_with_notes_below_is_valid_and_its_page_lists_the_notes(opd, app, tmp_path):
    """Indonesian Excel's ``;`` CSV with a title above and the source and a signature below
    (issue #15): valid, and the resource page shows the notes as catatan, not as errors."""
    content = corpus.semicolon_csv(tmp_path / "penduduk.csv").read_bytes()
    pkg = penduduk_dataset()
    res = upload(pkg["id"], "penduduk-2024", content, periode="2024")

    shown = helpers.call_action("satudata_resource_validation_show", context=site_context(), id=res["id"])
    assert (shown["status"], shown["errors"]) == ("valid", 0)
    assert set(shown["counts"]) <= {"unit_mismatch"}  # km2 next to the dataset's jiwa: a second measure
    assert [n["text"] for n in shown["notes"]][:2] == corpus.NOTES
    publish(pkg["id"])
    page = app.get(f"/dataset/{pkg['name']}/resource/{res['id']}")
    assert corpus.NOTES[0] in page.body and "satudata-validation-notes" in page.body


def test_a_file_with_a_nik_cannot_be_published_and_the_nik_is_never_shown(opd, app, tmp_path):
    """UU 27/2022: a NIK in a cell is a data error; the page and the API name the row, the
    column and the kind, with the NIK masked."""
    path = corpus.semicolon_csv(tmp_path / "penduduk.csv")
    content = path.read_bytes() + b"64.71.06;Balikpapan Kota;6471014107900003;1\r\n"
    pkg = penduduk_dataset()
    res = upload(pkg["id"], "penduduk-2024", content, periode="2024")

    shown = helpers.call_action("satudata_resource_validation_show", context=site_context(), id=res["id"])
    assert shown["status"] == "tidak_valid"
    finding = next(f for f in shown["findings"] if f["code"] == "personal_data")
    assert (finding["row"], finding["column"], finding["details"]["kind"]) == (16, "luas_km2", "nik")
    assert "6471014107900003" not in json.dumps(shown)
    helpers.call_action("satudata_submit", context=site_context(), id=pkg["id"])
    with pytest.raises(tk.ValidationError):
        helpers.call_action("satudata_publish", context=site_context(), id=pkg["id"], override_reason="x")


def test_a_plain_table_schema_says_on_the_page_which_checks_could_not_run(opd, app):
    """A Table Schema written by another tool, without the portal's roles and totals: the
    roles come from the field names, and the page lists the checks that could not run."""
    types = ["string", "string", "year", "integer", "integer", "integer", "number"]
    plain = {"fields": [{"name": h, "type": t} for h, t in zip(HEADER, types, strict=True)]}
    pkg = penduduk_dataset()
    rows = corpus.penduduk([LAST])
    res = upload(pkg["id"], "penduduk", csv_bytes(rows), periode=str(LAST), schema=json.dumps(plain))

    shown = helpers.call_action("satudata_resource_validation_show", context=site_context(), id=res["id"])
    assert {"field": "kode_wilayah", "role": "region"} in shown["checks"]["roles_given"]
    assert "total_mismatch" in [c["check"] for c in shown["checks"]["not_run"]]
    publish(pkg["id"])
    page = app.get(f"/dataset/{pkg['name']}/resource/{res['id']}").body
    assert "satudata-validation-not-run" in page and "satudata:totals" in page


def test_a_wide_table_with_a_copied_year_column_is_found_and_its_page_names_the_column(opd, app):
    """The BPS layout, kecamatan in rows and years in columns (issue #15): the 2024 column
    copied from 2023 is a warning located at that column, and the column list shows each
    year column's period."""
    years = (2021, 2022, 2023, 2024)
    rows = [["kode_wilayah", "nama_wilayah", *map(str, years)]]
    for i, (code, name, _luas, pop) in enumerate(corpus.KECAMATAN):
        values = [round(pop * (1.02 + 0.003 * i) ** k) for k in range(len(years))]
        values[-1] = values[-2]
        rows.append([code, name, *values])
    content = "\n".join(",".join(map(str, r)) for r in rows).encode() + b"\n"
    pkg = penduduk_dataset()
    res = upload(pkg["id"], "penduduk-lebar", content)

    shown = helpers.call_action("satudata_resource_validation_show", context=site_context(), id=res["id"])
    (finding,) = [f for f in shown["findings"] if f["code"] == "copied_previous_period"]
    assert (finding["row"], finding["column"], finding["details"]["previous_period"]) == (2, "2024", "2023")
    publish(pkg["id"])
    page = app.get(f"/dataset/{pkg['name']}/resource/{res['id']}").body
    assert 'data-code="copied_previous_period"' in page and 'data-column="2024"' in page
    assert "periode 2024" in page
