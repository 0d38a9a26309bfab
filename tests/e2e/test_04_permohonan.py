"""A member of the public who cannot find the data asks for it (permohonan data): the form, the
private link that shows the whole request, and the public list that never shows who asked."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .ui import words

REQUESTER = {
    "name": "Rina Wulandari",
    "email": "rina.wulandari@mahasiswa.example.id",
    "institution": "Universitas Balikpapan",
    "purpose": "Penelitian skripsi tentang faktor risiko stunting di wilayah pesisir Balikpapan.",
}
WANTED = {
    "data_description": "Jumlah balita stunting per kelurahan di Kecamatan Balikpapan Utara, menurut jenis kelamin.",
    "period": "2020-2025, tahunan",
}


def _field(page: Page, name: str):
    """The request form's field called ``name`` (the form's documented field names)."""
    return page.locator(f"form#satudata-request-form [name='{name}']")


def test_public_requests_data_and_follows_it_by_private_link(page: Page, shot) -> None:
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name=words("Permohonan Data")).click()
    expect(page).to_have_url(re.compile(r"/permohonan-data/?$"))
    shot("daftar-permohonan-data")

    page.get_by_role("main").get_by_role("link", name=words("Ajukan permohonan data")).click()
    expect(page).to_have_url(re.compile(r"/permohonan-data/baru$"))
    shot("formulir-permohonan-kosong")

    for name, value in {**REQUESTER, **WANTED}.items():
        _field(page, name).fill(value)
    _field(page, "area").select_option("64.71.03")
    _field(page, "organization").select_option("dinkes")
    # the robots' trap stays empty and out of a person's sight
    expect(_field(page, "website")).to_have_value("")
    expect(_field(page, "website")).not_to_be_in_viewport()
    shot("formulir-permohonan-terisi")
    page.get_by_role("button", name=words("Kirim permohonan")).click()

    expect(page).to_have_url(re.compile(r"/permohonan-data/[^/?]+\?token=.+"))
    reference = re.search(r"/permohonan-data/([^/?]+)\?", page.url).group(1)
    shown = page.get_by_role("main")
    expect(shown.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(shown).to_contain_text(WANTED["data_description"])
    expect(shown).to_contain_text("Kec. Balikpapan Utara")
    expect(shown).to_contain_text("Dinas Kesehatan")
    # the private link shows the requester their own personal data
    expect(shown).to_contain_text(REQUESTER["name"])
    expect(shown).to_contain_text(REQUESTER["email"])
    shot("permohonan-terkirim-tautan-pribadi")

    page.goto("/permohonan-data")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text(WANTED["data_description"])
    expect(page.get_by_role("main")).not_to_contain_text(REQUESTER["email"])
    expect(page.get_by_role("main")).not_to_contain_text(REQUESTER["name"])
    shot("daftar-permohonan-tanpa-data-pribadi")

    row.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(WANTED["data_description"])
    expect(page.get_by_role("main")).not_to_contain_text(REQUESTER["email"])
    shot("permohonan-publik-tanpa-data-pribadi")
