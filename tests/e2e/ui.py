"""What the browser stories share: the UI's wording and the steps every person takes.

CKAN core's Indonesian strings (buttons such as "Next: Add Data") are being completed by the
portal's translation (#7); until then each pattern below accepts the glossary's wording and
the one CKAN ships. Change the wording here, in one place.
"""

from __future__ import annotations

import os
import re

from playwright.sync_api import Locator, Page, expect

# Every demo user's password (README, "Demo users").
PASSWORD = os.environ.get("SATUDATA_DEMO_PASSWORD", "Balikpapan#2026")


def words(*alternatives: str) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``alternatives`` as the whole accessible
    name, give or take an icon (Font Awesome glyphs are part of the name) or punctuation.
    Written so that the browser's JavaScript regular expressions read it too."""
    escaped = (re.escape(a).replace("\\ ", " ") for a in alternatives)
    return re.compile(r"^\W*(" + "|".join(escaped) + r")\W*$", re.I)


LOG_IN = words("Masuk")
SEARCH_NAV = words("Dataset", "Kumpulan data")
DOWNLOAD = words("Unduh", "Download")
EDIT = words("Ubah", "Edit")
MANAGE = words("Kelola", "Ubah", "Manage")
UPDATE_DATASET = words("Perbarui Dataset", "Simpan", "Update Dataset")
ADD_DATASET = words("Tambah Dataset", "Tambah Kumpulan data")
NEXT_ADD_DATA = words("Berikutnya: Tambah Data", "Lanjut: Tambah Data", "Next: Add Data")
# The last button of the new dataset's file step. It saves a draft, and publishes nothing: the
# portal labels it "Selesai" on CKAN 2.12 too, where CKAN says "Publish".
FINISH = words("Selesai")
# The workflow's own wording (the extension's catalogue).
DRAFT = words("Draf")
SUBMIT = words("Ajukan untuk verifikasi")
RETURN = words("Kembalikan ke produsen")
PUBLISH = words("Terbitkan")


def log_in(page: Page, user: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as ``user``, and land on a page that names them."""
    page.goto("/user/login")
    page.locator("input[name=login]").fill(user)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("main").get_by_role("button", name=LOG_IN).click()
    expect(page.locator(f'a[href$="/user/{user}"]').first).to_be_attached()


def state_badge(page: Page) -> Locator:
    """The verification state badge of the dataset page's workflow panel."""
    return page.locator("#satudata-workflow .satudata-state")
