"""The Satu Data dataset schema through the action API, as an OPD's tools would use it.

Each bad input is refused with HTTP 409, an error on the field that names the problem in
Bahasa Indonesia (the portal's default) and in English (``/en/api/...``), and nothing saved.
"""

from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests import factories, helpers

from tests.conftest import example_dataset, make_opd_org

THIS_YEAR = dt.date.today().year
# The MS-Keg blocks a survey must describe (besides its Romantik number).
SURVEY_DESIGN = {
    "iii_latar_belakang_kegiatan": "Perlu ukuran mutu layanan",
    "iii_tujuan_kegiatan": "Mengukur kepuasan",
    "iv_metode_pengumpulan_data": ["wawancara", "observasi"],
    "iv_unit_pengumpulan_data": ["individu"],
    "vii_metode_analisis": "deskriptif",
    "vii_unit_analisis": ["individu"],
}


@pytest.fixture
def token(clean_db, clean_index, with_plugins):
    make_opd_org("dinkes")
    user = factories.Sysadmin()
    return factories.APIToken(user=user["name"])["token"]


def _create(app, token, lang="", **overrides):
    path = f"{'/' + lang if lang else ''}/api/3/action/package_create"
    return app.post(path, json=example_dataset(**overrides), headers={"Authorization": token})


def test_the_documented_example_is_accepted(app, token):
    res = _create(app, token)
    assert res.status_code == 200, res.json
    dataset = res.json["result"]
    assert dataset["kode_wilayah"] == ["64.71"]
    assert dataset["penanggung_jawab"][0]["jabatan"] == "Kepala Seksi"
    assert dataset["license_id"] == "cc-by"
    assert dataset["organization"]["name"] == "dinkes"


