"""Hostile input at the door (#14): security headers on every page, uploads that never run in
the portal's origin, and the CSRF check of every state-changing browser request, tried as
the attacks on the demo were made. The CSRF tests switch CSRF on (test.ini keeps it off)."""

from __future__ import annotations

import io
import re

import pytest
from ckan import model
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from tests.conftest import create_dataset, make_workflow_people

pytestmark = [pytest.mark.integration]

CSRF_ON = pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
PASSWORD = "correct123"  # CKAN's factories.User default is random: the users get this one
TOKEN = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


@pytest.fixture
def browser(app):
    """One browser: a test client that keeps its cookies (its session) from one request to the
    next, on every CKAN version (CKAN 2.11's ``app.get`` starts a new client on each call)."""
    return app.test_client()


@pytest.fixture
def users(clean_db, clean_index, clean_redis):
    tokens = make_workflow_people()
    for name in tokens:  # through the model: CKAN 2.11's user_patch asks for the e-mail again
        model.User.get(name).password = PASSWORD
    model.Session.commit()
    return {name: {"Authorization": token} for name, token in tokens.items()}


def _upload(dataset_id: str, filename: str, content: bytes, fmt: str) -> dict:
    site = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    return helpers.call_action(
        "resource_create", context={"ignore_auth": True, "user": site}, package_id=dataset_id, name=filename,
        url=filename, format=fmt, upload=FileStorage(io.BytesIO(content), filename=filename),
    )  # fmt: skip


def _api_upload(app, users, dataset_id: str, filename: str, content: bytes, fmt: str) -> dict:
    """The produsen's upload through the API, as the form posts it: the refusal's errors."""
    res = app.post(
        "/api/3/action/resource_create", headers=users["produsen-dinkes"],
        data={"package_id": dataset_id, "name": filename, "url": filename, "format": fmt,
              "upload": (io.BytesIO(content), filename)},
    )  # fmt: skip
    assert res.status_code == 409, res.body[:300]
    return res.json["error"]


def test_every_page_carries_the_security_headers(app, users):
    for path in ("/", "/dataset", "/permohonan-data/baru", "/api/3/action/status_show"):
        headers = app.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy, path


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [("laporan.html", "HTML"), ("peta.svg", "SVG"), ("skrip.js", ""), ("tanpa-jenis", "")],
)
def test_an_active_upload_is_refused_naming_the_field(app, users, filename, fmt):
    """The attack of #14 began with a produsen uploading an HTML "report"; such a file is now
    refused, in Indonesian, and nothing is saved."""
    dataset = create_dataset(user="produsen-dinkes", name="laporan-aktif")
    (message,) = _api_upload(app, users, dataset["id"], filename, b"<script>alert(1)</script>", fmt)["url"]
    assert message.startswith("Berkas berjenis")
    assert "tidak dapat diunggah; yang diterima: CSV," in message
    assert (
        helpers.call_action("package_show", context={"ignore_auth": True}, id=dataset["id"])["resources"]
        == []
    )


def test_an_upload_whose_format_contradicts_its_file_is_refused(app, users):
    dataset = create_dataset(user="produsen-dinkes", name="salah-format")
    assert _api_upload(app, users, dataset["id"], "data.csv", b"a,b\n1,2\n", "PDF")["url"] == [
        'Berkas "data.csv" bukan berkas PDF; formatnya dapat berupa CSV, TXT'
    ]


def test_an_xml_upload_that_is_really_xhtml_is_a_sandboxed_attachment(app, users):
    """XML is a data format and is accepted; a browser would run the script of an XHTML
    document, so it is served as an attachment, in a sandbox that lets nothing run."""
    dataset = create_dataset(user="produsen-dinkes", name="laporan-xml")
    body = b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(document.cookie)</script></html>'
    resource = _upload(dataset["id"], "data.xml", body, "XML")
    res = app.get(
        f"/dataset/{dataset['id']}/resource/{resource['id']}/download/data.xml", headers=users["walidata"]
    )
    assert res.status_code == 200
    assert res.headers["Content-Disposition"].startswith("attachment")
    assert res.headers["Content-Security-Policy"].startswith("sandbox")
    assert res.headers["X-Content-Type-Options"] == "nosniff"


