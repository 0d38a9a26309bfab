"""The quality pages: "Dasbor Kualitas Data", the score on the dataset page and the
scorecard on the OPD page.

Everyone sees the dashboard of published data: OPDs ranked by score, and three charts drawn
as inline SVG (score per OPD, datasets published per month, late datasets per OPD). The
walidata see the full dashboard at the same address, with every dataset's state counted;
the public never sees an unpublished dataset or those counts.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import create_dataset
from tests.logic.test_quality_report import SECRET, quality_portal, upload_broken_csv  # noqa: F401 (fixture)


@pytest.fixture
def site(quality_portal):  # noqa: F811
    """The portal of tests/logic/test_quality_report.py: API tokens by user name."""
    return quality_portal


CHART_IDS = ("satudata-chart-skor-opd", "satudata-chart-terbit-per-bulan", "satudata-chart-terlambat-opd")


def _get(app, path: str, token: str | None = None) -> BeautifulSoup:
    res = app.get(path, headers={"Authorization": token} if token else {})
    assert res.status_code == 200, res.status_code
    assert SECRET not in res.body or token, "an unpublished dataset leaked to the public"
    return BeautifulSoup(res.body, "html.parser")


def _ranking(page: BeautifulSoup) -> dict[str, dict[str, str]]:
    out = {}
    for row in page.select("table.satudata-ranking tbody tr"):
        cells = {td["data-column"]: td.get_text(strip=True) for td in row.select("td[data-column]")}
        cells.update({td["data-state"]: td.get_text(strip=True) for td in row.select("td[data-state]")})
        out[row["data-opd"]] = cells
    return out


def test_the_public_dashboard_ranks_opds_with_real_charts(app, site):
    page = _get(app, "/dasbor-kualitas")
    assert page.h1.get_text(strip=True) == "Dasbor Kualitas Data"
    assert len(page.select("main, [role=main]")) == 1 and len(page.select("h1")) == 1
    for chart_id in CHART_IDS:
        figure = page.find("figure", id=chart_id)
        assert figure is not None, chart_id
        svg = figure.find("svg")
        assert svg is not None and svg["role"] == "img" and svg.find("title"), chart_id
    # the score chart draws one bar per OPD with published data
    assert len(page.find("figure", id=CHART_IDS[0]).select("svg g.satudata-bar rect")) == 2
    # this month's bar holds the three publications
    months = page.find("figure", id=CHART_IDS[1]).select("table tbody tr")
    assert len(months) == 12 and months[-1].select("td")[-1].get_text(strip=True) == "3"
    ranking = _ranking(page)
    assert list(ranking) == ["disdukcapil", "dinkes", "diskominfo"]
    assert ranking["dinkes"]["published"] == "2" and ranking["dinkes"]["late"] == "1"
    assert not page.select("th.satudata-state-count") and "draft" not in ranking["dinkes"]
    assert "Data Rahasia" not in page.get_text()


def test_the_walidata_dashboard_adds_every_dataset_by_state(app, site):
    tokens = site
    page = _get(app, "/dasbor-kualitas", tokens["walidata"])
    assert page.select_one(".satudata-dashboard")["data-variant"] == "lengkap"
    assert len(page.select("th.satudata-state-count")) == 5
    dinkes = _ranking(page)["dinkes"]
    assert (dinkes["draft"], dinkes["terbit"], dinkes["published"]) == ("1", "2", "2")
    for chart_id in CHART_IDS:
        assert page.find("figure", id=chart_id).find("svg") is not None
    # and what the public sees, on request
    public = _get(app, "/dasbor-kualitas?publik=1", tokens["walidata"])
    assert public.select_one(".satudata-dashboard")["data-variant"] == "publik"
    assert not public.select("th.satudata-state-count")
    # a producer sees the public dashboard
    produsen = _get(app, "/dasbor-kualitas", tokens["produsen-dinkes"])
    assert produsen.select_one(".satudata-dashboard")["data-variant"] == "publik"


def test_the_dashboard_is_in_the_main_menu_and_speaks_english_too(app, site):
    home = _get(app, "/")
    link = home.select_one('header a[href="/dasbor-kualitas"]')
    assert link is not None and link.get_text(strip=True) == "Kualitas Data"
    english = _get(app, "/en/dasbor-kualitas")
    assert english.h1.get_text(strip=True) == "Data quality dashboard"
    assert "How the score is computed" in english.get_text()


def test_the_review_queue_links_to_the_dashboard(app, site):
    page = _get(app, "/verifikasi/antrean", site["walidata"])
    assert page.select_one('a[href="/dasbor-kualitas"]') is not None


def test_the_dataset_page_shows_the_score_and_its_breakdown(app, site):
    report = app.get("/api/3/action/satudata_quality_report", query_string={"id": "kasus-dbd"}).json["result"]
    page = _get(app, "/dataset/kasus-dbd")
    section = page.find("section", id="kualitas")
    assert section is not None
    assert section.select_one("[data-score]").get_text(strip=True) == str(report["score"])
    rows = {tr["data-part"]: tr for tr in section.select("tr.satudata-quality-part")}
    assert list(rows) == ["kelengkapan", "ketepatan_waktu", "keterbukaan", "validitas"]
    text = section.get_text(" ", strip=True)
    for label in ("Kelengkapan", "Ketepatan Waktu", "Keterbukaan", "Validitas"):
        assert label in text
    # plain Indonesian: what is missing, the next due date, the files' formats
    assert "ID MS-Keg" in rows["kelengkapan"].get_text()
    assert "Maret 2027" in rows["ketepatan_waktu"].get_text()
    assert "0 dari 1 berkas" in rows["keterbukaan"].get_text() and "PDF" in rows["keterbukaan"].get_text()
    assert "belum dinilai" in rows["validitas"].get_text()


def test_the_dataset_page_lists_the_open_findings_with_row_and_column(app, site):
    dataset = create_dataset(name="dbd-kecamatan", title="Kasus DBD per Kecamatan")
    upload_broken_csv(dataset["id"])
    section = _get(app, "/dataset/dbd-kecamatan", site["walidata"]).find("section", id="kualitas")
    [item] = section.select("li.satudata-finding")
    assert item["data-code"] == "type_error"
    text = item.get_text(" ", strip=True)
    assert "Kesalahan" in text and "dbd-2025.csv" in text
    assert 'Baris 3, kolom "jumlah": nilai "1O" bukan bilangan bulat' in text
    validity = section.select_one('tr[data-part="validitas"]').get_text(" ", strip=True)
    assert "75" in validity and "1 kesalahan dan 0 peringatan" in validity


def test_the_opd_page_shows_its_scorecard(app, site):
    tokens = site
    page = _get(app, "/organization/dinkes")
    card = page.find("section", id="rapor-kualitas")
    assert card is not None
    figures = {dd["data-figure"]: dd.get_text(strip=True) for dd in card.select("dd[data-figure]")}
    assert figures["published"] == "2" and figures["late"] == "1"
    expected = app.get("/api/3/action/satudata_opd_scorecard", query_string={"id": "dinkes"}).json["result"]
    assert card.select_one(".satudata-scorecard-score").get_text(strip=True) == str(
        expected["published"]["score"]
    )
    assert card.select_one("table.satudata-scorecard-states") is None
    assert "Data Rahasia" not in card.get_text()

    walidata = _get(app, "/organization/dinkes", tokens["walidata"]).find("section", id="rapor-kualitas")
    states = {td["data-state"]: td.get_text(strip=True) for td in walidata.select("td[data-state]")}
    assert states["draft"] == "1" and states["terbit"] == "2"
