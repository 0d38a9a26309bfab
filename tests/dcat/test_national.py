"""The national contract: the national portal's harvester, run over our ``/dcat.json``, gets
every Satu Data key our metadata can fill, with the value and convention it expects.

``national_dcat_to_ckan`` is our own re-implementation, written from reading the Satu Data
secretariat's fork of ckanext-dcat (GitHub apteksdi/ckanext-dcat, branch ``portalkld``,
``ckanext/dcat/converters.py``, ``dcat_to_ckan``): it reads the flat JSON keys one by one into
the harvested dataset, the background of the activity under the misspelled key
``iii_latar_belakang_kegiatang``, tags from ``keyword``, a few extras, and resources from
``distribution``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from ckan.tests import factories, helpers

from ckanext.satudata_balikpapan.dcat import national
from ckanext.satudata_balikpapan.registry import vocabularies
from tests.conftest import create_dataset, make_opd_org, publish

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]

# The Satu Data keys the national converter copies, as it reads them: {harvested key: JSON key}.
CONVERTER_KEYS = {
    key: key
    for key in (
        "publisher_type",
        "prioritas_tahun",
        "accessRights",
        "accrualPeriodicity",
        "id_msind",
        "id_mskeg",
        "cara_pengumpulan_data",
        "i_alamat",
        "i_email",
        "i_instansi_penyelanggara",
        "i_telepon",
        "id_dds",
        "id_indikator_mms",
        "id_kegiatan",
        "id_kegiatan_mms",
        "identitas_rekomendasi",
        "ii_pj_alamat",
        "ii_pj_email",
        "ii_pj_faksimile",
        "ii_pj_jabatan",
        "ii_pj_nama",
        "ii_pj_telepon",
        "ii_unit_eselon1",
        "ii_unit_eselon2",
        "iii_tujuan_kegiatan",
        "indikator_prioritas",
        "interpretasi",
        "iv_cakupan_wilayah_pengumpulan_data",
        "iv_frekuensi_penyelanggara",
        "iv_kegiatan_ini_dilakukan",
        "iv_metode_pengumpulan_data",
        "iv_sarana_pengumpulan_data",
        "iv_tipe_pengumpulan_data",
        "iv_unit_pengumpulan_data",
        "jenis",
        "jenis_statistik",
        "judul_kegiatan",
        "kodereferensi",
        "kriteria_prioritas",
        "level_estimasi",
        "metode_perhitungan",
        "produsen_data_city_code",
        "produsen_data_name",
        "produsen_data_province_code",
        "publishing_status",
        "rumus",
        "satuan",
        "ukuran",
        "sektor_kegiatan",
        "submission_period",
        "tahun_kegiatan",
        "theme",
        "total_msind",
        "total_msvar",
        "vi_apakah_melakukan_pelatihan_petugas",
        "vi_apakah_melakukan_penyesuaian_nonrespon",
        "vi_apakah_melakukan_uji_coba",
        "vi_jumlah_petugas_enumerator",
        "vi_jumlah_petugas_supervisor",
        "vi_metode_pemeriksaan_kualitas_pengumpulan_data",
        "vii_metode_analisis",
        "vii_tahapan_pengolahan_data",
        "vii_tingkat_penyajian_hasil_analisis",
        "vii_unit_analisis",
        "viii_ketersediaan_produk_digital",
        "viii_ketersediaan_produk_mikrodata",
        "viii_ketersediaan_produk_tercetak",
    )
}
CONVERTER_KEYS["iii_latar_belakang_kegiatan"] = "iii_latar_belakang_kegiatang"  # sic, as it reads


def national_dcat_to_ckan(dcat_dict: dict) -> dict:
    """What the national harvester makes of one ``/dcat.json`` object."""
    package = {"title": dcat_dict.get("title"), "notes": dcat_dict.get("description")}
    for harvested, key in CONVERTER_KEYS.items():
        package[harvested] = dcat_dict.get(key)
    package["tags"] = [{"name": keyword} for keyword in dcat_dict.get("keyword", [])]
    extras = [{"key": f"dcat_{k}", "value": dcat_dict.get(k)} for k in ("issued", "modified")]
    extras.append({"key": "guid", "value": dcat_dict.get("identifier")})
    publisher = dcat_dict.get("publisher")
    if isinstance(publisher, str):
        extras.append({"key": "dcat_publisher_name", "value": publisher})
    elif isinstance(publisher, dict) and publisher.get("name"):
        extras.append({"key": "dcat_publisher_name", "value": publisher.get("name")})
        extras.append({"key": "dcat_publisher_email", "value": publisher.get("mbox")})
    extras.append({"key": "language", "value": ",".join(dcat_dict.get("language", []))})
    package["extras"] = extras
    package["resources"] = []
    for distribution in dcat_dict.get("distribution", []):
        resource = {
            "name": distribution.get("title"),
            "description": distribution.get("description"),
            "url": distribution.get("downloadURL") or distribution.get("accessURL"),
            "format": distribution.get("format"),
        }
        if distribution.get("byteSize"):
            with contextlib.suppress(ValueError):
                resource["size"] = int(distribution.get("byteSize"))
        package["resources"].append(resource)
    return package


def _label(vocabulary: str, codes) -> str | None:
    if not codes:
        return None
    codes = codes if isinstance(codes, list) else [codes]
    return ", ".join(vocabularies.vocabulary(vocabulary).get(str(c)).text("id") for c in codes)


def expected(pkg: dict, org: dict) -> dict:
    """What the national portal must receive for ``pkg``, written out key by key."""
    person = pkg["penanggung_jawab"][0]
    ukuran = (
        pkg.get("ukuran_lainnya") if pkg.get("ukuran") == "lainnya" else _label("ukuran", pkg.get("ukuran"))
    )
    satuan = (
        pkg.get("satuan_lainnya") if pkg.get("satuan") == "lainnya" else _label("satuan", pkg.get("satuan"))
    )
    return {
        "title": pkg["title"],
        "notes": pkg["notes"],
        "produsen_data_name": org["title"],
        "produsen_data_city_code": "6471",
        "produsen_data_province_code": "64",
        "publisher_type": "http://purl.org/adms/publishertype/LocalAuthority",
        "publishing_status": "terbit",
        "prioritas_tahun": pkg.get("prioritas_tahun"),
        "tahun_kegiatan": str(pkg.get("periode_akhir") or pkg["periode_awal"]),
        "judul_kegiatan": pkg.get("judul_kegiatan"),
        "jenis_statistik": "Sektoral" if pkg["jenis"] == "statistik" else None,
        "cara_pengumpulan_data": _label("cara_pengumpulan", pkg.get("cara_pengumpulan_data")),
        "sektor_kegiatan": _label("sektor", pkg["sektor_kegiatan"]),
        "theme": _label("sektor", pkg["sektor_kegiatan"]),
        "identitas_rekomendasi": pkg.get("identitas_rekomendasi"),
        "id_mskeg": pkg.get("id_mskeg"),
        "id_msind": pkg.get("id_msind"),
        "accessRights": {"terbuka": "publik", "terbatas": "terbatas", "tertutup": "tertutup"}[
            pkg["accesslevel"]
        ],
        "accrualPeriodicity": _label("frekuensi", pkg.get("frekuensi")),
        "jenis": _label("jenis_data", pkg["jenis"]),
        "ukuran": ukuran,
        "satuan": satuan,
        "kodereferensi": pkg.get("kodereferensi"),
        "interpretasi": pkg.get("interpretasi"),
        "metode_perhitungan": pkg.get("metode_perhitungan"),
        "rumus": pkg.get("rumus"),
        "level_estimasi": _label("level_estimasi", pkg.get("level_estimasi")),
        "i_instansi_penyelanggara": org["title"],
        "i_alamat": org.get("address") or None,
        "i_telepon": org.get("contact_phone") or None,
        "i_email": org.get("contact_email") or None,
        "ii_unit_eselon1": org["title"],
        "ii_pj_nama": person["nama"],
        "ii_pj_jabatan": person["jabatan"],
        "ii_pj_email": person["email"],
        "ii_pj_telepon": person.get("telepon") or None,
        "ii_pj_alamat": org.get("address") or None,
        "iii_latar_belakang_kegiatan": pkg.get("iii_latar_belakang_kegiatan"),
        "iii_tujuan_kegiatan": pkg.get("iii_tujuan_kegiatan"),
        "iv_kegiatan_ini_dilakukan": (
            None
            if not pkg.get("frekuensi")
            else "Hanya sekali"
            if pkg["frekuensi"] == "sekali"
            else "Berulang"
        ),
        "iv_frekuensi_penyelanggara": _label("frekuensi", pkg.get("frekuensi")),
        "iv_cakupan_wilayah_pengumpulan_data": "Sebagian Wilayah Indonesia",
        "iv_metode_pengumpulan_data": _label("metode_pengumpulan", pkg.get("iv_metode_pengumpulan_data")),
        "iv_unit_pengumpulan_data": _label("unit_statistik", pkg.get("iv_unit_pengumpulan_data")),
        "vii_metode_analisis": _label("metode_analisis", pkg.get("vii_metode_analisis")),
        "vii_unit_analisis": _label("unit_statistik", pkg.get("vii_unit_analisis")),
        "vii_tingkat_penyajian_hasil_analisis": _label("tingkat_penyajian", pkg.get("tingkat_penyajian")),
        "viii_ketersediaan_produk_digital": "Ya",
    }


def _pages(app) -> list[dict]:
    objects, page = [], 1
    while True:
        response = app.get(f"/dcat.json?page={page}")
        assert response.status_code == 200, response.body
        batch = response.json
        if not batch:
            return objects
        objects.extend(batch)
        page += 1


@pytest.fixture
def harvested(demo_catalogue, app, ckan_config, monkeypatch):
    """{name: (package_show, organization_show, what the national harvester made of it, the
    /dcat.json object)}, read page by page with small pages."""
    monkeypatch.setitem(ckan_config, "ckanext.dcat.datasets_per_page", 7)
    objects = _pages(app)
    by_uri = {obj["identifier"]: obj for obj in objects}
    assert len(by_uri) == len(objects), "a dataset was listed twice across pages"
    out = {}
    for obj in objects:
        pkg = helpers.call_action("package_show", id=obj["landingPage"].rsplit("/", 1)[-1])
        org = helpers.call_action("organization_show", id=pkg["owner_org"], include_datasets=False)
        out[pkg["name"]] = (pkg, org, national_dcat_to_ckan(obj), obj)
    return out


def test_dcat_json_lists_every_published_demo_dataset_once(demo_catalogue, harvested):
    assert sorted(harvested) == demo_catalogue


def test_every_mapped_field_of_every_demo_dataset_arrives_with_its_value(harvested):
    wrong = []
    for name, (pkg, org, package, _obj) in harvested.items():
        for key, want in expected(pkg, org).items():
            if package.get(key) != (want if want not in ("", []) else None):
                wrong.append((name, key, want, package.get(key)))
    assert wrong == []


def test_the_demo_fills_the_activity_sections_the_converter_reads(harvested):
    """At least one demo dataset carries MS-Keg blocks III, IV and VII, so the test above checks
    them with real values, the misspelled background key included."""
    filled = {
        key
        for _pkg, _org, package, _obj in harvested.values()
        for key in ("iii_latar_belakang_kegiatan", "iii_tujuan_kegiatan", "iv_metode_pengumpulan_data",
                    "iv_unit_pengumpulan_data", "vii_metode_analisis", "vii_unit_analisis", "judul_kegiatan")
        if package.get(key)
    }  # fmt: skip
    assert len(filled) == 7


def test_standard_keys_and_resources_arrive(harvested):
    for pkg, org, package, obj in harvested.values():
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert extras["guid"].endswith(pkg["id"]) or pkg["name"] in extras["guid"]
        assert extras["dcat_publisher_name"] == org["title"]
        assert extras["language"] == "id"
        assert dt.datetime.fromisoformat(extras["dcat_issued"]) <= dt.datetime.fromisoformat(
            extras["dcat_modified"]
        )
        assert sorted(t["name"] for t in package["tags"]) == sorted(t["name"] for t in pkg["tags"])
        assert [(r["name"], r["url"], r["format"]) for r in package["resources"]] == [
            (r["name"], r["url"], r["format"]) for r in pkg["resources"]
        ]
        assert obj["temporal"].startswith(str(pkg["periode_awal"]))
        assert obj["contactPoint"]["hasEmail"] == pkg["penanggung_jawab"][0]["email"]


def test_every_key_the_converter_reads_is_mapped_or_said_to_be_unfillable():
    contract = national.contract()
    read = set(CONVERTER_KEYS.values())
    written = set(contract["keys"])
    assert read - written - set(contract["not_filled"]) == set()
    assert set(contract["not_filled"]) & written == set()


def test_the_readme_table_names_every_national_key():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [key for key in national.contract()["keys"] if f"`{key}`" not in readme]
    assert missing == []


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestPublishedOnly:
    def test_drafts_and_withdrawn_datasets_are_not_listed_even_for_a_sysadmin(self, app):
        make_opd_org("dinkes")
        make_opd_org("diskominfo")
        published = create_dataset(name="terbit-json")
        publish(published["id"])
        create_dataset(name="draf-json")
        withdrawn = create_dataset(name="ditarik-json")
        publish(withdrawn["id"])
        site = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
        helpers.call_action("satudata_withdraw", context={"user": site}, id=withdrawn["id"], note="Salah")
        sysadmin = factories.SysadminWithToken()
        for headers in ({}, {"Authorization": sysadmin["token"]}):
            names = [o["landingPage"].rsplit("/", 1)[-1] for o in app.get("/dcat.json", headers=headers).json]
            assert names == ["terbit-json"]

    @pytest.mark.parametrize("query", ["page=0", "page=abc", "modified_since=kemarin"])
    def test_bad_paging_is_refused_not_a_server_error(self, app, query):
        response = app.get(f"/dcat.json?{query}")
        assert response.status_code == 409