def test_a_csv_upload_keeps_how_ckan_serves_it_and_is_sandboxed(app, users):
    dataset = create_dataset(user="produsen-dinkes", name="tabel-biasa")
    resource = _upload(dataset["id"], "data.csv", b"kode_wilayah,tahun\n64.71,2025\n", "CSV")
    res = app.get(
        f"/dataset/{dataset['id']}/resource/{resource['id']}/download/data.csv", headers=users["walidata"]
    )
    assert res.status_code == 200
    assert res.body == "kode_wilayah,tahun\n64.71,2025\n"
    assert res.headers["Content-Security-Policy"].startswith("sandbox")


def _login(app, name: str) -> None:
    token = TOKEN.search(app.get("/user/login").body).group(1)
    res = app.post(
        "/user/login",
        data={"login": name, "password": PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    assert res.status_code == 302, res.body[:300]


@CSRF_ON
def test_the_login_form_refuses_a_post_without_its_token_after_any_number_of_anonymous_visits(browser, users):
    """CKAN exempted the login view from CSRF for the life of the process after the first
    anonymous request: a forged login then passed. Not any more, in Indonesian."""
    for _ in range(2):
        browser.get("/user/login")
    res = browser.post(
        "/user/login", data={"login": "walidata", "password": PASSWORD}, follow_redirects=False
    )
    assert res.status_code == 400
    assert "token CSRF tidak ada atau tidak sah" in res.body
    _login(browser, "walidata")  # with its token, the same form logs in


@CSRF_ON
def test_a_forged_step_from_the_walidatas_browser_is_refused_after_an_api_token_call(browser, users):
    """The attack of #14: one call with an API token exempted the verification view, then the
    walidata's browser session POSTed a step with no token and a foreign Origin, recorded."""
    create_dataset(user="produsen-dinkes", name="dbd")
    helpers.call_action("satudata_submit", context={"user": "produsen-dinkes"}, id="dbd")
    token_call = browser.post(
        "/dataset/dbd/verifikasi/return", data={"note": ""}, headers=users["walidata"], follow_redirects=False
    )
    assert token_call.status_code != 400  # a token-authenticated request carries no ambient authority

    _login(browser, "walidata")
    forged = browser.post(
        "/dataset/dbd/verifikasi/return", data={"note": "dikembalikan oleh penyerang"},
        headers={"Origin": "https://evil.example"}, follow_redirects=False,
    )  # fmt: skip
    assert forged.status_code == 400
    history = helpers.call_action("satudata_workflow_history", context={"ignore_auth": True}, id="dbd")
    assert "dikembalikan oleh penyerang" not in str(history)
    assert (
        helpers.call_action("package_show", context={"ignore_auth": True}, id="dbd")["publishing_status"]
        == "diajukan"
    )


@CSRF_ON
def test_the_api_checks_csrf_for_a_cookie_session_and_not_for_a_token_or_an_anonymous_caller(browser, users):
    assert browser.post("/api/3/action/package_search", json={"q": "*:*"}).status_code == 200  # anonymous
    assert browser.post("/api/3/action/package_search", json={}, headers=users["walidata"]).status_code == 200
    _login(browser, "walidata")
    assert browser.post("/api/3/action/package_search", json={}).status_code == 400


# The address the attempts come from (CKAN 2.11's test client sends none of its own).
ADDRESS = {"REMOTE_ADDR": "203.0.113.9"}


def _try(app, name: str, password: str):
    return app.post(
        "/user/login",
        data={"login": name, "password": password},
        follow_redirects=False,
        environ_base=ADDRESS,
    )


def _logged_in(app) -> bool:
    return app.get("/dashboard/datasets", follow_redirects=False).status_code == 200


@pytest.mark.ckan_config("ckanext.satudata.login.max_failures", 3)
def test_failed_logins_lock_the_account_even_against_the_right_password(browser, users):
    """#14: 40 wrong passwords in 10 s, then the right one worked. Now after 3 failures within
    the window the account is refused, with a message saying how long to wait; another
    account from elsewhere is not affected."""
    for _ in range(3):
        res = _try(browser, "walidata", "salah")
        assert res.status_code == 200  # the login form again, with CKAN's "login failed"
    refused = _try(browser, "walidata", PASSWORD)
    assert refused.status_code == 302
    page = browser.get(refused.headers["Location"], follow_redirects=True).body
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit." in page
    assert not _logged_in(browser)
    assert _try(browser, "produsen-dinkes", PASSWORD).status_code == 302
    assert _logged_in(browser)


@pytest.mark.ckan_config("ckanext.satudata.login.max_failures", 100)
@pytest.mark.ckan_config("ckanext.satudata.login.max_failures_per_address", 4)
def test_one_address_trying_many_accounts_is_refused(browser, users):
    for name in ("walidata", "pembina-bps", "produsen-dinkes", "warga"):
        _try(browser, name, "salah")
    refused = _try(browser, "walidata", PASSWORD)
    page = browser.get(refused.headers["Location"], follow_redirects=True).body
    assert "Terlalu banyak percobaan masuk yang gagal" in page


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("pendek1", "Kata sandi minimal 10 karakter"),
        ("hanyahurufsaja", "Kata sandi harus memuat huruf dan angka"),
        ("1234567890123", "Kata sandi harus memuat huruf dan angka"),
        ("sitiaminah2026", "Kata sandi tidak boleh memuat nama pengguna"),
        ("a1" * 200, "Kata sandi paling banyak 256 karakter"),
    ],
)
def test_a_weak_password_is_refused_in_indonesian_and_no_account_is_made(app, users, password, message):
    res = app.post(
        "/api/3/action/user_create", headers=users["admin"],
        json={"name": "sitiaminah", "email": "siti@balikpapan.go.id", "password": password},
    )  # fmt: skip
    assert res.status_code == 409
    assert res.json["error"]["password"] == [message]
    assert (
        app.post("/api/3/action/user_show", json={"id": "sitiaminah"}, headers=users["admin"]).status_code
        == 404
    )


