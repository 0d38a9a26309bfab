"""Browser tests: the portal's user stories, in its Indonesian UI, in headless Chromium.

``make test-e2e`` (scripts/e2e.sh) runs them against a freshly seeded portal of their own and
sets the environment they read:

- ``SATUDATA_E2E_URL``: the portal's base URL, e.g. http://127.0.0.1:5055;
- ``SATUDATA_E2E_ARTIFACTS``: where screenshots go, one folder per test (``.work/e2e-artifacts``);
- ``SATUDATA_CHROMIUM``: the Chromium binary (Debian's ``/usr/bin/chromium``). Playwright
  drives it; it never downloads a browser of its own.

One browser serves the session, and each test gets a fresh browser context (no cookies of
another test). ``shot("step")`` saves a full-page screenshot as ``<test>/<nn>-step.png``.
When a test fails, every page it opened is saved as ``zz-failure-<n>.png`` and ``.html``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

BASE_URL = os.environ.get("SATUDATA_E2E_URL", "").rstrip("/")
ARTIFACTS = Path(
    os.environ.get("SATUDATA_E2E_ARTIFACTS") or Path(__file__).parents[2] / ".work" / "e2e-artifacts"
)
CHROMIUM = os.environ.get("SATUDATA_CHROMIUM", "/usr/bin/chromium")
# How long a step may take: CKAN's development server renders a page in well under a second,
# but the first page of each kind compiles its templates.
TIMEOUT_MS = 20_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item, so fixtures can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def base_url() -> str:
    """The running portal's URL; the browser tests need ``make test-e2e`` to start it."""
    if not BASE_URL:
        pytest.fail("the browser tests need a running portal: run them with `make test-e2e`", pytrace=False)
    return BASE_URL


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, base_url: str) -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` or set SATUDATA_CHROMIUM")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


def _test_dir(item: pytest.Item) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name).strip("-")
    module = Path(str(item.path)).stem
    return ARTIFACTS / f"{module}.{name}"


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """This test's folder of screenshots, emptied at its start."""
    folder = _test_dir(request.node)
    if folder.exists():
        for old in folder.iterdir():
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def new_context(
    browser: Browser, base_url: str, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of fresh browser contexts (one per person in the story); all are closed at the
    end, after the pages of a failed test were saved."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            base_url=base_url,
            locale="id-ID",
            timezone_id="Asia/Makassar",  # Balikpapan: WITA
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None) or getattr(request.node, "report_setup", None)
    if report is not None and report.failed:
        pages = [page for context in contexts for page in context.pages if page.url != "about:blank"]
        for n, page in enumerate(pages, start=1):
            try:
                page.screenshot(path=str(artifacts / f"zz-failure-{n}.png"), full_page=True)
                (artifacts / f"zz-failure-{n}.html").write_text(
                    f"<!-- {page.url} -->\n{page.content()}", encoding="utf-8"
                )
            except Exception as error:  # a crashed page must not hide the test's own failure
                (artifacts / f"zz-failure-{n}.txt").write_text(f"{page.url}\n{error}\n", encoding="utf-8")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[[], BrowserContext]) -> Page:
    """A page in a fresh browser context: an anonymous visitor until it logs in."""
    return new_context().new_page()


@pytest.fixture
def shot(artifacts: Path, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shot("step")`` saves a full-page screenshot of the test's ``page`` (or of
    ``on=<another page>``) as the test's next numbered step."""
    count = 0

    def take(name: str, on: Page | None = None) -> Path:
        nonlocal count
        count += 1
        path = artifacts / f"{count:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}.png"
        (on or request.getfixturevalue("page")).screenshot(path=str(path), full_page=True)
        return path

    return take
