"""The Daftar Data through the API, as the walidata enters it and the OPDs fulfil it: only
the walidata changes the plan, bad input is refused by field in Indonesian with nothing
stored, a dataset links to its own OPD's item, the status follows the dataset through the
workflow and the release date, and the public is told the counts without the drafts' titles."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.lib import clock
from ckanext.satudata_balikpapan.model import daftar_data as db
from tests.conftest import TEST_OVERRIDE_REASON, create_dataset, example_dataset, make_workflow_people

TODAY = dt.date.today()
YEAR = TODAY.year
ITEM = {
    "year": YEAR,
    "organization": "dinkes",
    "title": "Jumlah Kasus DBD per Kelurahan",
    "prioritas": True,
    "kriteria_prioritas": "spm",
    "sektor_kegiatan": "9",
    "frekuensi": "tahunan",
    "konsep": "Demam berdarah dengue adalah penyakit yang ditularkan nyamuk Aedes.",
    "satuan": "kasus",
}


@pytest.fixture
def people(clean_db, clean_index, clean_queues):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _api(app, action, data=None, headers=None, lang=""):
    return app.post(f"{lang}/api/3/action/{action}", json=data or {}, headers=headers or {})


def _ok(res):
    assert res.status_code == 200, res.body
    return res.json["result"]


def _item(app, people, **overrides):
    return _ok(_api(app, "satudata_daftar_data_create", dict(ITEM, **overrides), people["walidata"]))


def _rows() -> int:
    return model.Session.execute(sa.select(sa.func.count()).select_from(db.daftar_data)).scalar()


def _step(app, people, who, action, dataset_id, **extra):
    return _ok(_api(app, action, dict(extra, id=dataset_id), people[who]))


def test_the_walidata_adds_an_item_and_it_starts_with_no_dataset(app, people):
    item = _item(app, people, jadwal_rilis=f"{YEAR}-12-31")

    assert (item["status"], item["status_label"]) == ("belum_ada", "Belum ada")
    assert item["organization"]["name"] == "dinkes"
    assert item["prioritas"] is True and item["kriteria_prioritas_label"] == "Standar Pelayanan Minimal (SPM)"
    assert item["jadwal_rilis"] == f"{YEAR}-12-31" and item["datasets"] == []
    shown = _ok(_api(app, "satudata_daftar_data_show", {"id": item["id"]}))  # anonymous: the plan is public
    assert shown["title"] == ITEM["title"]


@pytest.mark.parametrize("who", ["anonim", "warga", "produsen-dinkes", "pembina-bps"])
def test_only_the_walidata_changes_the_plan(app, people, who):
    headers = people.get(who, {})
    res = _api(app, "satudata_daftar_data_create", ITEM, headers)

    assert res.status_code == 403
    assert "walidata" in res.json["error"]["message"]
    assert _rows() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", "duaribu", 'Tahun: "duaribu" bukan tahun antara 2000 dan 2100'),
        ("organization", "dinas-tidak-ada", 'Perangkat Daerah: "dinas-tidak-ada" tidak ada'),
        ("title", "", "Judul wajib diisi"),
        ("frekuensi", "kadang-kadang", 'Frekuensi Penerbitan: "kadang-kadang" bukan salah satu pilihan'),
        ("jadwal_rilis", "31/06/2026", 'Jadwal Rilis: "31/06/2026" bukan tanggal; tulis seperti 2026-06-30'),
        ("jadwal_rilis", f"{YEAR + 3}-01-01", "di luar tahun daftar"),
    ],
)
def test_bad_input_is_refused_by_field_in_indonesian_and_nothing_is_stored(
    app, people, field, value, message
):
    res = _api(app, "satudata_daftar_data_create", dict(ITEM, **{field: value}), people["walidata"])

    assert res.status_code == 409
    assert message in " ".join(res.json["error"][field])
    assert _rows() == 0


def test_the_errors_speak_english_on_request(app, people):
    res = _api(app, "satudata_daftar_data_create", dict(ITEM, title=""), people["walidata"], lang="/en")
    assert res.json["error"]["title"] == ["Title is required"]


def test_an_office_lists_a_title_once_a_year(app, people):
    _item(app, people)
    res = _api(
        app, "satudata_daftar_data_create", dict(ITEM, title=ITEM["title"].upper()), people["walidata"]
    )

    assert res.status_code == 409
    assert "sudah memiliki butir" in res.json["error"]["title"][0]
    assert _item(app, people, year=YEAR + 1)["year"] == YEAR + 1  # next year's list is another list


def test_the_status_follows_the_dataset_through_the_workflow(app, people):
    item = _item(app, people, jadwal_rilis=f"{YEAR + 1}-06-30")
    dataset = create_dataset(user="produsen-dinkes", daftar_data=item["id"], prioritas_tahun="")

    def status():
        return _ok(_api(app, "satudata_daftar_data_show", {"id": item["id"]}, people["walidata"]))

    assert (status()["status"], status()["datasets"][0]["id"]) == ("draft", dataset["id"])
    assert dataset["prioritas_tahun"] == str(YEAR)  # a Data Prioritas item gives the dataset its year
    _step(app, people, "produsen-dinkes", "satudata_submit", dataset["id"])
    assert status()["status"] == "diajukan"
    _step(app, people, "walidata", "satudata_return", dataset["id"], note="Lengkapi metadata")
    assert status()["status"] == "draft"
    _step(app, people, "produsen-dinkes", "satudata_submit", dataset["id"])
    _step(app, people, "walidata", "satudata_publish", dataset["id"], override_reason=TEST_OVERRIDE_REASON)
    published = status()
    assert (published["status"], published["on_time"], published["published_on"]) == (
        "terbit", True, clock.today().isoformat()
    )  # fmt: skip
    _step(app, people, "walidata", "satudata_withdraw", dataset["id"], note="Angka salah")
    assert status()["status"] == "draft"


def test_past_its_release_date_an_unpublished_item_is_late_and_published_late_stays_marked(app, people):
    item = _item(app, people, year=YEAR - 1, jadwal_rilis=f"{YEAR - 1}-01-31")
    assert item["status"] == "terlambat" and item["late"]
    dataset = create_dataset(user="produsen-dinkes", daftar_data=item["id"])
    _step(app, people, "produsen-dinkes", "satudata_submit", dataset["id"])
    shown = _ok(_api(app, "satudata_daftar_data_show", {"id": item["id"]}))
    assert (shown["status"], shown["stage"]) == ("terlambat", "diajukan")
    _step(app, people, "walidata", "satudata_publish", dataset["id"], override_reason=TEST_OVERRIDE_REASON)

    shown = _ok(_api(app, "satudata_daftar_data_show", {"id": item["id"]}))
    assert (shown["status"], shown["on_time"], shown["late"]) == ("terbit", False, True)


def test_a_dataset_links_only_to_an_item_of_its_own_opd(app, people):
    item = _item(app, people, organization="disdukcapil", title="Jumlah Penduduk")
    res = app.post(
        "/api/3/action/package_create",
        json=example_dataset(name="dbd-salah-opd", daftar_data=item["id"]),
        headers=people["produsen-dinkes"],
    )

    assert res.status_code == 409
    assert "milik Dinas Kependudukan dan Pencatatan Sipil" in res.json["error"]["daftar_data"][0]
    assert model.Package.get("dbd-salah-opd") is None


def test_the_public_sees_the_counts_but_not_the_title_of_a_draft(app, people):
    promised = _item(app, people, jadwal_rilis=f"{YEAR + 1}-06-30")
    _item(app, people, title="Cakupan Imunisasi Dasar Lengkap", prioritas=False, kriteria_prioritas="")
    draft = create_dataset(
        user="produsen-dinkes", name="draf-rahasia", title="Draf Rahasia DBD", daftar_data=promised["id"]
    )

    public = _ok(_api(app, "satudata_daftar_data_list", {"year": YEAR}))
    entry = next(r for r in public["results"] if r["id"] == promised["id"])
    assert (entry["status"], entry["datasets"], entry["datasets_count"]) == ("draft", [], 1)
    assert "Draf Rahasia" not in str(public)
    walidata = _ok(_api(app, "satudata_daftar_data_list", {"year": YEAR}, people["walidata"]))
    assert draft["id"] in str(walidata)
    assert public["summary"]["total"] == {
        "promised": 2, "prioritas": 1, "published": 0, "on_time": 0, "dated_published": 0, "late": 0,
        "fulfilment": 0.0, "on_time_share": None,
    }  # fmt: skip
    only = _ok(_api(app, "satudata_daftar_data_list", {"year": YEAR, "prioritas": True, "status": "draft"}))
    assert [r["id"] for r in only["results"]] == [promised["id"]]


def test_an_item_that_datasets_fulfil_cannot_be_removed_or_moved(app, people):
    item = _item(app, people)
    create_dataset(user="produsen-dinkes", daftar_data=item["id"])

    res = _api(app, "satudata_daftar_data_delete", {"id": item["id"]}, people["walidata"])
    assert res.status_code == 409 and "lepaskan" in res.json["error"]["id"][0]
    res = _api(
        app,
        "satudata_daftar_data_update",
        {"id": item["id"], "organization": "disdukcapil"},
        people["walidata"],
    )
    assert res.status_code == 409 and "organization" in res.json["error"]
    assert db.get_item(item["id"])["organization_id"] == model.Group.get("dinkes").id


def test_an_update_changes_only_what_is_given_and_clears_what_is_emptied(app, people):
    item = _item(app, people, jadwal_rilis=f"{YEAR}-09-30", catatan="Menunggu survei")
    changed = _ok(
        _api(app, "satudata_daftar_data_update", {"id": item["id"], "title": "Kasus DBD menurut Kelurahan",
                                                  "catatan": ""}, people["walidata"])
    )  # fmt: skip

    assert changed["title"] == "Kasus DBD menurut Kelurahan" and changed["catatan"] is None
    assert (changed["jadwal_rilis"], changed["frekuensi"]) == (f"{YEAR}-09-30", "tahunan")
    assert _ok(_api(app, "satudata_daftar_data_delete", {"id": item["id"]}, people["walidata"]))["deleted"]
    assert _api(app, "satudata_daftar_data_show", {"id": item["id"]}).status_code == 404


def test_an_item_whose_dataset_was_purged_can_be_removed(app, people):
    item = _item(app, people)
    dataset = create_dataset(user="produsen-dinkes", daftar_data=item["id"])
    assert _api(app, "satudata_daftar_data_delete", {"id": item["id"]}, people["walidata"]).status_code == 409

    assert _api(app, "dataset_purge", {"id": dataset["id"]}, people["admin"]).status_code == 200

    assert _ok(_api(app, "satudata_daftar_data_delete", {"id": item["id"]}, people["walidata"]))["deleted"]


def test_a_dataset_harvested_from_another_portal_keeps_its_data_but_not_that_portals_item(app, people):
    # the site user writes for harvests and migrations: another portal's item id is dropped
    dataset = create_dataset(name="dbd-dari-portal-lain", daftar_data="item-portal-lain")

    assert dataset["daftar_data"] in ("", None)
    assert db.item_of(dataset["id"]) is None
    res = app.post("/api/3/action/package_create", headers=people["produsen-dinkes"],
                   json=example_dataset(name="dbd-ketik-sendiri", daftar_data="item-portal-lain"))  # fmt: skip
    assert res.status_code == 409 and "tidak ada" in res.json["error"]["daftar_data"][0]
