"""The portal's own pages have the structure assistive technology navigates by.

A screen reader user jumps to the main content ("Skip to main content", or the list of
landmarks) and learns what the page is from its one first-level heading. So every page of the
verification workflow, of the data requests and of the quality dashboard, like CKAN's own
pages, has exactly one main landmark, and exactly one h1, inside it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_workflow_people
from tests.views.test_requests_ui import _submitted


@pytest.fixture
def site(app, clean_db, clean_index, clean_queues):
    """The workflow people, and a data request sent with the form: its private link."""
    tokens = make_workflow_people()
    private = urlsplit(_submitted(app))
    return tokens, f"{private.path}?{private.query}"


# (page, viewer): {private} is the requester's private link, {public} the request's public page
PAGES = [
    ("/verifikasi/antrean", "walidata"),
    ("/verifikasi/antrean?state=draft&min_age_days=x", "walidata"),  # a bad filter, explained
    ("/verifikasi/data-opd-saya", "produsen-dinkes"),
    ("/permohonan-data", None),
    ("/permohonan-data", "walidata"),
    ("/permohonan-data/baru", None),
    ("{private}", None),
    ("{public}", None),
    ("{public}", "walidata"),
    ("/dasbor-kualitas", None),
    ("/dasbor-kualitas", "walidata"),
    ("/", None),
    ("/dataset/", None),
]


@pytest.mark.parametrize(("path", "viewer"), PAGES, ids=[f"{p} ({v or 'anonymous'})" for p, v in PAGES])
def test_one_main_landmark_with_one_h1(app, site, path, viewer):
    tokens, private = site
    url = path.format(private=private, public=private.split("?")[0])
    res = app.get(url, headers={"Authorization": tokens[viewer]} if viewer else {})
    assert res.status_code == 200, res.status_code
    page = BeautifulSoup(res.body, "html.parser")
    mains = page.select("main, [role=main]")
    assert len(mains) == 1, [m.name + str(m.attrs) for m in mains]
    headings = page.select("h1")
    assert len(headings) == 1, [h.get_text(" ", strip=True) for h in headings]
    assert mains[0] in headings[0].parents


def test_a_form_sent_back_with_mistakes_keeps_the_structure(app, site):
    res = app.post("/permohonan-data/baru", data={"name": ""}, environ_base={"REMOTE_ADDR": "198.51.100.30"})
    page = BeautifulSoup(res.body, "html.parser")
    assert len(page.select("main, [role=main]")) == 1
    assert len(page.select("h1")) == 1
