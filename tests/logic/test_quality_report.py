"""The quality actions: ``satudata_quality_report`` (one dataset's score, breakdown and
findings) and ``satudata_opd_scorecard`` (one OPD or all, ranked).

The scorecard numbers are checked against numbers computed by hand from the weights of
``data/quality_weights.yaml`` (total: kelengkapan 30, ketepatan waktu 20, keterbukaan 20,
validitas 30; see tests/quality/test_scores.py for the rules), on a fixed day. The public
scorecard never reveals an unpublished dataset, not even by its number.
"""

from __future__ import annotations

import io
import json

import pytest
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.portal import scorecards
from tests.conftest import create_dataset, make_workflow_people, publish

DAY = "2026-06-01"
SECRET = "draf-rahasia-dinkes"


def _link(dataset_id: str, url: str, fmt: str, periode: str) -> dict:
    site_user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    return helpers.call_action(
        "resource_create", context={"ignore_auth": True, "user": site_user}, package_id=dataset_id,
        url=url, name=url.rsplit("/", 1)[-1], format=fmt, periode=periode,
    )  # fmt: skip


# A table of DBD cases per kecamatan whose third row has "1O" (letter O) for a number.
BROKEN_CSV = (
    b"kode_wilayah,nama_wilayah,tahun,jumlah\n"
    b"64.71.01,Balikpapan Timur,2025,12\n"
    b"64.71.02,Balikpapan Barat,2025,1O\n"
    b"64.71.03,Balikpapan Utara,2025,7\n"
)
CONFIRMED_SCHEMA = {
    "fields": [
        {"name": "kode_wilayah", "type": "string", "satudata:role": "region"},
        {"name": "nama_wilayah", "type": "string", "satudata:role": "label"},
        {"name": "tahun", "type": "year", "satudata:role": "period"},
        {"name": "jumlah", "type": "integer", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["kode_wilayah", "tahun"],
}


def upload_broken_csv(dataset_id: str) -> dict:
    """Upload BROKEN_CSV with a confirmed schema: the pipeline checks it at once."""
    site_user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    return helpers.call_action(
        "resource_create", context={"ignore_auth": True, "user": site_user}, package_id=dataset_id,
        url="dbd-2025.csv", name="dbd-2025.csv", format="CSV", periode="2025",
        schema=json.dumps(CONFIRMED_SCHEMA), upload=FileStorage(io.BytesIO(BROKEN_CSV), filename="dbd-2025.csv"),
    )  # fmt: skip


@pytest.fixture
def quality_portal(clean_db, clean_index):
    """Dinkes: "kasus-dbd" published with a PDF, "penduduk-lama" published and late, and a
    draft only the OPD and the walidata may see; Disdukcapil: one published dataset;
    Diskominfo: nothing published. Returns the API tokens of the workflow people.

    The documented example's metadata lack only the MS-Keg and MS-Ind IDs (statistical
    data), so by principle: standar data 100, metadata 16/18 = 88.89, kode referensi 100.
    """
    tokens = make_workflow_people()
    dbd = create_dataset(name="kasus-dbd", title="Kasus DBD per Kelurahan")
    _link(dbd["id"], "http://example.org/laporan-dbd-2025.pdf", "PDF", "2025")
    publish(dbd["id"])
    old = create_dataset(
        name="penduduk-lama", title="Penduduk Lama", periode_awal="2019", periode_akhir="2022"
    )
    publish(old["id"])
    create_dataset(user="produsen-dinkes", name=SECRET, title="Data Rahasia Belum Terbit")
    capil = create_dataset(
        name="penduduk-kecamatan", title="Penduduk per Kecamatan", owner_org="disdukcapil",
        sektor_kegiatan="2", kode_urusan="2.12", satuan="orang", tingkat_penyajian="kecamatan",
    )  # fmt: skip
    publish(capil["id"])
    return tokens


def _api(app, action: str, token: str | None = None, status: int = 200, **params):
    headers = {"Authorization": token} if token else {}
    res = app.get(f"/api/3/action/{action}", query_string=params, headers=headers)
    assert res.status_code == status, res.body
    return res.json.get("result") if status == 200 else res.json


def test_the_report_of_a_dataset_gives_its_score_breakdown_and_findings(app, quality_portal):
    report = _api(app, "satudata_quality_report", id="kasus-dbd", date=DAY)
    parts = {k: v["score"] for k, v in report["breakdown"].items()}
    # kelengkapan: interoperabilitas of one PDF with format and period: (0*2 + 0*2 + 1 + 1) / 6
    # = 33.33; (100 + 88.89 + 33.33 + 100) / 4 = 80.56
    assert parts["kelengkapan"] == 81
    # periode_akhir 2025, tahunan: the 2026 figures are due by 2027-03-31
    assert parts["ketepatan_waktu"] == 100
    # one PDF: 33 points
    assert parts["keterbukaan"] == 33
    # a PDF is not checked: validity is not assessed
    assert parts["validitas"] is None
    # (30*81 + 20*100 + 20*33) / 70 = 5090 / 70 = 72.71
    assert report["score"] == 73
    assert report["findings"] == [] and report["counts"] == {"errors": 0, "warnings": 0}
    assert report["breakdown"]["kelengkapan"]["detail"]["principles"]["metadata"]["missing"] == [
        "id_mskeg", "id_msind",
    ]  # fmt: skip


def test_the_report_lists_each_finding_with_its_location_and_message(app, quality_portal):
    dataset = create_dataset(name="dbd-kecamatan", title="Kasus DBD per Kecamatan")
    resource = upload_broken_csv(dataset["id"])
    report = _api(app, "satudata_quality_report", quality_portal["walidata"], id="dbd-kecamatan", date=DAY)
    assert report["counts"] == {"errors": 1, "warnings": 0}
    [finding] = report["findings"]
    assert (finding["code"], finding["severity"]) == ("type_error", "error")
    # the header is row 1: Balikpapan Barat's row is row 3
    assert finding["location"] == {
        "resource": {"id": resource["id"], "name": "dbd-2025.csv"}, "sheet": None, "row": 3, "column": "jumlah",
    }  # fmt: skip
    assert finding["message"] == {
        "id": 'Baris 3, kolom "jumlah": nilai "1O" bukan bilangan bulat',
        "en": 'Row 3, column "jumlah": value "1O" is not a whole number',
    }
    parts = {k: v["score"] for k, v in report["breakdown"].items()}
    # kelengkapan: interoperabilitas 100 (a CSV with a confirmed schema, format and period):
    # (100 + 88.89 + 100 + 100) / 4 = 97.22
    assert parts == {"kelengkapan": 97, "ketepatan_waktu": 100, "keterbukaan": 100, "validitas": 75}
    # (30*97 + 20*100 + 20*100 + 30*75) / 100 = 91.6
    assert report["score"] == 92


def test_a_late_dataset_loses_its_timeliness(app, quality_portal):
    report = _api(app, "satudata_quality_report", id="penduduk-lama", date=DAY)
    timely = report["breakdown"]["ketepatan_waktu"]
    # last period 2022: the 2023 figures were due by 2024-03-31, 792 days before 2026-06-01
    assert timely["detail"]["expected_by"] == "2024-03-31" and timely["detail"]["days_late"] == 792
    assert timely["score"] == 0
    # no file: interoperabilitas 0: (100 + 88.89 + 0 + 100) / 4 = 72.22; openness 0;
    # (30*72 + 20*0 + 20*0) / 70 = 30.86
    assert report["breakdown"]["kelengkapan"]["score"] == 72
    assert report["score"] == 31


def test_the_report_follows_who_may_read_the_dataset(app, quality_portal):
    tokens = quality_portal
    _api(app, "satudata_quality_report", status=403, id=SECRET)
    _api(app, "satudata_quality_report", tokens["warga"], status=403, id=SECRET)
    _api(app, "satudata_quality_report", tokens["produsen-disdukcapil"], status=403, id=SECRET)
    for reader in ("produsen-dinkes", "walidata", "admin"):
        assert _api(app, "satudata_quality_report", tokens[reader], id=SECRET)["score"] is not None
    _api(app, "satudata_quality_report", status=404, id="tidak-ada")
    _api(app, "satudata_quality_report", status=409, id="kasus-dbd", date="kemarin")


def test_the_public_scorecard_of_an_opd_counts_its_published_datasets(app, quality_portal):
    card = _api(app, "satudata_opd_scorecard", id="dinkes", date=DAY)
    assert card["full"] is False
    published = card["published"]
    # kasus-dbd 73 and penduduk-lama 31: (73 + 31) / 2 = 52
    assert (published["count"], published["score"], published["late"]) == (2, 52, 1)
    # kelengkapan (81 + 72) / 2 = 76.5; ketepatan (100 + 0) / 2; keterbukaan (33 + 0) / 2 = 16.5
    assert published["parts"] == {
        "kelengkapan": 77,
        "ketepatan_waktu": 50,
        "keterbukaan": 17,
        "validitas": None,
    }
    assert [d["name"] for d in card["datasets"]] == ["penduduk-lama", "kasus-dbd"]
    assert "all" not in card and "by_state" not in card
    assert SECRET not in json.dumps(card) and "Rahasia" not in json.dumps(card)


def test_the_walidata_and_the_opd_itself_see_every_dataset_by_state(app, quality_portal):
    tokens = quality_portal
    for viewer in ("walidata", "admin", "produsen-dinkes"):
        card = _api(app, "satudata_opd_scorecard", tokens[viewer], id="dinkes", date=DAY)
        assert card["full"] is True, viewer
        assert card["by_state"] == {"draft": 1, "diajukan": 0, "dikembalikan": 0, "terbit": 2, "ditarik": 0}
        # the draft: no file, on time (2025 like the example): (30*72 + 20*100 + 20*0) / 70 = 59.43;
        # all three: (73 + 31 + 59) / 3 = 54.33
        assert (card["all"]["count"], card["all"]["score"]) == (3, 54)
        assert card["published"]["score"] == 52  # the same as the public's
        assert SECRET in {d["name"] for d in card["datasets"]}
    # another OPD's producer sees Dinkes as the public does, and may not ask for more
    card = _api(app, "satudata_opd_scorecard", tokens["produsen-disdukcapil"], id="dinkes")
    assert card["full"] is False and SECRET not in json.dumps(card)
    _api(app, "satudata_opd_scorecard", tokens["produsen-disdukcapil"], status=403, id="dinkes", full="true")
    _api(app, "satudata_opd_scorecard", status=403, full="true")
    # the walidata may ask for the public variant
    card = _api(app, "satudata_opd_scorecard", tokens["walidata"], id="dinkes", full="false")
    assert card["full"] is False and "by_state" not in card


def test_every_opd_ranked(app, quality_portal):
    tokens = quality_portal
    public = _api(app, "satudata_opd_scorecard", date=DAY)
    assert public["variant"] == "publik"
    ranked = [(c["name"], c["rank"], c["published"]["score"]) for c in public["results"]]
    # Disdukcapil: one dataset without files, on time: 59; Dinkes 52; Diskominfo nothing published
    assert ranked == [("disdukcapil", 1, 59), ("dinkes", 2, 52), ("diskominfo", None, None)]
    # the city: (73 + 31 + 59) / 3 = 54.33; one late dataset
    assert (public["summary"]["published"]["count"], public["summary"]["published"]["score"]) == (3, 54)
    assert public["summary"]["published"]["late"] == 1
    assert "by_state" not in json.dumps(public) and SECRET not in json.dumps(public)

    full = _api(app, "satudata_opd_scorecard", tokens["walidata"], date=DAY)
    assert full["variant"] == "lengkap"
    dinkes = next(c for c in full["results"] if c["name"] == "dinkes")
    assert dinkes["by_state"]["draft"] == 1 and dinkes["all"]["count"] == 3
    assert full["summary"]["all"]["count"] == 4
    # an OPD's producer gets the public ranking (the full one is per OPD)
    assert _api(app, "satudata_opd_scorecard", tokens["produsen-dinkes"])["variant"] == "publik"


def test_bad_input_is_named_never_a_server_error(app, quality_portal):
    _api(app, "satudata_opd_scorecard", status=404, id="tidak-ada")
    _api(app, "satudata_opd_scorecard", status=409, id="dinkes", full="mungkin")
    _api(app, "satudata_quality_report", status=409)
    for action in ("satudata_opd_scorecard", "satudata_quality_report"):
        res = app.post(f"/api/3/action/{action}", json={"id": ["dinkes"]})
        assert res.status_code == 409 and "id" in res.json["error"], res.body


def test_publications_per_month_count_only_published_datasets_for_the_public(app, quality_portal):
    before = _api(app, "satudata_opd_scorecard")["summary"]["published"]["count"]
    # three datasets were published this month; the walidata withdraws one
    helpers.call_action("satudata_withdraw", context={"user": "admin"}, id="penduduk-lama", note="Salah")
    # the ranking, kept for a while, is computed afresh at once
    assert (before, _api(app, "satudata_opd_scorecard")["summary"]["published"]["count"]) == (3, 2)
    public = scorecards.published_per_month(full=False)
    full = scorecards.published_per_month(full=True)
    assert len(public) == 12 and public[-1][0] == full[-1][0]
    assert (public[-1][1], full[-1][1]) == (2, 3)
    assert sum(n for _, n in public[:-1]) == 0
    # the withdrawn dataset leaves the public scorecard altogether
    card = _api(app, "satudata_opd_scorecard", id="dinkes", date=DAY)
    assert card["published"]["count"] == 1 and "penduduk-lama" not in json.dumps(card)
