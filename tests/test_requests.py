"""Data requests (permohonan data): the rules that need no services: references, the state
machine, the private link, the network address behind proxies, what the public may see, and
the cleaning of typed text."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.satudata_balikpapan.data_requests import service as dr
from ckanext.satudata_balikpapan.lib.client import client_ip
from ckanext.satudata_balikpapan.lib.text import clean_text


def test_references_are_human_readable_and_sort_within_a_year():
    assert dr.format_reference(2026, 1) == "PD-2026-0001"
    assert dr.format_reference(2026, 42) == "PD-2026-0042"
    assert dr.format_reference(2027, 12345) == "PD-2027-12345"


@pytest.mark.parametrize(
    ("state", "targets"),
    [
        ("baru", ("diproses", "dipenuhi", "ditolak")),
        ("diproses", ("dipenuhi", "ditolak")),
        ("dipenuhi", ()),
        ("ditolak", ()),
        ("unknown", ()),
    ],
)
def test_the_state_machine(state, targets):
    assert dr.allowed_targets(state) == targets


def test_fulfilled_and_rejected_requests_are_final():
    assert [s for s in dr.STATES if dr.is_final(s)] == ["dipenuhi", "ditolak"]
    assert not dr.is_final("unknown")


def test_nothing_goes_back_to_new():
    assert all("baru" not in dr.allowed_targets(s) for s in dr.STATES)


def test_a_private_link_opens_with_its_own_token_only():
    token = dr.link_token("PD-2026-0001", "site-secret")
    stored = dr.hash_token(token)
    assert token not in stored and len(token) >= 40
    assert dr.token_matches(stored, token)
    assert not dr.token_matches(stored, dr.link_token("PD-2026-0002", "site-secret"))
    assert not dr.token_matches(stored, "")
    assert not dr.token_matches(stored, None)
    assert not dr.token_matches(stored, ["not", "a", "string"])  # type: ignore[arg-type]


def test_a_private_link_is_derived_from_the_reference_under_the_site_secret_never_stored():
    # the e-mail job derives it again from the reference: no queue payload holds it
    assert dr.link_token("PD-2026-0001", "site-secret") == dr.link_token("PD-2026-0001", "site-secret")
    assert dr.link_token("PD-2026-0001", "site-secret") != dr.link_token("PD-2026-0001", "other-secret")
    assert "PD-2026-0001" not in dr.link_token("PD-2026-0001", "site-secret")


def test_network_addresses_are_stored_as_keyed_hashes():
    one = dr.hash_ip("203.0.113.7", "secret-a")
    assert one and "203.0.113.7" not in one
    assert one == dr.hash_ip("203.0.113.7", "secret-a")
    assert one != dr.hash_ip("203.0.113.8", "secret-a")
    assert one != dr.hash_ip("203.0.113.7", "secret-b")
    assert dr.hash_ip(None, "secret-a") is None


@pytest.mark.parametrize(
    ("remote", "forwarded", "hops", "expected"),
    [
        ("203.0.113.7", None, 0, "203.0.113.7"),
        # without a trusted proxy, a forged header is ignored
        ("203.0.113.7", "10.9.9.9", 0, "203.0.113.7"),
        # behind nginx: the address nginx saw, not what the client wrote before it
        ("127.0.0.1", "10.9.9.9, 198.51.100.4", 1, "198.51.100.4"),
        ("127.0.0.1", "198.51.100.4", 1, "198.51.100.4"),
        ("127.0.0.1", "10.9.9.9, 198.51.100.4, 192.0.2.1", 2, "198.51.100.4"),
        # fewer entries than trusted proxies: the header is not trusted
        ("127.0.0.1", "198.51.100.4", 2, "127.0.0.1"),
        ("127.0.0.1", "", 1, "127.0.0.1"),
        (None, None, 0, None),
    ],
)
def test_the_client_address_behind_trusted_proxies(remote, forwarded, hops, expected):
    assert client_ip(remote, forwarded, hops) == expected


REQUEST = {
    "id": "r1",
    "reference": "PD-2026-0001",
    "year": 2026,
    "number": 1,
    "name": "Budi Santoso",
    "email": "budi@example.org",
    "institution": "Universitas Balikpapan",
    "purpose": "Skripsi tentang stunting",
    "data_description": "Jumlah balita stunting per kelurahan",
    "period": "2020-2025",
    "area": "64.71.03",
    "organization_id": None,
    "state": "baru",
    "reason": None,
    "dataset_id": None,
    "token_hash": "abc",
    "ip_hash": "def",
}


def test_the_public_part_of_a_request_has_no_personal_data_and_no_secrets():
    public = dr.redact(REQUEST)
    for field in ("name", "email", "institution", "purpose", "token_hash", "ip_hash"):
        assert field not in public
    assert "budi" not in repr(public).lower()
    assert public["data_description"] == "Jumlah balita stunting per kelurahan"
    assert public["reference"] == "PD-2026-0001" and public["state"] == "baru"


def test_the_public_part_of_an_event_says_what_and_when_not_who():
    event = {"id": "e", "action": "state", "from_state": "baru", "to_state": "diproses", "role": "opd",
             "actor_id": "u1", "actor_name": "produsen-dinkes", "note": "Pak Budi, data sedang disusun", "created": "x"}  # fmt: skip
    public = dr.redact_event(event)
    assert public == {"id": "e", "action": "state", "from_state": "baru", "to_state": "diproses", "role": "opd", "created": "x"}  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://data.balikpapan.go.id/dataset/jumlah-penduduk", "jumlah-penduduk"),
        ("http://127.0.0.1:5000/dataset/jumlah-penduduk/", "jumlah-penduduk"),
        ("/dataset/jumlah-penduduk?activity_id=1", "jumlah-penduduk"),
        ("/en/dataset/jumlah-penduduk/resource/abc", "jumlah-penduduk"),
        ("  jumlah-penduduk ", "jumlah-penduduk"),
    ],
)
def test_a_dataset_is_named_by_its_name_id_or_page_address(typed, expected):
    assert dr.dataset_key(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Budi  ", "Budi"),
        ("a\x00b", "ab"),  # PostgreSQL refuses NUL
        ("line 1\r\nline 2\rline 3", "line 1\nline 2\nline 3"),
        ("tab\there\x07", "tab\there"),
        ("Cafe\u0301", "Caf\u00e9"),  # one form of each letter
    ],
)
def test_typed_text_is_cleaned(typed, expected):
    assert clean_text(typed) == expected


def test_the_reference_year_follows_the_portals_clock(ckan_config, monkeypatch):

    new_year_in_balikpapan = dt.datetime(2026, 12, 31, 16, 30)  # UTC: 00:30 WITA on 1 January 2027
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Makassar")
    assert dr.local_year(new_year_in_balikpapan) == 2027
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "UTC")
    assert dr.local_year(new_year_in_balikpapan) == 2026
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Nowhere/Atlantis")
    assert dr.local_year(new_year_in_balikpapan) == 2026
