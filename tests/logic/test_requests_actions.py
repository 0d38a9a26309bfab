"""Data request actions through the API, as the public, the walidata and the OPDs use them:
personal data never reach the public, spam is held off, the states follow their rules, each
step is recorded, and the requester and the staff are told by e-mail (through Redis, a job and
a real SMTP server)."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import ckan.lib.jobs as jobs
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.data_requests import service as dr
from ckanext.satudata_balikpapan.model import data_request as db
from tests.conftest import create_dataset, free_port, make_workflow_people, publish, run_queued_jobs

ROOT = Path(__file__).resolve().parents[2]

REQUEST = {
    "name": "Budi Santoso",
    "email": "budi.santoso@example.org",
    "institution": "Universitas Balikpapan",
    "purpose": "Skripsi tentang gizi balita",
    "data_description": "Jumlah balita stunting per kelurahan",
    "period": "2020-2025",
    "area": "64.71.03",
}
PERSONAL = (
    "Budi Santoso",
    "budi.santoso@example.org",
    "Universitas Balikpapan",
    "Skripsi tentang gizi balita",
)


@pytest.fixture
def people(clean_db, clean_index, clean_queues):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _api(app, action, data=None, headers=None, lang="", method="post", **kwargs):
    url = f"{lang}/api/3/action/{action}"
    if method == "get":
        return app.get(url, query_string=data or {}, headers=headers or {}, **kwargs)
    return app.post(url, json=data or {}, headers=headers or {}, **kwargs)


def _create(app, headers=None, ip="198.51.100.10", **overrides):
    res = _api(app, "satudata_request_create", dict(REQUEST, **overrides), headers,
               environ_base={"REMOTE_ADDR": ip})  # fmt: skip
    return res


def _created(app, **overrides):
    res = _create(app, **overrides)
    assert res.status_code == 200, res.body
    return res.json["result"]


def _stored() -> list[dict]:
    return db.list_requests(limit=100)[1]


# --- creation ------------------------------------------------------------------------------


def test_anyone_can_ask_for_data_and_gets_a_reference_and_a_private_link(app, people):
    first = _created(app)
    second = _created(app, email="siti@example.org", name="Siti")
    year = first["created"][:4]
    assert first["reference"] == f"PD-{year}-0001" and second["reference"] == f"PD-{year}-0002"
    assert first["state"] == "baru" and first["stored"] is True
    assert first["token"] and first["follow_url"].endswith(
        f"/permohonan-data/{first['reference']}?token={first['token']}"
    )
    # the requester's own answer shows what they sent
    assert {k: first[k] for k in REQUEST if k != "area"} == {k: v for k, v in REQUEST.items() if k != "area"}
    assert first["area"] == "64.71.03" and first["area_label"] == "64.71.03 Kec. Balikpapan Utara"

    row = db.get_request(first["reference"])
    # neither the token nor the network address is stored, only their hashes
    assert row["token_hash"] == dr.hash_token(first["token"]) and first["token"] not in json.dumps(
        row, default=str
    )
    assert row["ip_hash"] and "198.51.100.10" not in json.dumps(row, default=str)
    events = db.events(row["id"])
    assert [(e["action"], e["from_state"], e["to_state"], e["role"], e["actor_name"]) for e in events] == [
        ("create", None, "baru", "pemohon", None)
    ]


def test_the_private_token_is_given_once_and_never_shown_again(app, people):
    created = _created(app)
    for headers in ({}, people["walidata"], people["admin"]):
        shown = _api(app, "satudata_request_show", {"id": created["reference"], "token": created["token"]},
                     headers, method="get").json["result"]  # fmt: skip
        listed = _api(app, "satudata_request_list", {}, headers, method="get").json["result"]
        for out in (shown, listed):
            text = json.dumps(out)
            assert created["token"] not in text and "token_hash" not in text and "ip_hash" not in text


def test_a_logged_in_member_of_the_public_is_recorded_as_the_requester(app, people):
    created = _created(app, headers=people["warga"])
    events = db.events(db.get_request(created["reference"])["id"])
    assert [(e["role"], e["actor_name"]) for e in events] == [("pemohon", "warga")]


def test_the_requester_may_name_the_opd(app, people):
    created = _created(app, organization="dinkes")
    assert created["organization"]["name"] == "dinkes"
    assert db.get_request(created["id"])["organization_id"] == model.Group.get("dinkes").id


@pytest.mark.parametrize(
    ("data", "field", "indonesian", "english"),
    [
        ({"name": ""}, "name", "Nama wajib diisi", "Name is required"),
        ({"name": "   "}, "name", "Nama wajib diisi", "Name is required"),
        ({"email": ""}, "email", "Email wajib diisi", "Email is required"),
        (
            {"email": "budi@"},
            "email",
            'Email: "budi@" bukan alamat email',
            'Email: "budi@" is not an e-mail address',
        ),
        ({"email": "budi santoso@example.org"}, "email", "bukan alamat email", "is not an e-mail address"),
        ({"purpose": ""}, "purpose", "Tujuan penggunaan data wajib diisi", "Purpose of use is required"),
        (
            {"data_description": ""},
            "data_description",
            "Data yang diminta wajib diisi",
            "Data requested is required",
        ),
        (
            {"data_description": "x" * 4001},
            "data_description",
            "Data yang diminta terlalu panjang: paling banyak 4000 karakter",
            "Data requested is too long: at most 4000 characters",
        ),
        ({"institution": "x" * 201}, "institution", "Instansi terlalu panjang", "Institution is too long"),
        (
            {"area": "64.72.01"},
            "area",
            'Wilayah: "64.72.01" bukan wilayah Kota Balikpapan',
            'Area: "64.72.01" is not a region of Kota Balikpapan',
        ),
        (
            {"organization": "dinas-tidak-ada"},
            "organization",
            'Perangkat Daerah pemegang data: "dinas-tidak-ada" tidak ada',
            'OPD holding the data: "dinas-tidak-ada" does not exist',
        ),
        ({"name": ["Budi"]}, "name", "Nama: isikan teks", "Name: enter text"),
        (
            {"purpose": {"a": 1}},
            "purpose",
            "Tujuan penggunaan data: isikan teks",
            "Purpose of use: enter text",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_in_both_languages_and_nothing_is_stored(
    app, people, data, field, indonesian, english
):
    for lang, expected in (("", indonesian), ("/en", english)):
        res = _api(app, "satudata_request_create", dict(REQUEST, **data), lang=lang)
        assert res.status_code == 409, res.body
        assert expected in " ".join(res.json["error"][field]), res.json["error"]
    assert _stored() == []
    assert jobs.get_queue().count == 0


def test_every_missing_field_is_named_at_once(app, people):
    res = _api(app, "satudata_request_create", {})
    assert res.status_code == 409
    errors = res.json["error"]
    assert {k for k in errors if k != "__type"} == {"name", "email", "purpose", "data_description"}


def test_control_characters_and_blanks_are_cleaned_not_refused(app, people):
    created = _created(app, name="  Budi\x00 Santoso \n", data_description="Jumlah\r\nbalita\x00")
    row = db.get_request(created["id"])
    assert row["name"] == "Budi Santoso" and row["data_description"] == "Jumlah\nbalita"


def test_optional_fields_may_be_left_empty(app, people):
    created = _created(app, institution="", period="", area="", organization="")
    row = db.get_request(created["id"])
    assert (row["institution"], row["period"], row["area"], row["organization_id"]) == (
        None,
        None,
        None,
        None,
    )


# --- spam ----------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_but_nothing_is_stored_or_mailed(app, people):
    res = _create(app, website="http://spam.example")
    assert res.status_code == 200
    assert res.json["result"]["stored"] is False and "token" not in res.json["result"]
    assert _stored() == []
    assert jobs.get_queue().count == 0


def _configure(ckan_config, monkeypatch, **options):
    for key, value in options.items():
        monkeypatch.setitem(ckan_config, f"ckanext.satudata.requests.{key}", value)


def test_requests_per_email_address_are_limited(app, people, ckan_config, monkeypatch):
    _configure(ckan_config, monkeypatch, rate_limit=2)
    assert _create(app, ip="198.51.100.1").status_code == 200
    assert _create(app, ip="198.51.100.2", email="BUDI.santoso@example.org").status_code == 200
    res = _create(app, ip="198.51.100.3")
    assert res.status_code == 409
    assert (
        "Terlalu banyak permohonan dari alamat email ini: paling banyak 2 dalam 60 menit"
        in res.json["error"]["email"][0]
    )
    assert len(_stored()) == 2
    # another address is still welcome
    assert _create(app, ip="198.51.100.4", email="siti@example.org").status_code == 200


def test_the_default_limit_is_five_an_hour(app, people):
    for n in range(5):
        assert _create(app, ip=f"198.51.100.{n}").status_code == 200
    res = _create(app, ip="198.51.100.99")
    assert res.status_code == 409 and "paling banyak 5 dalam 60 menit" in res.json["error"]["email"][0]


def test_requests_per_network_address_are_limited(app, people, ckan_config, monkeypatch):
    _configure(ckan_config, monkeypatch, rate_limit=2)
    for n in range(2):
        assert _create(app, email=f"orang{n}@example.org").status_code == 200
    res = _create(app, email="orang9@example.org")
    assert res.status_code == 409
    assert "Terlalu banyak permohonan dari alamat jaringan Anda" in res.json["error"]["rate_limit"][0]
    assert _create(app, ip="203.0.113.50", email="orang9@example.org").status_code == 200
    # the walidata may enter requests received by telephone without a limit
    for n in range(3):
        assert _create(app, headers=people["walidata"], email=f"telepon{n}@example.org").status_code == 200


def test_the_address_limit_counts_only_anonymous_visitors(app, people, ckan_config, monkeypatch):
    """A busy walidata (or a logged-in citizen) behind the city's address must not lock out the
    anonymous visitors who share it."""
    _configure(ckan_config, monkeypatch, rate_limit=2)
    for n in range(3):
        assert _create(app, headers=people["walidata"], email=f"telepon{n}@example.org").status_code == 200
    assert _create(app, headers=people["warga"], email="warga@example.org").status_code == 200
    for n in range(2):
        assert _create(app, email=f"tamu{n}@example.org").status_code == 200
    res = _create(app, email="tamu9@example.org")
    assert res.status_code == 409 and "rate_limit" in res.json["error"]
    assert len(_stored()) == 6


def test_behind_a_proxy_the_limit_counts_each_visitor_not_the_proxy(app, people, ckan_config, monkeypatch):
    _configure(ckan_config, monkeypatch, rate_limit=1, trusted_proxy_hops=1)

    def via_proxy(visitor, mail):
        return _api(app, "satudata_request_create", dict(REQUEST, email=mail),
                    headers={"X-Forwarded-For": f"10.0.0.1, {visitor}"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})  # fmt: skip

    assert via_proxy("198.51.100.7", "a@example.org").status_code == 200
    assert via_proxy("198.51.100.8", "b@example.org").status_code == 200
    assert via_proxy("198.51.100.8", "c@example.org").status_code == 409


def test_a_rate_limit_of_zero_switches_it_off(app, people, ckan_config, monkeypatch):
    _configure(ckan_config, monkeypatch, rate_limit=0)
    for _ in range(7):
        assert _create(app).status_code == 200


def test_two_requests_at_once_get_two_numbers(app, people):
    barrier = threading.Barrier(2)
    results: list[str] = []

    def send(n):
        client = app.flask_app.test_client()
        barrier.wait()
        res = client.post("/api/3/action/satudata_request_create", json=dict(REQUEST, email=f"p{n}@example.org"),
                          environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})  # fmt: skip
        results.append(res.get_json()["result"]["reference"])
        model.Session.remove()

    threads = [threading.Thread(target=send, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r[-4:] for r in results) == ["0001", "0002"]


# --- privacy -------------------------------------------------------------------------------


def _shown(app, reference, headers=None, token=None):
    data = {"id": reference, **({"token": token} if token else {})}
    res = _api(app, "satudata_request_show", data, headers, method="get")
    assert res.status_code == 200, res.body
    return res.json["result"]


def _listed(app, headers=None, **filters):
    res = _api(app, "satudata_request_list", filters, headers, method="get")
    assert res.status_code == 200, res.body
    return res.json["result"]


def test_personal_data_never_reach_the_public(app, people):
    created = _created(app, organization="dinkes")
    ref = created["reference"]
    _api(app, "satudata_request_update_state", {"id": ref, "state": "diproses", "reason": "Pak Budi, data sedang disusun"},
         people["produsen-dinkes"])  # fmt: skip
    outsiders = [None, people["warga"], people["pembina-bps"], people["produsen-disdukcapil"]]
    for headers in outsiders:
        for out in (
            _shown(app, ref, headers),
            _listed(app, headers),
            _shown(app, ref, headers, token="wrong"),
        ):
            text = json.dumps(out)
            assert not [p for p in PERSONAL if p in text], text
            assert "Pak Budi" not in text and "produsen-dinkes" not in text  # notes and staff names
        shown = _shown(app, ref, headers)
        assert shown["personal_data_shown"] is False
        assert shown["data_description"] == REQUEST["data_description"] and shown["state"] == "diproses"
        assert [e["to_state"] for e in shown["events"]] == ["baru", "diproses"]


def test_the_walidata_the_assigned_opd_and_the_private_link_see_the_contact(app, people):
    created = _created(app, organization="dinkes")
    ref = created["reference"]
    for headers, token in ((people["walidata"], None), (people["produsen-dinkes"], None), (people["admin"], None), (None, created["token"])):  # fmt: skip
        shown = _shown(app, ref, headers, token)
        assert shown["personal_data_shown"] is True
        assert (shown["name"], shown["email"], shown["institution"], shown["purpose"]) == PERSONAL
    # the list: the walidata sees every contact, an OPD only those of its own requests
    _created(app, email="siti@example.org", name="Siti Aminah", organization="disdukcapil", ip="203.0.113.9")
    by_walidata = {r["reference"]: r for r in _listed(app, people["walidata"])["results"]}
    assert all(r["personal_data_shown"] and r["email"] for r in by_walidata.values())
    by_dinkes = {r["reference"]: r for r in _listed(app, people["produsen-dinkes"])["results"]}
    assert by_dinkes[ref]["email"] == REQUEST["email"]
    assert [r.get("email") for k, r in by_dinkes.items() if k != ref] == [None]
    assert "siti@example.org" not in json.dumps(by_dinkes)


# --- listing -------------------------------------------------------------------------------


def test_the_list_filters_by_state_and_opd_and_pages(app, people):
    refs = [_created(app, email=f"p{n}@example.org", ip=f"203.0.113.{n}", organization="dinkes" if n % 2 else "")["reference"]
            for n in range(5)]  # fmt: skip
    _api(app, "satudata_request_update_state", {"id": refs[0], "state": "ditolak", "reason": "Di luar kewenangan"},
         people["walidata"])  # fmt: skip
    everything = _listed(app)
    assert everything["count"] == 5 and [r["reference"] for r in everything["results"]] == refs[::-1]
    assert [r["reference"] for r in _listed(app, state="ditolak")["results"]] == [refs[0]]
    assert _listed(app, state="baru,diproses")["count"] == 4
    assert {r["reference"] for r in _listed(app, organization="dinkes")["results"]} == {refs[1], refs[3]}
    page = _listed(app, limit=2, offset=2)
    assert page["count"] == 5 and [r["reference"] for r in page["results"]] == [refs[2], refs[1]]
    assert _listed(app, limit=0) == {"count": 5, "results": []}


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"state": "selesai"}, "state", 'Status "selesai" tidak dikenal'),
        ({"organization": "tidak-ada"}, "organization", 'Perangkat Daerah "tidak-ada" tidak ada'),
        ({"limit": "banyak"}, "limit", "bilangan bulat"),
        ({"offset": "-1"}, "offset", "bilangan bulat"),
    ],
)
def test_bad_list_filters_are_explained(app, people, filters, field, message):
    res = _api(app, "satudata_request_list", filters, method="get")
    assert res.status_code == 409 and message in res.json["error"][field][0], res.body


def test_an_unknown_request_is_not_found(app, people):
    assert _api(app, "satudata_request_show", {"id": "PD-1999-0001"}, method="get").status_code == 404
    res = _api(
        app, "satudata_request_update_state", {"id": "PD-1999-0001", "state": "diproses"}, people["walidata"]
    )
    assert res.status_code == 404


# --- the steps -----------------------------------------------------------------------------


def _step(app, who, ref, **data):
    return _api(app, "satudata_request_update_state", dict(data, id=ref), who)


def test_the_path_of_a_request_from_new_to_fulfilled(app, people):
    ref = _created(app)["reference"]
    dataset = create_dataset(user="produsen-dinkes", name="stunting-balita")
    res = _api(app, "satudata_request_assign", {"id": ref, "organization": "dinkes", "note": "Mohon ditindaklanjuti"},
               people["walidata"])  # fmt: skip
    assert res.status_code == 200 and res.json["result"]["organization"]["name"] == "dinkes"
    assert (
        _step(app, people["produsen-dinkes"], ref, state="diproses", reason="Sedang disusun").status_code
        == 200
    )

    # a draft cannot fulfil a request: only published data can
    res = _step(app, people["produsen-dinkes"], ref, state="dipenuhi", dataset="stunting-balita")
    assert res.status_code == 409
    assert (
        'Dataset "stunting-balita" belum terbit; hanya dataset terbit yang dapat memenuhi permohonan'
        in res.json["error"]["dataset"][0]
    )
    res = _step(app, people["produsen-dinkes"], ref, state="dipenuhi")
    assert res.status_code == 409 and "Dataset: pilih dataset terbit" in res.json["error"]["dataset"][0]
    res = _step(app, people["produsen-dinkes"], ref, state="dipenuhi", dataset="tidak-ada")
    assert res.status_code == 409 and 'Dataset "tidak-ada" tidak ada' in res.json["error"]["dataset"][0]

    publish(dataset["id"])
    res = _step(
        app,
        people["produsen-dinkes"],
        ref,
        state="dipenuhi",
        dataset="http://test.ckan.net/dataset/stunting-balita",
    )
    assert res.status_code == 200, res.body
    done = res.json["result"]
    assert done["state"] == "dipenuhi" and done["dataset"]["name"] == "stunting-balita"
    public = _shown(app, ref)
    assert public["dataset"] == {"id": dataset["id"], "name": "stunting-balita", "title": dataset["title"]}

    history = [(e["action"], e["from_state"], e["to_state"], e["role"], e["actor_name"], e["note"])
               for e in db.events(db.get_request(ref)["id"])]  # fmt: skip
    assert history == [
        ("create", None, "baru", "pemohon", None, None),
        ("assign", "baru", "baru", "walidata", "walidata", "Mohon ditindaklanjuti"),
        ("state", "baru", "diproses", "opd", "produsen-dinkes", "Sedang disusun"),
        ("state", "diproses", "dipenuhi", "opd", "produsen-dinkes", None),
    ]
    # final: nothing changes any more
    res = _step(app, people["walidata"], ref, state="ditolak", reason="x")
    assert res.status_code == 409
    assert 'Permohonan sudah "Dipenuhi"; statusnya tidak dapat berubah lagi' in res.json["error"]["state"][0]
    res = _api(app, "satudata_request_assign", {"id": ref, "organization": "disdukcapil"}, people["walidata"])
    assert res.status_code == 409 and "tidak dapat ditugaskan lagi" in res.json["error"]["organization"][0]


def test_a_rejection_needs_its_reason_which_is_public(app, people):
    ref = _created(app)["reference"]
    res = _step(app, people["walidata"], ref, state="ditolak", reason="  ")
    assert (
        res.status_code == 409
        and "Alasan wajib diisi untuk menolak permohonan" in res.json["error"]["reason"][0]
    )
    assert (
        _step(
            app, people["walidata"], ref, state="ditolak", reason="Data dikecualikan (UU 14/2008)"
        ).status_code
        == 200
    )
    public = _shown(app, ref)
    assert public["state"] == "ditolak" and public["reason"] == "Data dikecualikan (UU 14/2008)"


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        (
            [],
            "baru",
            'Permohonan yang berstatus "Baru" tidak dapat menjadi "Baru"; dapat menjadi: Diproses, Dipenuhi, Ditolak',
        ),
        (["diproses"], "diproses", 'tidak dapat menjadi "Diproses"; dapat menjadi: Dipenuhi, Ditolak'),
        (["diproses"], "baru", 'tidak dapat menjadi "Baru"'),
        ([], "selesai", 'Status "selesai" tidak dikenal; pilih salah satu: diproses, dipenuhi, ditolak'),
        ([], "", 'Status "" tidak dikenal'),
    ],
)
def test_a_step_the_state_does_not_allow_is_explained(app, people, path, target, message):
    ref = _created(app)["reference"]
    for state in path:
        assert _step(app, people["walidata"], ref, state=state).status_code == 200
    res = _step(app, people["walidata"], ref, state=target, reason="x")
    assert res.status_code == 409 and message in res.json["error"]["state"][0], res.json["error"]
    assert db.get_request(ref)["state"] == (path[-1] if path else "baru")


def test_a_new_request_may_be_fulfilled_at_once_when_the_data_are_already_published(app, people):
    ref = _created(app)["reference"]
    dataset = create_dataset(user="produsen-dinkes", name="stunting-balita")
    publish(dataset["id"])
    assert _step(app, people["walidata"], ref, state="dipenuhi", dataset="stunting-balita").status_code == 200


def test_english_step_errors(app, people):
    ref = _created(app)["reference"]
    res = _api(
        app, "satudata_request_update_state", {"id": ref, "state": "ditolak"}, people["walidata"], lang="/en"
    )
    assert res.status_code == 409 and "Reason: required to reject a request" in res.json["error"]["reason"][0]


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        (None, "satudata_request_assign", False),
        ("warga", "satudata_request_assign", False),
        ("pembina-bps", "satudata_request_assign", False),
        ("produsen-dinkes", "satudata_request_assign", False),
        ("walidata", "satudata_request_assign", True),
        ("walidata-2", "satudata_request_assign", True),
        ("admin", "satudata_request_assign", True),
        (None, "satudata_request_update_state", False),
        ("warga", "satudata_request_update_state", False),
        ("pembina-bps", "satudata_request_update_state", False),
        ("produsen-disdukcapil", "satudata_request_update_state", False),  # not its OPD
        ("produsen-dinkes", "satudata_request_update_state", True),  # assigned to dinkes
        ("walidata", "satudata_request_update_state", True),
        ("admin", "satudata_request_update_state", True),
    ],
)
def test_who_may_steer_a_request(app, people, who, action, allowed):
    ref = _created(app, organization="dinkes")["reference"]
    data = {"id": ref, "organization": "disdukcapil", "state": "diproses"}
    res = _api(app, action, data, people[who] if who else None)
    assert res.status_code == (200 if allowed else 403), res.body
    if not allowed:
        assert db.get_request(ref)["state"] == "baru" and len(db.events(db.get_request(ref)["id"])) == 1


def test_an_opd_acts_only_once_the_request_is_assigned_to_it(app, people):
    ref = _created(app)["reference"]
    res = _step(app, people["produsen-dinkes"], ref, state="diproses")
    assert res.status_code == 403
    assert "Hanya walidata atau Perangkat Daerah yang ditugasi" in res.json["error"]["message"]
    _api(app, "satudata_request_assign", {"id": ref, "organization": "dinkes"}, people["walidata"])
    assert _step(app, people["produsen-dinkes"], ref, state="diproses").status_code == 200
    # reassigned elsewhere: dinkes no longer handles it
    _api(app, "satudata_request_assign", {"id": ref, "organization": "disdukcapil"}, people["walidata"])
    assert _step(app, people["produsen-dinkes"], ref, state="ditolak", reason="x").status_code == 403
    assert _step(app, people["produsen-disdukcapil"], ref, state="ditolak", reason="x").status_code == 200


def test_assignment_errors(app, people):
    ref = _created(app, organization="dinkes")["reference"]
    res = _api(app, "satudata_request_assign", {"id": ref, "organization": "tidak-ada"}, people["walidata"])
    assert (
        res.status_code == 409
        and 'Perangkat Daerah "tidak-ada" tidak ada' in res.json["error"]["organization"][0]
    )
    res = _api(app, "satudata_request_assign", {"id": ref}, people["walidata"])
    assert res.status_code == 409 and "Pilih Perangkat Daerah" in res.json["error"]["organization"][0]
    res = _api(app, "satudata_request_assign", {"id": ref, "organization": "dinkes"}, people["walidata"])
    assert res.status_code == 409 and "sudah ditugaskan kepada" in res.json["error"]["organization"][0]


def test_two_handlers_answering_at_once_make_one_step(app, people):
    ref = _created(app, organization="dinkes")["reference"]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def answer(headers, state):
        client = app.flask_app.test_client()
        barrier.wait()
        res = client.post("/api/3/action/satudata_request_update_state",
                          json={"id": ref, "state": state, "reason": "alasan"}, headers=headers)  # fmt: skip
        results.append(res.status_code)
        model.Session.remove()

    threads = [threading.Thread(target=answer, args=args)
               for args in ((people["walidata"], "ditolak"), (people["produsen-dinkes"], "ditolak"))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [200, 409]
    assert [e["to_state"] for e in db.events(db.get_request(ref)["id"])] == ["baru", "ditolak"]


def test_the_history_is_append_only(app, people):
    ref = _created(app)["reference"]
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text("DELETE FROM satudata_data_request_event"))
    model.Session.rollback()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text("UPDATE satudata_data_request_event SET note = 'x'"))
    model.Session.rollback()
    assert len(db.events(db.get_request(ref)["id"])) == 1


# --- notifications -------------------------------------------------------------------------


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_new_request_mails_the_requester_the_private_link_and_the_staff_without_the_contact(
    app, people, mailbox
):
    created = _created(app, organization="dinkes")
    titles = [j.meta.get("title") for j in jobs.get_queue().jobs]
    assert titles == ["satudata request mail create"]
    assert run_queued_jobs() == [4]  # requester, walidata, walidata-2, produsen-dinkes

    (receipt,) = mailbox.to(REQUEST["email"])
    assert receipt["Subject"].strip() == f"[Satu Data] Permohonan data {created['reference']} telah diterima"
    body = _body(receipt)
    assert "Yth. Budi Santoso" in body and created["follow_url"] in body
    # the link in the mail opens the complete request
    path = created["follow_url"].split("test.ckan.net", 1)[1]
    assert REQUEST["email"] in app.get(path).body

    staff = {m["To"].split("<")[-1].rstrip(">"): m for m in mailbox.messages if m not in (receipt,)}
    assert set(staff) == {
        "walidata@balikpapan.go.id",
        "walidata-2@balikpapan.go.id",
        "produsen-dinkes@balikpapan.go.id",
    }
    for message in staff.values():
        assert message["Subject"].strip() == f"[Satu Data] Permohonan data baru {created['reference']}"
        text = _body(message)
        assert REQUEST["data_description"] in text
        assert not [p for p in PERSONAL if p in text] and created["token"] not in text


def test_each_step_mails_the_requester(app, people, mailbox):
    ref = _created(app)["reference"]
    run_queued_jobs()
    mailbox.messages.clear()
    _api(app, "satudata_request_assign", {"id": ref, "organization": "dinkes"}, people["walidata"])
    _step(app, people["produsen-dinkes"], ref, state="diproses", reason="Data sedang dihimpun")
    _step(app, people["produsen-dinkes"], ref, state="ditolak", reason="Data belum pernah dikumpulkan")
    assert [j.meta.get("title") for j in jobs.get_queue().jobs] == [
        "satudata request mail assign", "satudata request mail state", "satudata request mail state"
    ]  # fmt: skip
    run_queued_jobs()
    subjects = [m["Subject"].strip() for m in mailbox.to(REQUEST["email"])]  # a long subject is folded
    assert subjects == [
        f"[Satu Data] Permohonan data {ref} diteruskan ke Dinas Kesehatan",
        f"[Satu Data] Permohonan data {ref}: Diproses",
        f"[Satu Data] Permohonan data {ref}: Ditolak",
    ]
    last = _body(mailbox.to(REQUEST["email"])[-1])
    assert "Alasan: Data belum pernah dikumpulkan" in last
    # the OPD hears of its assignment
    (assigned,) = mailbox.to("produsen-dinkes@balikpapan.go.id")
    assert (
        assigned["Subject"].strip() == f"[Satu Data] Permohonan data {ref} ditugaskan kepada Dinas Kesehatan"
    )


def test_a_fulfilment_mail_links_the_dataset(app, people, mailbox):
    ref = _created(app)["reference"]
    dataset = create_dataset(user="produsen-dinkes", name="stunting-balita")
    publish(dataset["id"])
    run_queued_jobs()
    mailbox.messages.clear()
    _step(app, people["walidata"], ref, state="dipenuhi", dataset="stunting-balita")
    run_queued_jobs()
    (mail,) = mailbox.to(REQUEST["email"])
    assert mail["Subject"].strip() == f"[Satu Data] Permohonan data {ref}: Dipenuhi"
    assert "http://test.ckan.net/dataset/stunting-balita" in _body(mail)


def test_a_dead_mail_server_or_queue_never_blocks_a_request(app, people, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")  # nothing listens
    created = _created(app)
    assert run_queued_jobs() == [0]

    def broken_queue(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("ckan.lib.jobs.enqueue", broken_queue)
    assert _step(app, people["walidata"], created["reference"], state="diproses").status_code == 200
    assert _create(app, email="siti@example.org", ip="203.0.113.1").status_code == 200


@pytest.mark.integration
def test_the_mails_go_through_redis_and_a_worker_process(app, people, mailbox, ckan_cli_env):
    created = _created(app, organization="dinkes")
    env = dict(ckan_cli_env, CKAN_SMTP_SERVER=f"127.0.0.1:{mailbox.port}")
    worker = subprocess.run(
        ["ckan", "-c", str(ROOT / "test.ini"), "jobs", "worker", "--burst"],
        env=env, capture_output=True, text=True, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert jobs.get_queue().count == 0
    (receipt,) = mailbox.to(REQUEST["email"])
    assert created["follow_url"] in _body(receipt)
    assert len(mailbox.messages) == 4


# --- odd input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data", "who"),
    [
        (
            "satudata_request_create",
            dict(REQUEST, name=12345, email=["a@b.id"], area={"x": 1}, organization=["dinkes"]),
            None,
        ),
        ("satudata_request_create", dict(REQUEST, organization="din\x00kes", area="64.71\x00"), None),
        ("satudata_request_create", {"name": None, "email": None, "website": None}, None),
        ("satudata_request_show", {"id": "PD-2026-\x000001", "token": "\x00"}, None),
        ("satudata_request_show", {"id": ["PD-2026-0001"]}, None),
        ("satudata_request_show", {}, None),
        ("satudata_request_list", {"organization": "din\x00kes"}, None),
        ("satudata_request_list", {"state": [1, 2], "limit": [1], "offset": "9" * 40}, None),
        ("satudata_request_list", {"offset": 10**30, "limit": 10**30}, None),
        (
            "satudata_request_update_state",
            {"id": "{ref}", "state": ["ditolak"], "reason": {"a": 1}, "dataset": ["x"]},
            "walidata",
        ),
        (
            "satudata_request_update_state",
            {"id": "{ref}", "state": "dipenuhi", "dataset": "stunting\x00"},
            "walidata",
        ),
        ("satudata_request_update_state", {"id": {"a": 1}, "state": "diproses"}, "walidata"),
        ("satudata_request_assign", {"id": "{ref}", "organization": "din\x00kes", "note": ["x"]}, "walidata"),
        ("satudata_request_assign", {"id": "PD-\x00", "organization": "dinkes"}, "walidata"),
    ],
)
def test_odd_input_gets_an_answer_never_a_server_error(app, people, action, data, who):
    ref = _created(app, email="lain@example.org", ip="203.0.113.77")["reference"]
    data = {k: (v.replace("{ref}", ref) if isinstance(v, str) else v) for k, v in data.items()}
    res = _api(app, action, data, people[who] if who else None)
    assert res.status_code in (200, 403, 404, 409), (res.status_code, res.body[:500])
    assert db.get_request(ref)["state"] == "baru"
