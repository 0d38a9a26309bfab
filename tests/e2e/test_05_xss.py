"""Stored script never runs (#14): a produsen and a member of the public write script into
every text they can (a dataset's title and description, a file's name and description, a
CSV's headers and cells, which become the Table Schema's titles, a workbook's sheet name, the
note of a submission, a data request), and the walidata, logged in, opens every page that
shows them. In a real Chromium, no payload runs: not one handler fires, no dialog opens, no
``javascript:`` link is offered; the payloads are shown as the text they are.

Each payload, were it to run, adds one to ``window.__xss``; the page starts at 0.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from .ui import log_in

RUN = "window.__xss=(window.__xss||0)+1"
PAYLOADS = [
    f'<img src=x onerror="{RUN}">',
    f'"><script>{RUN}</script>',
    f"<svg/onload={RUN}>",
    f"'-{RUN}-'",
    f'<a href="javascript:{RUN}">tautan</a>',
    f"[tautan markdown](javascript:{RUN})",
    f'<iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',
    f"{{{{ {RUN} }}}}",
]
PAYLOAD = " ".join(PAYLOADS)
MARK = "XSS-uji-05"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "dataset.json"


def _tokens() -> dict[str, str]:
    path = os.environ.get("SATUDATA_E2E_CREDENTIALS")
    if not path:
        pytest.fail(
            "the browser tests need the demo credentials: run them with `make test-e2e`", pytrace=False
        )
    users = json.loads(Path(path).read_text())["users"]
    return {name: user["api_token"] for name, user in users.items()}


def _api(playwright_driver: Playwright, base_url: str, token: str | None):
    headers = {"Authorization": token} if token else {}
    return playwright_driver.request.new_context(base_url=base_url, extra_http_headers=headers)


def _call(api, action: str, **data) -> dict:
    response = api.post(f"/api/3/action/{action}", data=data)
    body = response.json()
    assert body["success"], (action, body)
    return body["result"]


def _upload(api, dataset_id: str, filename: str, fmt: str, content: bytes, mime: str) -> dict:
    """Upload a file through the action API, as the resource form sends it."""
    response = api.post(
        "/api/3/action/resource_create",
        multipart={"package_id": dataset_id, "name": filename, "format": fmt, "periode": "2024",
                   "upload": {"name": filename, "mimeType": mime, "buffer": content}},
    )  # fmt: skip
    body = response.json()
    assert body["success"], (filename, body)
    return body["result"]


@pytest.fixture(scope="module")
def hostile(playwright_driver: Playwright, base_url: str) -> dict[str, str]:
    """A dataset, a file and a submission written by the produsen, and a data request written
    by an anonymous visitor, every text carrying the payloads."""
    tokens = _tokens()
    produsen = _api(playwright_driver, base_url, tokens["produsen-dinkes"])
    example = json.loads(EXAMPLE.read_text())
    dataset = _call(
        produsen, "package_create", **{**example, "name": "xss-uji-05", "title": f"{MARK} {PAYLOADS[0]}",
                                       "notes": f"{MARK} {PAYLOAD}"},
    )  # fmt: skip
    resource = _call(
        produsen, "resource_create", package_id=dataset["id"], url="https://data.example.id/dbd.csv",
        format="CSV", name=f"{MARK} {PAYLOADS[2]}", description=f"{MARK} {PAYLOAD}", periode="2024",
    )  # fmt: skip
    header = ["kode_wilayah", "tahun", PAYLOADS[0], PAYLOADS[2]]
    table = ",".join(f'"{h.replace(chr(34), chr(34) * 2)}"' for h in header) + "\n"
    table += f'64.71.01,2024,17,"{PAYLOADS[1].replace(chr(34), chr(34) * 2)}"\n'
    csv_file = _upload(produsen, dataset["id"], f"{MARK}.csv", "CSV", table.encode(), "text/csv")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "<img src=x onerror=alert(1)>"  # 28 characters: a sheet name holds 31
    sheet.append(header)
    sheet.append(["64.71.01", 2024, 17, PAYLOADS[1]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    xlsx_file = _upload(produsen, dataset["id"], f"{MARK}.xlsx", "XLSX", buffer.getvalue(), xlsx_mime)
    _call(produsen, "satudata_submit", id=dataset["id"], note=f"{MARK} {PAYLOAD}")
    anonymous = _api(playwright_driver, base_url, None)
    request = _call(
        anonymous, "satudata_request_create", name=f"{MARK} {PAYLOADS[1]}", email="xss@example.org",
        institution=PAYLOADS[3], purpose=f"{MARK} {PAYLOAD}", data_description=f"{MARK} {PAYLOAD}",
    )  # fmt: skip
    produsen.dispose()
    anonymous.dispose()
    return {"dataset": dataset["name"], "resource": resource["id"], "request": request["reference"],
            "csv": csv_file["id"], "xlsx": xlsx_file["id"]}  # fmt: skip


def _watched(context: BrowserContext) -> list[str]:
    """Every dialog the pages open (an ``alert`` of a payload), dismissed and recorded."""
    dialogs: list[str] = []
    context.add_init_script("window.__xss = 0;")
    context.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_no_stored_payload_runs_on_the_walidata_s_pages(new_context, hostile, shot) -> None:
    context = new_context()
    dialogs = _watched(context)
    page: Page = context.new_page()
    log_in(page, "walidata")
    name, resource, reference = hostile["dataset"], hostile["resource"], hostile["request"]
    pages = {
        "halaman-dataset": f"/dataset/{name}",
        "sumber-data": f"/dataset/{name}/resource/{resource}",
        "berkas-csv": f"/dataset/{name}/resource/{hostile['csv']}",
        "berkas-xlsx": f"/dataset/{name}/resource/{hostile['xlsx']}",
        "aktivitas": f"/dataset/activity/{name}",
        "pencarian": f"/dataset/?q={MARK}",
        "antrean-verifikasi": "/verifikasi/antrean",
        "opd": "/organization/dinkes",
        "dasbor": "/dashboard/datasets",
        "permohonan-data": "/permohonan-data",
        "permohonan-data-rinci": f"/permohonan-data/{reference}",
        "dasbor-kualitas": "/dasbor-kualitas",
    }
    shown = 0
    for step, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # handlers of images that fail to load fire after "load"
        shot(step, on=page)
        assert page.evaluate("window.__xss") == 0, f"a stored payload ran on {url}"
        # (CKAN 2.11's select2 widgets draw their own "javascript:void(0)" anchors: no payload)
        links = page.locator("a[href^='javascript:' i]:not([href='javascript:void(0)'])")
        assert links.count() == 0, (
            url,
            [links.nth(i).evaluate("a => a.outerHTML") for i in range(links.count())],
        )
        shown += page.get_by_text(MARK).count()
    assert dialogs == []
    # the payloads were on the pages, as text
    assert shown > 0
    page.goto(f"/dataset/{name}")
    expect(page.get_by_role("main")).to_contain_text("<img src=x onerror=")
