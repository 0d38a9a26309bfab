"""The public's path, without an account: narrow the catalogue down with the search facets,
open a dataset, look at a file's preview and download the file."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from .ui import DOWNLOAD, SEARCH_NAV, words


def _facet(page: Page, title: str):
    """The search page's facet (a filter navigation) called ``title``."""
    return page.get_by_role("navigation", name=re.compile(rf"{re.escape(title)}\W*$"))


def test_public_filters_by_facets_previews_and_downloads_a_file(page: Page, shot) -> None:
    page.goto("/")
    shot("beranda")
    page.get_by_role("banner").get_by_role("link", name=SEARCH_NAV).click()
    expect(page).to_have_url(re.compile(r"/dataset/?$"))
    shot("daftar-dataset")

    _facet(page, "Sektor").get_by_text("Kesehatan", exact=True).click()
    expect(page).to_have_url(re.compile(r"sektor_kegiatan=9"))
    _facet(page, "Produsen Data (Perangkat Daerah)").get_by_text("Dinas Kesehatan", exact=True).click()
    expect(page).to_have_url(re.compile(r"organization=dinkes"))
    expect(page).to_have_url(re.compile(r"sektor_kegiatan=9"))
    # both filters are shown as active, each removable
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Sektor:\s*Kesehatan"))
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(r"Produsen Data \(Perangkat Daerah\):\s*Dinas Kesehatan")
    )
    results = page.get_by_role("main").get_by_role("heading", level=2).get_by_role("link")
    expect(results.first).to_be_visible()
    shot("hasil-filter-sektor-kesehatan-dinas-kesehatan")

    title = results.first.inner_text().strip()
    results.first.click()
    expect(page.get_by_role("main").get_by_role("heading", level=1, name=title)).to_be_visible()
    shot("halaman-dataset")

    page.get_by_role("main").locator("a[href*='/resource/']").first.click()
    expect(page).to_have_url(re.compile(r"/dataset/[^/]+/resource/[0-9a-f-]+$"))
    preview = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="kode_wilayah"))
    expect(page.get_by_role("heading", name=words("Pratinjau"))).to_be_visible()
    expect(preview).to_be_visible()
    shot("pratinjau-sumber-data")
    header = [cell.strip() for cell in preview.get_by_role("columnheader").all_inner_texts()]
    first_row = [
        cell.strip() for cell in preview.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts()
    ]

    with page.expect_download() as download_info:
        page.get_by_role("link", name=DOWNLOAD).first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    # the downloaded file is the one previewed: same columns, same first row
    assert rows[0] == header
    assert rows[1] == first_row
    assert all(row[0].startswith("64.71") for row in rows[1:])
    shot("berkas-diunduh")
