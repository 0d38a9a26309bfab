"""Data requests in the web UI, as their users walk them.

A member of the public finds "Permohonan Data" in the menu, fills the form (mistakes are
explained in Indonesian next to each field), lands on the private link with the state and the
history; the public list and page show what was asked, never who asked; the walidata finds the
new request from the review queue, sends it to the OPD, and the OPD answers it with a dataset.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckanext.satudata_balikpapan.model import data_request as db
from tests.conftest import create_dataset, make_workflow_people, publish

FORM = {
    "name": "Budi Santoso",
    "email": "budi.santoso@example.org",
    "institution": "Universitas Balikpapan",
    "purpose": "Skripsi tentang gizi balita",
    "data_description": "Jumlah balita stunting per kelurahan",
    "period": "2020-2025",
    "area": "64.71.03",
    "organization": "",
    "website": "",
}


@pytest.fixture
def users(clean_db, clean_index, clean_queues):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _page(res) -> BeautifulSoup:
    assert res.status_code == 200, (res.status_code, res.body[:500])
    return BeautifulSoup(res.body, "html.parser")


def _submit(app, ip="198.51.100.20", **changes):
    return app.post("/permohonan-data/baru", data=dict(FORM, **changes), follow_redirects=False,
                    environ_base={"REMOTE_ADDR": ip})  # fmt: skip


def _submitted(app, **changes) -> str:
    res = _submit(app, **changes)
    assert res.status_code == 302, res.body[:1000]
    return res.headers["Location"]


def test_the_menu_leads_to_the_list_and_the_form(app, users):
    home = _page(app.get("/"))
    link = next(a for a in home.select("header a") if a.get_text(strip=True) == "Permohonan Data")
    assert link["href"].endswith("/permohonan-data")
    listing = _page(app.get("/permohonan-data"))
    assert listing.select_one("h1").get_text(strip=True) == "Permohonan Data"
    new = listing.select_one("a.satudata-request-new")
    assert new["href"].endswith("/permohonan-data/baru")


def test_the_form_has_the_agreed_fields_and_a_hidden_honeypot(app, users):
    form = _page(app.get("/permohonan-data/baru")).select_one("form#satudata-request-form")
    assert form["method"] == "post"
    names = {i["name"] for i in form.select("input, textarea, select") if i.get("name")}
    assert {
        "name",
        "email",
        "institution",
        "purpose",
        "data_description",
        "period",
        "area",
        "organization",
        "website",
    } <= names
    trap = form.select_one("input[name=website]")
    assert trap["autocomplete"] == "off" and trap["tabindex"] == "-1"
    assert "left:-10000px" in trap.find_parent("div")["style"]
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Kirim permohonan"
    # every OPD can be chosen, and so can "not sure"
    options = [o["value"] for o in form.select("select[name=organization] option")]
    assert options[0] == "" and {"dinkes", "disdukcapil", "diskominfo"} <= set(options)
    areas = {o["value"]: o.get_text(strip=True) for o in form.select("select[name=area] option")}
    assert areas["64.71.03"] == "64.71.03 Kec. Balikpapan Utara"


def test_a_request_sent_with_the_form_opens_its_private_link(app, users):
    # one client follows the redirect, keeping the session (and its flash message) as a browser does
    res = app.post("/permohonan-data/baru", data=dict(FORM, organization="dinkes"), follow_redirects=True,
                   environ_base={"REMOTE_ADDR": "198.51.100.20"})  # fmt: skip
    location = res.history[0].headers["Location"]
    assert "/permohonan-data/PD-" in location and "?token=" in location
    page = _page(res)
    assert res.headers["Referrer-Policy"] == "no-referrer" and "no-store" in res.headers["Cache-Control"]
    assert "Terima kasih: permohonan data Anda PD-" in page.get_text()
    article = page.select_one("article.satudata-request")
    assert article["data-state"] == "baru"
    assert page.select_one(".satudata-request-state").get_text(strip=True) == "Baru"
    assert page.select_one(".satudata-request-email").get_text(strip=True) == FORM["email"]
    assert page.select_one(".satudata-request-organization").get_text(strip=True) == "Dinas Kesehatan"
    history = page.select("#riwayat tbody tr")
    assert len(history) == 1 and "Diterima" in history[0].get_text()
    # the requester cannot steer the request
    assert page.select_one(".satudata-request-manage") is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Nama wajib diisi"),
        ({"email": "budi"}, "email", 'Email: "budi" bukan alamat email'),
        ({"purpose": " "}, "purpose", "Tujuan penggunaan data wajib diisi"),
        ({"data_description": ""}, "data_description", "Data yang diminta wajib diisi"),
        ({"area": "99.99"}, "area", 'Wilayah: "99.99" bukan wilayah Kota Balikpapan'),
        (
            {"organization": "tidak-ada"},
            "organization",
            'Perangkat Daerah pemegang data: "tidak-ada" tidak ada',
        ),
    ],
)
def test_a_mistake_is_explained_in_indonesian_next_to_its_field_and_nothing_is_saved(
    app, users, changes, field, message
):
    res = _submit(app, **changes)
    page = _page(res)
    block = page.select_one(f"#field-{field}").find_parent(class_="form-group")
    assert "error" in block["class"]
    assert message in block.select_one(".error-block").get_text()
    assert message in page.select_one(".error-explanation").get_text()
    # what was typed stays in the form
    if field != "name":
        assert page.select_one("#field-name")["value"] == FORM["name"]
    assert page.select_one("#field-data_description").get_text() == (
        changes.get("data_description", FORM["data_description"])
    )
    assert db.list_requests()[0] == 0


def test_every_missing_field_is_named_at_once_in_english_too(app, users):
    res = app.post("/en/permohonan-data/baru", data={"website": ""})
    summary = _page(res).select_one(".error-explanation").get_text()
    for message in (
        "Name is required",
        "Email is required",
        "Purpose of use is required",
        "Data requested is required",
    ):
        assert message in summary


def test_a_robot_filling_the_honeypot_sees_a_thank_you_and_nothing_is_stored(app, users):
    res = app.post(
        "/permohonan-data/baru", data=dict(FORM, website="http://spam.example"), follow_redirects=True
    )
    assert res.history[0].headers["Location"].endswith("/permohonan-data")
    assert "Terima kasih: permohonan data Anda telah diterima." in _page(res).get_text()
    assert db.list_requests()[0] == 0


def test_too_many_requests_are_explained(app, users, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.satudata.requests.rate_limit", 1)
    _submitted(app)
    page = _page(_submit(app, email="lain@example.org"))
    assert (
        "Terlalu banyak permohonan dari alamat jaringan Anda"
        in page.select_one(".satudata-rate-limit").get_text()
    )
    assert db.list_requests()[0] == 1


def test_the_public_sees_what_was_asked_never_who_asked(app, users):
    location = _submitted(app)
    reference = location.split("/permohonan-data/")[1].split("?")[0]
    for headers in ({}, users["warga"], users["produsen-dinkes"]):
        listing = app.get("/permohonan-data", headers=headers).body
        public = app.get(f"/permohonan-data/{reference}", headers=headers).body
        for body in (listing, public):
            assert reference in body and FORM["data_description"] in body
            for personal in ("Budi Santoso", FORM["email"], FORM["institution"], FORM["purpose"]):
                assert personal not in body
    # a wrong token shows the public part, and says so
    page = _page(app.get(f"/permohonan-data/{reference}?token=salah"))
    assert "Tautan pribadi ini tidak valid" in page.select_one(".satudata-bad-token").get_text()
    assert FORM["email"] not in str(page)
    # the list's row
    row = _page(app.get("/permohonan-data")).select_one(f"tr[data-reference={reference}]")
    assert "Baru" in row.get_text() and "Kec. Balikpapan Utara" in row.get_text()


def test_an_unknown_request_is_not_found(app, users):
    assert app.get("/permohonan-data/PD-1999-0001").status_code == 404


def test_the_walidata_finds_new_requests_from_the_queue_and_sees_the_contact(app, users):
    _submitted(app)
    queue = _page(app.get("/verifikasi/antrean", headers=users["walidata"]))
    link = queue.select_one(".satudata-request-count a")
    assert link.get_text(strip=True) == "Permohonan data baru: 1"
    listing = _page(app.get(link["href"], headers=users["walidata"]))
    assert FORM["email"] in listing.select_one("td.satudata-request-contact").get_text()
    # others have no such line on their queue
    assert (
        _page(app.get("/verifikasi/antrean", headers=users["pembina-bps"])).select_one(
            ".satudata-request-count"
        )
        is None
    )


def test_the_walidata_assigns_and_the_opd_answers_with_a_dataset(app, users):
    reference = _submitted(app).split("/permohonan-data/")[1].split("?")[0]
    walidata, clerk = users["walidata"], users["produsen-dinkes"]

    page = _page(app.get(f"/permohonan-data/{reference}", headers=walidata))
    assert page.select_one(".satudata-request-email").get_text(strip=True) == FORM["email"]
    assert [o["value"] for o in page.select("form.satudata-request-status select[name=state] option")] == [
        "",
        "diproses",
        "dipenuhi",
        "ditolak",
    ]
    assert page.select_one("form.satudata-request-assign")

    # the OPD sees nothing to do before the request is assigned to it
    assert (
        _page(app.get(f"/permohonan-data/{reference}", headers=clerk)).select_one(".satudata-request-manage")
        is None
    )
    res = app.post(f"/permohonan-data/{reference}/tugaskan", data={"organization": "dinkes", "note": "Mohon dibantu"},
                   headers=walidata, follow_redirects=True)  # fmt: skip
    assert res.history[0].status_code == 302
    assert f"Permohonan {reference} ditugaskan kepada Dinas Kesehatan" in _page(res).get_text()

    page = _page(app.get(f"/permohonan-data/{reference}", headers=clerk))
    assert page.select_one(".satudata-request-email").get_text(strip=True) == FORM["email"]
    assert page.select_one("form.satudata-request-assign") is None  # only the walidata assigns
    res = app.post(f"/permohonan-data/{reference}/status", data={"state": "diproses", "reason": "Sedang disusun"},
                   headers=clerk, follow_redirects=False)  # fmt: skip
    assert res.status_code == 302

    # fulfilling needs a published dataset: the error is shown on the field, nothing changes
    dataset = create_dataset(user="produsen-dinkes", name="stunting-balita")
    page = _page(
        app.post(
            f"/permohonan-data/{reference}/status",
            data={"state": "dipenuhi", "dataset": "stunting-balita"},
            headers=clerk,
        )
    )
    block = page.select_one("#field-dataset").find_parent(class_="form-group")
    assert "belum terbit" in block.select_one(".error-block").get_text()
    assert page.select_one("#field-dataset")["value"] == "stunting-balita"
    assert db.get_request(reference)["state"] == "diproses"

    publish(dataset["id"])
    res = app.post(f"/permohonan-data/{reference}/status", data={"state": "dipenuhi", "dataset": "stunting-balita"},
                   headers=clerk, follow_redirects=False)  # fmt: skip
    assert res.status_code == 302
    page = _page(app.get(f"/permohonan-data/{reference}"))
    assert page.select_one("article.satudata-request")["data-state"] == "dipenuhi"
    assert page.select_one(".satudata-request-dataset a")["href"].endswith("/dataset/stunting-balita")
    steps = [r.select("td")[2].get_text(" ", strip=True) for r in page.select("#riwayat tbody tr")]
    assert steps == ["Baru", "Baru", "Baru → Diproses", "Diproses → Dipenuhi"]
    assert page.select_one(".satudata-request-manage") is None  # final, and the public anyway
    # the public history tells which role acted, not who, and no notes
    assert "produsen-dinkes" not in page.get_text() and "Sedang disusun" not in page.get_text()


def test_a_rejection_without_reason_is_explained(app, users):
    reference = _submitted(app).split("/permohonan-data/")[1].split("?")[0]
    page = _page(
        app.post(
            f"/permohonan-data/{reference}/status",
            data={"state": "ditolak", "reason": ""},
            headers=users["walidata"],
        )
    )
    assert (
        "Alasan wajib diisi untuk menolak permohonan"
        in page.select_one("#field-reason").find_parent(class_="form-group").get_text()
    )
    assert db.get_request(reference)["state"] == "baru"


def test_only_the_people_who_handle_a_request_may_steer_it(app, users):
    reference = _submitted(app).split("/permohonan-data/")[1].split("?")[0]
    for headers in ({}, users["warga"], users["produsen-dinkes"]):
        assert (
            app.post(
                f"/permohonan-data/{reference}/status", data={"state": "diproses"}, headers=headers
            ).status_code
            == 403
        )
        assert (
            app.post(
                f"/permohonan-data/{reference}/tugaskan", data={"organization": "dinkes"}, headers=headers
            ).status_code
            == 403
        )
    assert db.get_request(reference)["state"] == "baru"
    assert (
        app.post(
            "/permohonan-data/PD-1999-0001/status", data={"state": "diproses"}, headers=users["walidata"]
        ).status_code
        == 404
    )


def test_odd_addresses_get_an_answer_never_a_server_error(app, users):
    assert app.get("/permohonan-data/PD-2026-%00").status_code == 404
    assert app.get("/permohonan-data?page=99999999999999999999999").status_code == 200
    assert app.get("/permohonan-data?page=x&state=selesai").status_code == 200
    page = _page(app.get("/permohonan-data?organization=%00"))
    assert "tidak ada" in page.select_one(".alert-danger").get_text()
    assert app.get("/permohonan-data/baru/status").status_code in (404, 405)
    res = _submit(app, name="A" * 100_000, email="\x00", website="")
    assert res.status_code == 200 and "terlalu panjang" in res.body


def test_the_form_can_start_with_an_opd_chosen(app, users):
    form = _page(app.get("/permohonan-data/baru?organization=dinkes"))
    assert form.select_one("select[name=organization] option[selected]")["value"] == "dinkes"