# field, overrides, Indonesian message part, English message part
INVALID = [
    ("title", {"title": ""}, "Wajib diisi", "Missing value"),
    ("notes", {"notes": ""}, "Wajib diisi", "Missing value"),
    ("sektor_kegiatan", {"sektor_kegiatan": "99"}, "bukan pilihan yang sah", "not an allowed value"),
    ("sektor_kegiatan", {"sektor_kegiatan": ""}, "Wajib diisi", "Missing value"),
    ("kode_urusan", {"kode_urusan": "9.99"}, "bukan pilihan yang sah", "not an allowed value"),
    ("kode_urusan", {"kode_urusan": "1.01"}, "tidak mengampu urusan 1.01", "does not hold urusan 1.01"),
    ("jenis", {"jenis": "rahasia"}, "bukan pilihan yang sah", "not an allowed value"),
    ("prioritas_tahun", {"prioritas_tahun": "20x5"}, "empat angka", "four digits"),
    ("prioritas_tahun", {"prioritas_tahun": str(THIS_YEAR + 2)}, "belum terjadi", "in the future"),
    ("konsep", {"konsep": ""}, "Wajib diisi", "Missing value"),
    ("definisi", {"definisi": ""}, "Wajib diisi", "Missing value"),
    ("ukuran", {"ukuran": "berat"}, "bukan pilihan yang sah", "not an allowed value"),
    ("ukuran_lainnya", {"ukuran": "lainnya"}, 'bila "Ukuran" = "Lainnya"', 'when "Measure" is "Lainnya"'),
    ("satuan", {"ukuran": "luas", "satuan": "orang"}, "tidak sesuai dengan ukuran", "does not fit measure"),
    ("satuan_lainnya", {"satuan": "lainnya"}, 'bila "Satuan" = "Lainnya"', 'when "Unit" is "Lainnya"'),
    ("level_estimasi", {"level_estimasi": "planet"}, "bukan pilihan yang sah", "not an allowed value"),
    ("indikator_pembangun", {"apakah_indikator_komposit": "ya"}, 'bila "Indikator Komposit?" = "Ya"', 'when "Composite indicator?" is "Yes"'),
    ("apakah_indikator_komposit", {"apakah_indikator_komposit": "mungkin"}, "bukan pilihan yang sah", "not an allowed value"),
    ("id_msind", {"id_msind": "abc def"}, "bukan ID INDAH", "not an INDAH id"),
    ("id_mskeg", {"id_mskeg": "12/34"}, "bukan ID INDAH", "not an INDAH id"),
    ("cara_pengumpulan_data", {"cara_pengumpulan_data": "tebakan"}, "bukan pilihan yang sah", "not an allowed value"),
    ("identitas_rekomendasi", {"cara_pengumpulan_data": "survei"}, "Romantik", "Romantik"),
    ("iii_latar_belakang_kegiatan", {"cara_pengumpulan_data": "survei"}, "Wajib untuk survei", "Required for a survey"),
    ("iii_tujuan_kegiatan", {"cara_pengumpulan_data": "survei"}, "Wajib untuk survei", "Required for a survey"),
    ("iv_metode_pengumpulan_data", {"cara_pengumpulan_data": "survei"}, "Wajib untuk survei", "Required for a survey"),
    ("iv_unit_pengumpulan_data", {"cara_pengumpulan_data": "survei"}, "Wajib untuk survei", "Required for a survey"),
    ("vii_metode_analisis", {"cara_pengumpulan_data": "survei"}, "Wajib untuk survei", "Required for a survey"),
    ("vii_unit_analisis", {"cara_pengumpulan_data": "survei"}, "Wajib untuk survei", "Required for a survey"),
    ("iv_metode_pengumpulan_data", {"iv_metode_pengumpulan_data": ["telepati"]}, "telepati", "telepati"),
    ("vii_metode_analisis", {"vii_metode_analisis": "ramalan"}, "bukan pilihan yang sah", "not an allowed value"),
    ("frekuensi", {"frekuensi": "kadang"}, "bukan pilihan yang sah", "not an allowed value"),
    ("periode_awal", {"periode_awal": "1800"}, "terlalu awal", "too early"),
    ("periode_awal", {"periode_awal": str(THIS_YEAR + 1), "periode_akhir": ""}, "belum terjadi", "in the future"),
    ("periode_awal", {"periode_awal": ""}, "Wajib diisi", "Missing value"),
    ("periode_akhir", {"periode_awal": "2024", "periode_akhir": "2022"}, "mendahului tahun awal", "before the first year"),
    ("tingkat_penyajian", {"tingkat_penyajian": "provinsi"}, "bukan pilihan yang sah", "not an allowed value"),
    ("kode_wilayah", {"kode_wilayah": ["64.72"]}, "bukan kode wilayah Kota Balikpapan", "not a region code of Kota Balikpapan"),
    ("kode_wilayah", {"kode_wilayah": ["64.71.05.1001"]}, "64.71.05.1001 tidak ada", "64.71.05.1001 does not exist"),
    ("kode_wilayah", {"tingkat_penyajian": "kecamatan", "kode_wilayah": ["64.71.01.1001"]}, "lebih rinci daripada tingkat penyajian", "finer than the level of presentation"),
    ("kode_wilayah", {"tingkat_penyajian": "kota", "kode_wilayah": ["64.71.01"]}, "lebih rinci", "finer"),
    ("kode_wilayah", {"kode_wilayah": []}, "Wajib diisi", "Missing value"),
    ("accesslevel", {"accesslevel": "rahasia"}, "bukan pilihan yang sah", "not an allowed value"),
    ("dasar_hukum_akses", {"accesslevel": "terbatas"}, "dasar hukum", "legal basis"),
    ("owner_org", {"owner_org": ""}, "Produsen Data", "organization must be provided"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "overrides", "message_id", "message_en"),
    INVALID,
    ids=[f"{f}-{i}" for i, (f, *_rest) in enumerate(INVALID)],
)
def test_bad_input_is_refused_naming_the_field_in_both_languages(
    app, token, field, overrides, message_id, message_en
):
    for lang, expected in (("", message_id), ("en", message_en)):
        res = _create(app, token, lang, **overrides)
        assert res.status_code == 409, res.json
        errors = res.json["error"]
        assert field in errors, errors
        assert any(expected in message for message in errors[field]), errors[field]
    # nothing half-saved
    assert helpers.call_action("package_list") == []


@pytest.mark.parametrize(
    ("field", "value", "message_id", "message_en"),
    [
        ("email", "bukan-email", "Format email bukan-email tidak valid", "not a valid format"),
        ("telepon", "abc", "bukan nomor telepon", "not a phone number"),
        ("nama", "", "Wajib diisi", "Missing value"),
    ],
)
def test_bad_contact_subfields_are_refused(app, token, field, value, message_id, message_en):
    contact = dict(example_dataset()["penanggung_jawab"][0], **{field: value})
    for lang, expected in (("", message_id), ("en", message_en)):
        res = _create(app, token, lang, penanggung_jawab=[contact])
        assert res.status_code == 409
        sub = res.json["error"]["penanggung_jawab"][0]
        assert any(expected in m for m in sub[field]), sub


