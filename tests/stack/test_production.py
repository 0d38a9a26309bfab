"""The production stack as `scripts/production.sh install` leaves it (`make test-ops`): nginx in
front of two web nodes, a jobs worker and the scheduler under the supervisor, on the test
services. Each test acts as a user or an operator would, over HTTP and the supervisor."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, example_dataset

URL = os.environ.get("SATUDATA_STACK_URL", "")
ETC = Path(os.environ.get("SATUDATA_STACK_ETC", "/nonexistent"))
VENV = Path(os.environ.get("PROD_VENV", "/nonexistent"))
WEB_PORT = int(os.environ.get("PROD_WEB_PORT", "0"))
NODES = [f"http://127.0.0.1:{WEB_PORT + n}" for n in range(int(os.environ.get("PROD_WEB_NODES", "2")))]
PASSWORD = "Operasi#Balikpapan2026"


def supervisorctl(*args: str) -> str:
    done = subprocess.run(
        ["supervisorctl", "-c", str(ETC / "supervisord.conf"), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout


def ckan(*args: str) -> str:
    done = subprocess.run(
        [str(VENV / "bin" / "ckan"), "-c", str(ETC / "ckan.ini"), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def pid(program: str) -> int:
    return int(supervisorctl("pid", f"satudata:{program}").strip() or 0)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = condition()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture(scope="module")
def admin() -> dict[str, str]:
    """A sysadmin (the first walidata) created as the install's closing message says, and an
    API token for it."""
    ckan("user", "add", "ops-admin", "email=ops-admin@balikpapan.go.id", f"password={PASSWORD}")
    ckan("sysadmin", "add", "ops-admin")
    token = ckan("user", "token", "add", "ops-admin", "stack").strip().splitlines()[-1].strip()
    return {"name": "ops-admin", "token": token}


def api(base: str, action: str, token: str | None = None, **data) -> dict:
    headers = {"Authorization": token} if token else {}
    if data:
        response = requests.post(f"{base}/api/3/action/{action}", json=data, headers=headers, timeout=60)
    else:
        response = requests.get(f"{base}/api/3/action/{action}", headers=headers, timeout=60)
    body = response.json()
    assert body["success"], body
    return body["result"]


def test_the_stack_is_healthy_with_its_worker_and_one_scheduler():
    response = requests.get(f"{URL}/health", timeout=30)
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert checks["worker"] == "ok"
    wait_for(lambda: requests.get(f"{URL}/health", timeout=30).json()["checks"]["scheduler"].startswith("ok"),
             60, "the scheduler holds the lock")  # fmt: skip
    status = supervisorctl("status")
    for program in ("web-0", "web-1", "worker-0", "worker-1", "scheduler", "nginx"):
        assert re.search(rf"satudata:{program}\s+RUNNING", status), status


def test_production_has_no_debugger_and_no_demo_users():
    ini = (ETC / "ckan.ini").read_text()
    assert re.search(r"^debug = false$", ini, re.M)
    users = ckan("user", "list")
    for demo in ("walidata", "produsen-dinkes", "pembina-bps", "warga"):
        assert demo not in users
    page = requests.get(f"{URL}/dataset/tidak-ada-{uuid.uuid4().hex[:6]}", timeout=30)
    assert page.status_code == 404
    for leak in ("Traceback", "Werkzeug", "debugger"):
        assert leak not in page.text
    # the secrets were generated for this host, not copied from the repo
    secrets = (ETC / "secrets.env").read_text()
    assert "pass\n" not in secrets and oct((ETC / "secrets.env").stat().st_mode)[-3:] == "600"


def test_a_cookie_less_anonymous_answer_is_cached_and_served_again():
    url = f"{URL}/api/3/action/package_search?q={uuid.uuid4().hex}"
    first, second = requests.get(url, timeout=30), requests.get(url, timeout=30)
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert first.json() == second.json()


def test_a_session_or_a_token_is_never_answered_from_the_cache(admin):
    url = f"{URL}/api/3/action/package_search?q={uuid.uuid4().hex}"
    requests.get(url, timeout=30)  # now cached for anonymous callers
    with_token = requests.get(url, headers={"Authorization": admin["token"]}, timeout=30)
    with_cookie = requests.get(url, cookies={"ckan": "x"}, timeout=30)
    assert with_token.headers["X-Cache-Status"] == "BYPASS"
    assert with_cookie.headers["X-Cache-Status"] == "BYPASS"
    # a page carries a CSRF token in a session cookie: it is never stored, so no visitor gets
    # another visitor's token
    pages = [requests.get(f"{URL}/dataset/", timeout=30) for _ in range(2)]
    assert [p.headers["X-Cache-Status"] for p in pages] == ["MISS", "MISS"]
    tokens = [re.search(r'name="_csrf_token" content="([^"]+)"', p.text).group(1) for p in pages]
    assert tokens[0] != tokens[1]


def _session_cookie(response: requests.Response) -> str:
    """CKAN's session cookie, read as a browser reads it. CKAN sends it with an empty
    ``Domain=``, which browsers take as "this host only" and requests' cookie jar mishandles, so
    the tests carry the cookie themselves."""
    match = re.search(r"(?:^|,\s*)ckan=([^;]+)", response.headers.get("Set-Cookie", ""))
    assert match, response.headers
    return match.group(1)


def _login(base: str) -> dict[str, str]:
    """Log in through the form of ``base`` as a browser does; the session's cookies."""
    form = requests.get(f"{base}/user/login", timeout=30)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
    done = requests.post(
        f"{base}/user/login",
        data={"login": "ops-admin", "password": PASSWORD, "_csrf_token": token},
        cookies={"ckan": _session_cookie(form)},
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code == 302, done.text[:3000]
    return {"ckan": _session_cookie(done)}


def test_a_login_on_one_web_node_is_valid_on_the_other(admin):
    cookies = _login(NODES[0])
    for base in (*NODES, URL):
        page = requests.get(f"{base}/dashboard/datasets", cookies=cookies, timeout=30, allow_redirects=False)
        assert page.status_code == 200, base
        assert "ops-admin" in page.text
    through_nginx = requests.get(f"{URL}/dataset/", cookies=cookies, timeout=30)
    assert through_nginx.headers["X-Cache-Status"] == "BYPASS"
    assert "private" in through_nginx.headers["Cache-Control"]


def _publish(admin: dict[str, str], base: str) -> str:
    """Create and publish a dataset through the web node ``base``; its name."""
    name = f"penduduk-{uuid.uuid4().hex[:8]}"
    data = example_dataset(name=name, owner_org="disdukcapil", kode_urusan="2.12")
    created = api(base, "package_create", admin["token"], **data)
    api(base, "satudata_submit", admin["token"], id=created["id"])
    reason = "Uji operasi: diperiksa"
    api(base, "satudata_publish", admin["token"], id=created["id"], override_reason=reason)
    return name


def test_a_dataset_published_through_one_node_is_found_through_the_other_at_once(admin):
    feed_before = requests.get(f"{NODES[1]}/catalog.ttl", timeout=60).text  # node B's caches warm
    name = _publish(admin, NODES[0])
    found = api(NODES[1], "package_search", q=f"name:{name}")
    assert [d["name"] for d in found["results"]] == [name]
    # the feed's fragments and page cache live in Redis, shared: node B's feed has it too
    assert name not in feed_before
    assert name in requests.get(f"{NODES[1]}/catalog.ttl", timeout=60).text


def solrcloud(*args: str) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "solrcloud.sh"), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _what_the_public_finds() -> tuple[list[str], int, str]:
    """The published datasets by name (search API), their count, and the DCAT feed's dataset
    URIs, read through a web node (past nginx's cache)."""
    search = api(NODES[1], "package_search", rows=1000, sort="name asc")
    feed = requests.get(f"{NODES[1]}/catalog.ttl", timeout=60)
    assert feed.status_code == 200
    uris = sorted(set(re.findall(r"<(http[^>]+/dataset/[^>/]+)>", feed.text)))
    return [d["name"] for d in search["results"]], search["count"], "\n".join(uris)


