"""The controlled vocabularies ship as YAML data with their sources, and read as specified."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from ckanext.satudata_balikpapan.registry import vocabularies as v

FILES = sorted(
    p.name
    for p in resources.files("ckanext.satudata_balikpapan").joinpath("data/vocabularies").iterdir()
    if p.name.endswith(".yaml")
)


@pytest.mark.parametrize("filename", FILES)
def test_every_vocabulary_file_names_its_source(filename):
    raw = yaml.safe_load(
        resources.files("ckanext.satudata_balikpapan").joinpath(f"data/vocabularies/{filename}").read_text()
    )
    assert raw.get("source"), f"{filename} has no source"


def test_sektor_has_the_22_bps_sectors_with_both_languages():
    sektor = v.vocabulary("sektor")
    assert len(sektor) == 22
    assert sektor.get("9").text("id") == "Kesehatan"
    assert sektor.get("9").text("en") == "Health"
    assert len(set(sektor.codes())) == 22
    assert all(t.label.get("id") and t.label.get("en") for t in sektor)


def test_vocabularies_are_read_once_and_cached():
    assert v.vocabulary("sektor") is v.vocabulary("sektor")


def test_choices_are_scheming_choices():
    choices = v.vocabulary("akses").choices()
    assert [c["value"] for c in choices] == ["terbuka", "terbatas", "tertutup"]
    assert choices[0]["label"]["id"] == "Terbuka"
    assert v.vocabulary("akses").choices("en")[0]["label"] == "Open"


def test_urusan_uses_permendagri_codes():
    urusan = v.vocabulary("urusan")
    assert urusan.get("1.02").text() == "Kesehatan"
    assert "2.20" in urusan  # Statistik
    assert "9.99" not in urusan


def test_frekuensi_has_the_ms_keg_values_plus_one_off():
    frek = v.vocabulary("frekuensi")
    assert frek.codes() == [
        "harian", "mingguan", "bulanan", "triwulanan", "empat_bulanan",
        "semesteran", "tahunan", "lebih_dua_tahunan", "sekali",
    ]  # fmt: skip
    assert frek.get("tahunan")["months"] == 12
    assert frek.get("tahunan")["eu_frequency"] == "ANNUAL"


def test_survey_is_the_collection_method_that_needs_a_romantik_recommendation():
    cara = v.vocabulary("cara_pengumpulan")
    assert [t.code for t in cara if t.get("requires_rekomendasi")] == ["survei"]


def test_satuan_fits_only_existing_ukuran():
    ukuran = v.vocabulary("ukuran")
    for satuan in v.vocabulary("satuan"):
        for slug in satuan.get("fits") or []:
            assert slug in ukuran, f"satuan {satuan.code} fits unknown ukuran {slug}"
    assert "persen" in v.vocabulary("satuan")


def test_balikpapan_has_6_kecamatan_and_34_kelurahan_under_64_71():
    regions = v.regions()
    levels = [r.level for r in regions.values()]
    assert levels.count("kota") == 1
    assert levels.count("kecamatan") == 6
    assert levels.count("kelurahan") == 34
    for code, region in regions.items():
        assert v.region_level(code) == region.level
        if region.parent:
            assert code.startswith(region.parent + ".")
    assert regions["64.71.05.1010"].name.startswith("Sungai")
    assert "64.71.05.1001" not in regions  # the Selatan numbering has gaps


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("64.71", "kota"),
        ("64.71.03", "kecamatan"),
        ("64.71.03.1002", "kelurahan"),
        ("64.72.01", None),
        ("64.71.3", None),
        ("6471", None),
        ("", None),
    ],
)
def test_region_level_reads_the_shape_of_a_kemendagri_code(code, level):
    assert v.region_level(code) == level
