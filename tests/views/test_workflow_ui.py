"""The verification workflow in the web UI, as its users walk it.

A produsen creates a dataset with the form and submits it; the walidata finds it in the queue
and returns it with a note; the produsen sees the note on "Data OPD saya", fixes the dataset
and submits again; the walidata publishes; the public finds it, and its "Riwayat Verifikasi"
shows every step with actor and time.
"""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from tests.conftest import create_dataset, make_workflow_people
from tests.test_form import _form_data


@pytest.fixture
def users(clean_db, clean_index):
    return {name: {"Authorization": token} for name, token in make_workflow_people().items()}


def _page(res) -> BeautifulSoup:
    assert res.status_code == 200, res.status_code
    return BeautifulSoup(res.body, "html.parser")


def _buttons(app, name, headers) -> list[str]:
    page = _page(app.get(f"/dataset/{name}", headers=headers))
    return [b.get_text(strip=True) for b in page.select(".satudata-workflow-actions button")]


def _step(app, name, action, headers, note="", **fields):
    res = app.post(
        f"/dataset/{name}/verifikasi/{action}", data={"note": note, **fields}, headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    assert res.status_code == 302, res.body[:500]
    return res


def test_the_full_verification_path_in_the_web_ui(app, users):
    clerk, walidata = users["produsen-dinkes"], users["walidata"]
    name = "kasus-dbd-per-kelurahan"

    # the clerk creates the dataset with the Indonesian form and adds a CSV link
    form = _page(app.get("/dataset/new", headers=clerk))
    hidden = {i["name"]: i.get("value", "") for i in form.select("form#dataset-edit input[type=hidden]")}
    data = _form_data()
    data.update(hidden)
    assert app.post("/dataset/new", data=data, headers=clerk, follow_redirects=False).status_code == 302
    res = app.post(
        f"/dataset/{name}/resource/new",
        data={"id": "", "url": "https://data.balikpapan.go.id/dbd-2025.csv", "name": "DBD 2025", "format": "CSV", "periode": "2025", "save": "go-metadata"},
        headers=clerk, follow_redirects=False,
    )  # fmt: skip
    assert res.status_code == 302

    # the clerk sees the draft and the submit button, nothing else
    assert _buttons(app, name, clerk) == ["Ajukan untuk verifikasi"]
    _step(app, name, "submit", clerk)
    assert _buttons(app, name, clerk) == []

    # the walidata finds it in the queue and returns it with a note
    queue = _page(app.get("/verifikasi/antrean", headers=walidata))
    assert name in [tr["data-dataset"] for tr in queue.select("table.satudata-queue tbody tr")]
    # ... with a notice of the submission
    assert "Ajukan untuk verifikasi" in queue.select_one(".satudata-notices").get_text()
    assert set(_buttons(app, name, walidata)) == {
        "Kembalikan ke produsen",
        "Terbitkan",
        "Catatan pemeriksaan",
    }
    _step(app, name, "return", walidata, "Lengkapi definisi operasional kasus DBD")

    # the clerk sees the returned dataset and the note on "Data OPD saya"
    mine = _page(app.get("/verifikasi/data-opd-saya", headers=clerk))
    row = mine.select_one(f"tr[data-dataset={name}]")
    assert "Dikembalikan" in row.get_text() and "Lengkapi definisi operasional" in row.get_text()
    notice = mine.select_one(".satudata-notice-return").get_text(" ", strip=True)
    assert (
        "Kembalikan ke produsen" in notice
        and "walidata" in notice
        and "Lengkapi definisi operasional" in notice
    )

    # the clerk fixes the definition with the edit form and submits again
    edit = _page(app.get(f"/dataset/edit/{name}", headers=clerk))
    fixed = _form_data(
        definisi="Penderita DBD terkonfirmasi laboratorium (NS1 atau IgM positif) dalam satu tahun."
    )
    fixed.update({i["name"]: i.get("value", "") for i in edit.select("form#dataset-edit input[type=hidden]")})
    fixed["save"] = ""
    assert (
        app.post(f"/dataset/edit/{name}", data=fixed, headers=clerk, follow_redirects=False).status_code
        == 302
    )
    _step(app, name, "submit", clerk)

    # the walidata publishes, past the warning that the linked file could not be checked (#5)
    _step(app, name, "publish", walidata, override_reason="Berkas diperiksa langsung di server Dinkes")

    # the public finds it, sees it verified, and reads the history
    search = _page(app.get("/dataset/", query_string={"q": "Demam Berdarah"}))
    assert name in [a["href"].rsplit("/", 1)[-1] for a in search.select(".dataset-heading a")]
    page = _page(app.get(f"/dataset/{name}"))
    assert "Terverifikasi Walidata pada" in page.select_one(".satudata-workflow").get_text()
    rows = page.select("#riwayat-verifikasi tbody tr")
    steps = [
        (
            r.select("td")[1].get_text(" ", strip=True).split(" Berubah")[0],
            r.select("td")[3].get_text(strip=True),
        )
        for r in rows
    ]
    assert [s for s, _ in steps] == [
        "Dibuat",
        "Ajukan untuk verifikasi",
        "Kembalikan ke produsen",
        "Ajukan untuk verifikasi",
        "Terbitkan",
    ]
    assert [a for _, a in steps] == [
        "produsen-dinkes (produsen)",
        "produsen-dinkes (produsen)",
        "walidata (walidata)",
        "produsen-dinkes (produsen)",
        "walidata (walidata)",
    ]
    assert all(r.select("td")[0].get_text(strip=True) for r in rows)  # every step has its time


def test_a_step_without_its_required_note_is_explained(app, users):

    create_dataset(user="produsen-dinkes", name="dbd")
    _step(app, "dbd", "submit", users["produsen-dinkes"])
    res = app.post("/dataset/dbd/verifikasi/return", data={"note": ""}, headers=users["walidata"])
    assert "Catatan wajib diisi" in res.body


def test_the_walidata_exports_the_history_as_csv_and_others_may_not(app, users):

    create_dataset(user="produsen-dinkes", name="dbd")
    _step(app, "dbd", "submit", users["produsen-dinkes"])
    res = app.get("/verifikasi/riwayat.csv", headers=users["walidata"])
    assert res.status_code == 200 and res.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.body)))
    assert [(r["package_name"], r["action"], r["actor_name"], r["owner_org"]) for r in rows] == [
        ("dbd", "create", "produsen-dinkes", "dinkes"),
        ("dbd", "submit", "produsen-dinkes", "dinkes"),
    ]
    assert app.get("/verifikasi/riwayat.csv", headers=users["produsen-dinkes"]).status_code == 403
    assert app.get("/verifikasi/riwayat.csv").status_code == 403
    assert (
        app.get(
            "/verifikasi/riwayat.csv?owner_org=dinkes&since=2020-01-01", headers=users["walidata"]
        ).status_code
        == 200
    )


def test_the_history_export_shows_formulas_as_text_and_refuses_an_odd_opd(app, users):
    """A title typed as a spreadsheet formula is exported as text (CSV injection), and an
    ``owner_org`` no organisation can have is "not found", not a server error."""

    create_dataset(user="produsen-dinkes", name="rumus", title='=HYPERLINK("http://x.invalid","klik")')
    res = app.get("/verifikasi/riwayat.csv", headers=users["walidata"])
    rows = list(csv.DictReader(io.StringIO(res.body)))
    assert {r["package_title"] for r in rows} == {'\'=HYPERLINK("http://x.invalid","klik")'}
    for odd in ("%00", "din%00kes"):
        assert (
            app.get(f"/verifikasi/riwayat.csv?owner_org={odd}", headers=users["walidata"]).status_code == 404
        )


def test_the_queue_needs_a_login(app, users):
    assert app.get("/verifikasi/antrean").status_code == 403
