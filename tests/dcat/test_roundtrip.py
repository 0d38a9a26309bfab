"""Round trip: every demo dataset, serialised with ``satudata_dcat_ap`` and parsed back with it,
gives back every field of the schema (one test per family of fields)."""

from __future__ import annotations

import json

import pytest
from ckan.tests import helpers
from ckanext.dcat.processors import RDFParser, RDFSerializer

from tests.conftest import create_dataset, publish

pytestmark = [pytest.mark.integration]

FAMILIES = {
    "identity": ["name", "title", "notes"],
    "publisher": ["owner_org"],
    "classification": ["sektor_kegiatan", "kode_urusan", "jenis", "prioritas_tahun"],
    "statistical metadata": [
        "konsep",
        "definisi",
        "klasifikasi",
        "ukuran",
        "ukuran_lainnya",
        "satuan",
        "satuan_lainnya",
        "kodereferensi",
        "interpretasi",
        "metode_perhitungan",
        "rumus",
        "level_estimasi",
        "apakah_indikator_komposit",
        "indikator_pembangun",
        "cara_pengumpulan_data",
        "identitas_rekomendasi",
    ],
    "activity metadata (MS-Keg)": [
        "judul_kegiatan",
        "iii_latar_belakang_kegiatan",
        "iii_tujuan_kegiatan",
        "iv_metode_pengumpulan_data",
        "iv_unit_pengumpulan_data",
        "vii_metode_analisis",
        "vii_unit_analisis",
    ],
    "identifiers": ["id_mskeg", "id_msind"],
    "coverage": ["frekuensi", "periode_awal", "periode_akhir", "tingkat_penyajian", "kode_wilayah"],
    "access": ["accesslevel", "dasar_hukum_akses", "license_id", "jadwal_rilis"],
}
RESOURCE_FIELDS = ["url", "name", "description", "format", "periode", "schema"]


def _full_example() -> dict:
    """A published dataset that fills every optional field too (the demo leaves some empty)."""
    dataset = create_dataset(
        name="uji-semua-isian", ukuran="lainnya", ukuran_lainnya="Kepadatan", satuan="lainnya",
        satuan_lainnya="kasus per 1.000 penduduk", rumus="kasus / penduduk x 1000",
        apakah_indikator_komposit="ya", indikator_pembangun="Kasus DBD; jumlah penduduk",
        id_mskeg="1234", id_msind="5678", cara_pengumpulan_data="survei",
        identitas_rekomendasi="R-6471.001", accesslevel="terbatas",
        judul_kegiatan="Survei Kepuasan Layanan DBD", iii_latar_belakang_kegiatan="Perlu ukuran layanan.",
        iii_tujuan_kegiatan="Mengukur kepuasan.", iv_metode_pengumpulan_data=["wawancara", "observasi"],
        iv_unit_pengumpulan_data=["rumah_tangga"], vii_metode_analisis="keduanya",
        vii_unit_analisis=["individu", "rumah_tangga"],
        dasar_hukum_akses="Perwali Balikpapan 28/2020", kode_wilayah=["64.71.01", "64.71.02.1002"],
        penanggung_jawab=[{"nama": "Seksi Surveilans", "jabatan": "Kepala Seksi",
                           "email": "surveilans@balikpapan.go.id", "telepon": "0542 421000"},
                          {"nama": "Seksi Data", "jabatan": "Staf", "email": "data@balikpapan.go.id"}],
    )  # fmt: skip
    helpers.call_action(
        "resource_create", context={"ignore_auth": True, "user": helpers.call_action(
            "get_site_user", context={"ignore_auth": True})["name"]},
        package_id=dataset["id"], url="https://data.balikpapan.go.id/dbd-2024.xlsx", name="DBD 2024",
        description="Kasus per kelurahan", format="XLSX", periode="2024-Q1",
        schema=json.dumps({"fields": [{"name": "kode_wilayah", "type": "string"},
                                      {"name": "kasus", "type": "integer"}]}),
    )  # fmt: skip
    publish(dataset["id"])
    return dataset


@pytest.fixture(scope="module")
def round_trips(demo_catalogue):
    """(original, parsed) for every published demo dataset and the full example."""
    _full_example()
    names = [*demo_catalogue, "uji-semua-isian"]
    pairs = []
    for name in names:
        original = helpers.call_action("package_show", id=name)
        text = RDFSerializer(profiles=["satudata_dcat_ap"]).serialize_dataset(original, _format="turtle")
        parser = RDFParser(profiles=["satudata_dcat_ap"])
        parser.parse(text, _format="turtle")
        parsed = list(parser.datasets())
        assert len(parsed) == 1
        pairs.append((original, parsed[0]))
    return pairs


def _norm(value):
    if value in ("", None, []):
        return None
    if isinstance(value, list):
        return sorted(json.dumps(v, sort_keys=True) if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_field_of_the_family_comes_back(round_trips, family):
    lost = []
    for original, parsed in round_trips:
        for field in FAMILIES[family]:
            # the OPD travels as its registry code, which is its organisation name
            want = original["organization"]["name"] if field == "owner_org" else original.get(field)
            if _norm(want) != _norm(parsed.get(field)):
                lost.append((original["name"], field, want, parsed.get(field)))
    assert lost == []


def test_every_family_is_exercised(round_trips):
    every = {f for fields in FAMILIES.values() for f in fields}
    filled = {f for original, _ in round_trips for f in every if original.get(f)}
    assert filled == every


def test_tags_and_contacts_come_back(round_trips):
    for original, parsed in round_trips:
        assert sorted(t["name"] for t in parsed.get("tags", [])) == sorted(
            t["name"] for t in original["tags"]
        )
        people = sorted(original["penanggung_jawab"], key=lambda p: (p["nama"], p["email"]))
        assert [{k: v for k, v in p.items() if v} for p in parsed["penanggung_jawab"]] == [
            {k: v for k, v in p.items() if v} for p in people
        ]


def test_every_resource_field_comes_back(round_trips):
    lost = []
    for original, parsed in round_trips:
        assert len(parsed["resources"]) == len(original["resources"])
        by_name = {r["name"]: r for r in parsed["resources"]}
        for res in original["resources"]:
            back = by_name.get(res["name"], {})
            for field in RESOURCE_FIELDS:
                want = res.get(field)
                if field == "schema" and isinstance(want, str) and want:
                    want = json.loads(want)
                if _norm(want) != _norm(back.get(field)):
                    lost.append((original["name"], res["name"], field, want, back.get(field)))
    assert lost == []
