"""The walidata's path: find the clerk's submitted dataset in the review queue, return it with
a note, and, once the clerk has answered the note and resubmitted it, publish it for everyone.

It follows the dataset test_01 submitted; run alone, it has nothing to review and is skipped.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from . import story
from .ui import (
    DOWNLOAD,
    MANAGE,
    PUBLISH,
    RETURN,
    SUBMIT,
    UPDATE_DATASET,
    log_in,
    state_badge,
    words,
)

NOTE = "Mohon lengkapi Klasifikasi: data disajikan menurut kecamatan dan tahun."


def _row(page: Page):
    """The dataset's row in a queue table."""
    return page.get_by_role("row").filter(has=page.locator(f'a[href$="{story.URL}"]'))


def test_walidata_returns_the_dataset_with_a_note_then_publishes_it(new_context, shot) -> None:
    walidata: Page = new_context().new_page()
    log_in(walidata, "walidata")
    walidata.get_by_role("link", name="Antrean Verifikasi").click()
    expect(walidata.get_by_role("heading", level=1, name="Antrean Verifikasi")).to_be_visible()
    if not _row(walidata).count():
        pytest.skip("no submitted dataset of the clerk's story: run test_01_produsen first")
    expect(_row(walidata)).to_contain_text("Dinas Kesehatan")
    expect(_row(walidata)).to_contain_text("Diajukan")
    shot("antrean-verifikasi-walidata", on=walidata)

    _row(walidata).get_by_role("link", name=story.TITLE).click()
    expect(walidata).to_have_url(re.compile(rf"{story.URL}$"))
    expect(state_badge(walidata)).to_have_text("Diajukan")
    shot("dataset-diajukan-dibuka-walidata", on=walidata)

    walidata.get_by_label("Catatan").fill(NOTE)
    walidata.get_by_role("button", name=RETURN).click()
    expect(state_badge(walidata)).to_have_text("Dikembalikan")
    expect(walidata.locator("#riwayat-verifikasi")).to_contain_text(NOTE)
    shot("dataset-dikembalikan-dengan-catatan", on=walidata)

    # The clerk sees the note on "Data OPD Saya", answers it and submits the dataset again.
    clerk: Page = new_context().new_page()
    log_in(clerk, "produsen-dinkes")
    clerk.get_by_role("link", name="Data OPD Saya").click()
    expect(_row(clerk)).to_contain_text("Dikembalikan")
    expect(_row(clerk)).to_contain_text(NOTE)
    shot("data-opd-saya-catatan-walidata", on=clerk)
    _row(clerk).get_by_role("link", name=story.TITLE).click()
    clerk.get_by_role("link", name=MANAGE).click()
    clerk.get_by_label("Klasifikasi").fill("Menurut kecamatan dan tahun")
    shot("produsen-melengkapi-klasifikasi", on=clerk)
    clerk.get_by_role("button", name=UPDATE_DATASET).click()
    expect(clerk).to_have_url(re.compile(rf"{story.URL}$"))
    expect(clerk.get_by_role("cell", name="Menurut kecamatan dan tahun", exact=True)).to_be_visible()
    clerk.get_by_role("button", name=SUBMIT).click()
    expect(state_badge(clerk)).to_have_text("Diajukan")
    shot("produsen-mengajukan-kembali", on=clerk)

    walidata.reload()
    expect(state_badge(walidata)).to_have_text("Diajukan")
    walidata.get_by_label("Catatan").fill("Metadata lengkap; data diterbitkan.")
    # The data quality gate (#5): the clerk's latest figures are for 2024, so the yearly update
    # is overdue by now ("stale"), a warning the walidata publishes past with a recorded reason.
    expect(walidata.locator(".satudata-quality-gate")).to_contain_text("2024")
    walidata.get_by_label("Alasan tetap menerbitkan meskipun ada peringatan").fill(
        "Data 2025 masih direkapitulasi puskesmas; data 2024 diterbitkan lebih dulu."
    )
    shot("walidata-alasan-peringatan-kualitas", on=walidata)
    walidata.get_by_role("button", name=PUBLISH).click()
    expect(state_badge(walidata)).to_have_text("Terbit")
    shot("dataset-diterbitkan-walidata", on=walidata)

    _the_public_sees_it(new_context(), shot)


def _the_public_sees_it(context: BrowserContext, shot) -> None:
    """An anonymous visitor finds the published dataset by searching, opens it and downloads
    exactly the file the clerk uploaded."""
    public = context.new_page()
    public.goto("/dataset/")
    public.get_by_role("main").get_by_role("textbox").first.fill("Tuberkulosis")
    public.keyboard.press("Enter")
    expect(public).to_have_url(re.compile(r"q=Tuberkulosis"))
    result = public.get_by_role("link", name=story.TITLE).and_(public.locator(f'a[href$="{story.URL}"]'))
    expect(result).to_be_visible()
    shot("publik-menemukan-dataset", on=public)
    result.click()
    expect(public.get_by_role("main").get_by_role("heading", level=1, name=story.TITLE)).to_be_visible()
    expect(public.get_by_text(words("Privat", "Private"))).to_have_count(0)
    shot("publik-membuka-dataset", on=public)

    public.get_by_role("link", name=story.RESOURCE_NAME, exact=True).first.click()
    with public.expect_download() as download_info:
        public.get_by_role("link", name=DOWNLOAD).first.click()
    assert download_info.value.path().read_text(encoding="utf-8") == story.csv_text()
    shot("publik-mengunduh-berkas-produsen", on=public)
