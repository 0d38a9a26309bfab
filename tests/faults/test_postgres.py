"""PostgreSQL goes away under a running portal (``ckan run``, with Werkzeug's debugger left on
as the development server has it): a visitor and a logged-in user get the translated 503
page, an API caller gets JSON, nobody gets a traceback or the interactive debugger; when the
database is back, the same portal answers again without a restart."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from ckan.tests import factories

from tests.conftest import free_port
from tests.faults.conftest import ROOT, stopped, worker_ini

pytestmark = [pytest.mark.integration, pytest.mark.once, pytest.mark.usefixtures("clean_db", "clean_index")]

BASE = {"url": ""}  # set by the ``portal`` fixture, on a port chosen when it starts


def _post(action: str, data: dict, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    body = json.dumps(data).encode()
    request = urllib.request.Request(
        f"{BASE['url']}/api/3/action/{action}", data=body, method="POST",
        headers={**headers, "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _get(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"{BASE['url']}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def portal(ckan_cli_env, tmp_path):
    """A real ``ckan run`` on the test database, as a developer starts it."""
    port = free_port()
    BASE["url"] = f"http://127.0.0.1:{port}"
    ini = worker_ini(tmp_path, **{"ckan.site_url": BASE["url"]})
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        ["ckan", "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader"],
        env=ckan_cli_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(240):
            try:
                if _get("/api/3/action/status_show")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"the portal did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_an_outage_of_the_database_is_a_translated_503_for_everyone_and_heals(portal):
    token = factories.APIToken(user=factories.User(name="walidata")["name"])["token"]
    logged_in = {"Authorization": token}
    assert _get("/", logged_in)[0] == 200

    with stopped("postgres"):
        api = _get("/api/3/action/package_search")
        page = _get("/dataset/")
        user_page = _get("/dashboard/datasets", logged_in)
        english = _get("/en/dataset/")
        catalogue = _get("/catalog.ttl")
        steps = [
            _post(action, data, logged_in)
            for action, data in (
                ("satudata_publish", {"id": "kasus-dbd"}),
                ("satudata_withdraw", {"id": "kasus-dbd", "note": "Salah"}),
                ("package_create", {"name": "baru-sekali", "owner_org": "dinkes"}),
                ("satudata_request_create", {"name": "Budi", "email": "budi@example.org"}),
            )
        ]
    assert catalogue[0] == 503 and catalogue[1]["Retry-After"]
    for status, _, body in steps:  # each write refused as a whole, in JSON
        assert status == 503 and json.loads(body)["error"]["service"] == "database"

    status, headers, body = api
    assert status == 503 and headers["Content-Type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["service"] == "database" and "Basis data sedang tidak tersedia" in error["message"]
    for status, headers, body in (page, user_page):
        assert status == 503 and headers["Content-Type"].startswith("text/html"), body[:500]
        assert "Layanan sedang tidak tersedia" in body and "Basis data sedang tidak tersedia" in body
    assert english[0] == 503 and "The database is temporarily unavailable" in english[2]
    for _, _, body in (api, page, user_page, english, catalogue, *steps):
        for leak in ("Traceback", "Werkzeug", "debugger", "psycopg2", "55432", "sqlalchemy"):
            assert leak not in body

    for _ in range(20):  # the pool reconnects by itself
        if _get("/", logged_in)[0] == 200:
            break
        time.sleep(0.5)
    assert _get("/", logged_in)[0] == 200
    assert _get("/api/3/action/package_search")[0] == 200