def test_search_and_the_feed_answer_the_same_with_one_solr_node_stopped(admin):
    _publish(admin, NODES[0])
    _publish(admin, NODES[1])
    before = _what_the_public_finds()
    assert before[1] >= 2
    solrcloud("stop-node", "0")
    try:
        assert _what_the_public_finds() == before
        assert requests.get(f"{URL}/health", timeout=30).json()["checks"]["solr"] == "ok"
    finally:
        solrcloud("start-node", "0")  # and waits until its replica has caught up
    assert _what_the_public_finds() == before


def test_a_web_node_killed_under_load_loses_no_get_that_nginx_can_retry():
    results: list[int] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                response = requests.get(f"{URL}/api/3/action/status_show?__no_cache__=1", timeout=30)
                results.append(response.status_code)
            except requests.RequestException:
                results.append(0)

    before = pid("web-0")
    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    os.kill(before, 9)  # the node dies at once: no graceful stop
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join()
    assert results and set(results) == {200}, {code: results.count(code) for code in set(results)}
    # and the supervisor brought the node back
    wait_for(lambda: pid("web-0") not in (0, before), 60, "web-0 restarted")
    wait_for(lambda: requests.get(f"{NODES[0]}/health", timeout=10).status_code == 200, 90, "web-0 serves")


@pytest.mark.parametrize("program", ["worker-0", "scheduler"])
def test_a_killed_worker_or_scheduler_is_started_again(program):
    before = pid(program)
    os.kill(before, 9)
    wait_for(lambda: pid(program) not in (0, before), 60, f"{program} restarted")
    wait_for(
        lambda: re.search(rf"satudata:{program}\s+RUNNING", supervisorctl("status")), 60, f"{program} runs"
    )
    body = wait_for(
        lambda: (r := requests.get(f"{URL}/health", timeout=30)).status_code == 200 and r.json(),
        90, "the stack is healthy again",
    )  # fmt: skip
    assert json.dumps(body)