def test_a_contact_is_required(app, token):
    for lang, expected in (
        ("", "sekurang-kurangnya satu penanggung jawab"),
        ("en", "at least one"),
    ):
        res = _create(app, token, lang, penanggung_jawab=[])
        assert res.status_code == 409
        assert expected in str(res.json["error"]["penanggung_jawab"])
    assert helpers.call_action("package_list") == []


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"ukuran": "lainnya", "ukuran_lainnya": "Kepadatan"}, ("ukuran_lainnya", "Kepadatan")),
        ({"satuan": "lainnya", "satuan_lainnya": "Jiwa/km2"}, ("satuan_lainnya", "Jiwa/km2")),
        ({"ukuran": "rasio", "satuan": "orang"}, ("satuan", "orang")),
        ({"cara_pengumpulan_data": "survei", "identitas_rekomendasi": "R-6471-2025-012", **SURVEY_DESIGN},
         ("identitas_rekomendasi", "R-6471-2025-012")),
        ({"cara_pengumpulan_data": "survei", "identitas_rekomendasi": "R-6471-2025-012", **SURVEY_DESIGN},
         ("iv_metode_pengumpulan_data", ["wawancara", "observasi"])),
        ({"iii_tujuan_kegiatan": "Mengukur kepuasan"}, ("iii_tujuan_kegiatan", "Mengukur kepuasan")),
        ({"accesslevel": "terbatas", "dasar_hukum_akses": "UU 27/2022 Pasal 4"},
         ("accesslevel", "terbatas")),
        ({"apakah_indikator_komposit": "ya", "indikator_pembangun": "IPM: UHH, RLS, HLS"},
         ("indikator_pembangun", "IPM: UHH, RLS, HLS")),
        ({"prioritas_tahun": str(THIS_YEAR + 1)}, ("prioritas_tahun", str(THIS_YEAR + 1))),
        ({"periode_akhir": ""}, ("periode_awal", "2021")),
        ({"tingkat_penyajian": "kecamatan", "kode_wilayah": "64.71.01, 64.71.02"},
         ("kode_wilayah", ["64.71.01", "64.71.02"])),
        ({"tingkat_penyajian": "kota", "kode_wilayah": ["64.71"]}, ("kode_wilayah", ["64.71"])),
        ({"tingkat_penyajian": "kelurahan", "kode_wilayah": ["64.71.05", "64.71.06.1003"]},
         ("kode_wilayah", ["64.71.05", "64.71.06.1003"])),
        ({"license_id": None}, ("license_id", "cc-by")),
        ({"id_msind": "IND-6471.001", "id_mskeg": "12345"}, ("id_mskeg", "12345")),
    ],
)  # fmt: skip
def test_valid_variations_are_accepted_and_stored(app, token, overrides, check):
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if "license_id" in check[0]:
        data = example_dataset()
        data.pop("license_id")
        res = app.post("/api/3/action/package_create", json=data, headers={"Authorization": token})
    else:
        res = _create(app, token, **overrides)
    assert res.status_code == 200, res.json
    field, value = check
    assert res.json["result"][field] == value


@pytest.mark.parametrize(
    ("period", "ok"),
    [
        ("2024", True),
        ("2024-03", True),
        ("2024-q2", True),
        ("2024-13", False),
        ("2024-Q5", False),
        ("24", False),
        (f"{THIS_YEAR + 1}-01", False),
    ],
)
def test_resource_period(app, token, period, ok):
    resources = [{"url": "https://data.balikpapan.go.id/dbd.csv", "format": "CSV", "periode": period}]
    res = _create(app, token, resources=resources)
    if ok:
        assert res.status_code == 200, res.json
        assert res.json["result"]["resources"][0]["periode"] == period.upper()
    else:
        assert res.status_code == 409
        assert "periode" in res.json["error"]["resources"][0]


def test_an_opd_without_recorded_urusan_is_not_checked(app, token):
    make_opd_org("bappeda-baru", title="Bappeda Baru", kind="badan", urusan=[])
    res = _create(app, token, owner_org="bappeda-baru", kode_urusan="5.01")
    assert res.status_code == 200, res.json


def test_an_update_is_validated_like_a_create(app, token):
    created = _create(app, token).json["result"]
    res = app.post(
        "/api/3/action/package_patch",
        json={"id": created["id"], "kode_wilayah": ["64.71.09"]},
        headers={"Authorization": token},
    )
    assert res.status_code == 409
    assert "kode_wilayah" in res.json["error"]
    assert helpers.call_action("package_show", id=created["id"])["kode_wilayah"] == ["64.71"]


@pytest.mark.parametrize(
    ("field", "overrides", "message_id", "message_en"),
    [
        ("name", {"name": "Judul Dengan Spasi"}, "huruf kecil", "lowercase alphanumeric"),
        ("name", {"name": "a"}, "lebih pendek dari batas minimum", "less than minimum"),
        (
            "jadwal_rilis",
            {"jadwal_rilis": "31-12-2027"},
            "Format tanggal salah",
            "Date format incorrect",
        ),
        (
            "tags",
            {"tags": [{"name": "dbd!"}]},
            "hanya boleh berisi huruf",
            "can only contain alphanumeric",
        ),
    ],
)
def test_core_fields_are_refused_in_both_languages(app, token, field, overrides, message_id, message_en):
    for lang, expected in (("", message_id), ("en", message_en)):
        res = _create(app, token, lang, **overrides)
        assert res.status_code == 409, res.json
        assert expected in str(res.json["error"][field]), res.json["error"]


def test_a_slug_in_use_is_refused(app, token):
    assert _create(app, token).status_code == 200
    for lang, expected in (("", "sudah dipakai"), ("en", "already in use")):
        res = _create(app, token, lang, title="Lain")
        assert res.status_code == 409
        assert expected in str(res.json["error"]["name"])