def test_a_strong_password_is_taken(app, users):
    res = app.post(
        "/api/3/action/user_create", headers=users["admin"],
        json={"name": "sitiaminah", "email": "siti@balikpapan.go.id", "password": "Teluk-Balikpapan-77"},
    )  # fmt: skip
    assert res.status_code == 200


JS_LINKS = re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
SCRIPT_PAYLOADS = (
    '<a href="javascript:alert(1)">tautan</a> [tautan markdown](javascript:alert(2)) '
    "<img src=x onerror=alert(3)>"
)


def test_a_dataset_page_offers_no_javascript_link_whatever_the_texts_say(app, users):
    dataset = create_dataset(user="produsen-dinkes", notes=f"Catatan {SCRIPT_PAYLOADS}")
    site = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    helpers.call_action(
        "resource_create", context={"ignore_auth": True, "user": site}, package_id=dataset["id"],
        url="https://data.example.id/dbd.csv", format="CSV", name=f"Berkas {SCRIPT_PAYLOADS}",
        description=f"Uraian {SCRIPT_PAYLOADS}", periode="2024",
    )  # fmt: skip

    for url in (f"/dataset/{dataset['name']}", f"/dataset/activity/{dataset['name']}"):
        body = app.get(url, headers=users["walidata"]).body
        found = [body[max(m.start() - 200, 0) : m.end() + 80] for m in JS_LINKS.finditer(body)]
        assert found == [], url
