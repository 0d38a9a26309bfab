"""How a dataset of the old, stock CKAN portal reads in Satu Data terms (legacy/mapping.py):
pure rules, no services."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ckanext.satudata_balikpapan.legacy import mapping
from ckanext.satudata_balikpapan.registry import opd

ROOT = Path(__file__).resolve().parents[2]
LICENSES = ["cc-by", "cc-by-sa", "cc-zero", "odc-odbl", "other-open", "notspecified"]


@pytest.fixture(scope="module")
def fields():
    schema = yaml.safe_load((ROOT / "schemas" / "dataset.yaml").read_text())
    presets = {
        p["preset_name"]: p["values"]
        for p in yaml.safe_load((ROOT / "schemas" / "presets.yaml").read_text())["presets"]
    }
    return mapping.field_specs(schema, presets)


def stock(**overrides):
    """A dataset as a stock CKAN 2.9-2.11 package_show gives it."""
    dataset = {
        "id": "0b1c2d3e-0000-4000-8000-000000000001",
        "name": "jumlah-penduduk-per-kecamatan",
        "title": "Jumlah Penduduk per Kecamatan ",
        "notes": "Jumlah penduduk menurut kecamatan.",
        "license_id": "CC-BY-4.0",
        "tags": [{"name": "kependudukan"}, {"name": "kecamatan"}],
        "maintainer": "Bidang Statistik",
        "maintainer_email": "statistik@balikpapan.go.id",
        "url": "https://disdukcapil.balikpapan.go.id",
        "extras": [
            {"key": "Tahun", "value": "2019 s.d. 2023"},
            {"key": "Satuan ", "value": "Jiwa"},
            {"key": "frekuensi", "value": "1 Tahun Sekali"},
            {"key": "Sumber", "value": "Disdukcapil"},
            {"key": "catatan_internal", "value": "diunggah ulang 2022"},
        ],
        "resources": [
            {"id": "r1", "name": "Penduduk 2023", "format": "xlxs ", "url": "http://lama/dataset/x/resource/r1/download/penduduk-2023.xlsx", "url_type": "upload"},
            {"id": "r2", "name": "Tautan BPS", "format": "", "url": "https://balikpapankota.bps.go.id/table.csv", "url_type": None},
        ],
    }  # fmt: skip
    dataset.update(overrides)
    return dataset


def test_the_stock_fields_keep_their_values_and_the_ids_and_names_stay(fields):
    mapped = mapping.map_dataset(stock(), fields, LICENSES, owner="disdukcapil")

    data = mapped.dataset
    assert (data["id"], data["name"], data["owner_org"]) == (stock()["id"], stock()["name"], "disdukcapil")
    assert data["title"] == "Jumlah Penduduk per Kecamatan"
    assert data["tag_string"] == "kependudukan,kecamatan"
    assert data["license_id"] == "cc-by"
    assert data["penanggung_jawab"] == [{"nama": "Bidang Statistik", "email": "statistik@balikpapan.go.id"}]
    assert [r["id"] for r in mapped.resources] == ["r1", "r2"]


def test_free_extras_in_their_dirty_spellings_become_satu_data_fields(fields):
    data = mapping.map_dataset(stock(), fields, LICENSES).dataset

    assert (data["periode_awal"], data["periode_akhir"]) == ("2019", "2023")
    assert data["satuan"] == "jiwa"
    assert data["frekuensi"] == "tahunan"


def test_what_no_rule_places_is_kept_not_lost(fields):
    mapped = mapping.map_dataset(stock(), fields, LICENSES)

    assert mapped.unmapped == {
        "url": "https://disdukcapil.balikpapan.go.id",
        "Sumber": "Disdukcapil",
        "catatan_internal": "diunggah ulang 2022",
    }


def test_a_value_outside_the_vocabulary_is_kept_rather_than_forced(fields):
    extras = [{"key": "satuan", "value": "butir"}, {"key": "frekuensi", "value": "kadang-kadang"}]
    mapped = mapping.map_dataset(stock(extras=extras), fields, LICENSES)

    assert "satuan" not in mapped.dataset and "frekuensi" not in mapped.dataset
    assert mapped.unmapped["satuan"] == "butir"
    assert mapped.unmapped["frekuensi"] == "kadang-kadang"


def test_the_missing_required_fields_are_listed_in_schema_order(fields):
    mapped = mapping.map_dataset(stock(), fields, LICENSES, owner="disdukcapil")

    assert "konsep" in mapped.missing and "definisi" in mapped.missing and "kode_wilayah" in mapped.missing
    assert "periode_awal" not in mapped.missing and "title" not in mapped.missing
    assert mapped.missing.index("konsep") < mapped.missing.index("kode_wilayah")


@pytest.mark.parametrize(
    ("written", "stored"),
    [("xlxs", "XLSX"), ("CSV ", "CSV"), ("text/csv", "CSV"), (".xls", "XLS"), ("Excel", "XLSX"), ("PDF", "PDF"),
     ("GeoJSON", "GeoJSON"), ("Zarr", "ZARR")],
)  # fmt: skip
def test_resource_formats_are_spelled_the_portals_way(written, stored):
    assert mapping.resource_format(written) == stored


def test_an_empty_format_is_read_from_the_file_name():
    assert mapping.resource_format("", "http://lama/download/data.Csv") == "CSV"
    assert mapping.resource_format(None, "http://lama/download/") == ""


def test_a_resource_whose_name_gives_one_year_gets_it_as_its_period(fields):
    resources = mapping.map_dataset(stock(), fields, LICENSES).resources

    assert resources[0]["periode"] == "2023"
    assert "periode" not in resources[1]
    assert mapping.resource_period("Penduduk 2019-2023") is None


@pytest.mark.parametrize(
    ("written", "years"),
    [("2020", ("2020", None)), ("2019-2023", ("2019", "2023")), ("Tahun 2021, 2019, 2020", ("2019", "2021")),
     ("tahunan", None), ("12020", None)],
)  # fmt: skip
def test_reference_periods_are_read_as_first_and_last_year(written, years):
    assert mapping.years(written) == years


@pytest.mark.parametrize(
    ("written", "codes"),
    [("6471", ["64.71"]), ("64.71.01", ["64.71.01"]), ("Kota Balikpapan", ["64.71"]),
     ("6471; Balikpapan Kota", ["64.71", "64.71.06"]), ("Samarinda", None), ("64.72", None)],
)  # fmt: skip
def test_regions_are_read_from_codes_with_or_without_dots_and_from_names(written, codes):
    assert mapping.region_codes(written) == codes


@pytest.mark.parametrize(
    ("written", "licence"),
    [("cc-by", "cc-by"), ("CC BY 4.0", "cc-by"), ("Creative Commons Attribution", "cc-by"), ("ODbL", "odc-odbl"),
     ("CC0 1.0", "cc-zero"), ("lisensi pemkot", None), ("", None)],
)  # fmt: skip
def test_licences_are_read_from_ids_and_titles(written, licence):
    assert mapping.license_id(written, LICENSES) == licence


class TestOrganisations:
    """An old organisation is placed in the OPD registry, or nowhere: never guessed."""

    @pytest.fixture
    def matcher(self):
        return mapping.OrganizationMatcher(opd.default_registry(), {"Bagian Umum Setda": "setda"})

    @pytest.mark.parametrize(
        "org",
        [{"name": "dinkes", "title": "x"}, {"name": "dinas-kesehatan", "title": "Dinas Kesehatan"},
         {"name": "o1", "title": "DINKES"}, {"name": "o2", "title": "Dinas Kesehatan Kota Balikpapan"}],
    )  # fmt: skip
    def test_by_code_name_abbreviation_and_city_suffix(self, matcher, org):
        assert matcher.match(org) == "dinkes"

    def test_by_the_admins_mapping_file_first(self, matcher):
        assert matcher.match({"name": "bagian-umum", "title": "Bagian Umum Setda"}) == "setda"

    def test_an_unknown_organisation_is_placed_nowhere(self, matcher):
        assert matcher.match({"name": "ormas-x", "title": "Organisasi X"}) is None
        assert matcher.match(None) is None

    def test_by_a_former_name_in_the_registry(self):
        registry = opd.default_registry()
        renamed = [
            o
            if o.code != "dinkes"
            else type(o)(**{**o.__dict__, "former_names": ("Dinas Kesehatan dan KB",)})
            for o in registry.opds
        ]
        matcher = mapping.OrganizationMatcher(type(registry)(tuple(renamed), registry.walidata))

        assert matcher.match({"name": "dkkb", "title": "Dinas Kesehatan dan KB"}) == "dinkes"
