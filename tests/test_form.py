"""The dataset form as an OPD clerk sees it: Indonesian, grouped, errors beside the field."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers
from werkzeug.datastructures import MultiDict

from tests.conftest import example_dataset, make_opd_org


@pytest.fixture
def clerk(clean_db, with_plugins):
    make_opd_org("dinkes")
    user = factories.User(name="produsen-dinkes")
    helpers.call_action(
        "organization_member_create",
        context={"ignore_auth": True},
        id="dinkes",
        username=user["name"],
        role="editor",
    )
    token = factories.APIToken(user=user["name"])["token"]
    return {"Authorization": token}


def _form_data(**overrides) -> MultiDict:
    """The example dataset as the browser posts the form (repeating subfields flattened)."""
    data = example_dataset(**overrides)
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if key == "tags":
            pairs.append(("tag_string", ",".join(t["name"] for t in value)))
        elif key == "penanggung_jawab":
            for i, contact in enumerate(value):
                pairs += [(f"penanggung_jawab-{i}-{k}", v) for k, v in contact.items()]
        elif isinstance(value, list):
            pairs += [(key, v) for v in value]
        else:
            pairs.append((key, value))
    pairs.append(("save", "continue"))
    return MultiDict(pairs)


def test_the_new_dataset_form_is_in_indonesian_and_grouped(app, clerk):
    res = app.get("/dataset/new", headers=clerk)
    assert res.status_code == 200
    page = BeautifulSoup(res.body, "html.parser")
    legends = [legend.get_text(strip=True) for legend in page.select("fieldset legend")]
    assert legends[:7] == [
        "Informasi Umum",
        "Standar Data",
        "Metadata Indikator",
        "Metadata Kegiatan",
        "Cakupan",
        "Akses",
        "Kontak",
    ]
    cakupan = page.select_one("#field-group-cakupan")
    assert cakupan.select_one("#field-kode_wilayah") is not None
    assert "Cakupan Wilayah" in cakupan.get_text()
    assert page.select_one("label[for=field-sektor_kegiatan]").get_text(strip=True).endswith("Sektor")
    options = [o.get_text(strip=True) for o in page.select("#field-sektor_kegiatan option")]
    assert "Kesehatan" in options


def test_the_form_in_english(app, clerk):
    res = app.get("/en/dataset/new", headers=clerk)
    page = BeautifulSoup(res.body, "html.parser")
    legends = [legend.get_text(strip=True) for legend in page.select("fieldset legend")]
    assert "Data standard" in legends and "Coverage" in legends


def _error_beside(page: BeautifulSoup, field_id: str) -> str:
    control = page.select_one(f"#{field_id}")
    assert control is not None, field_id
    group = control.find_parent(class_="form-group") or control.find_parent(class_="control-group")
    block = group.select_one(".error-block, .invalid-feedback, .help-inline")
    return block.get_text(" ", strip=True) if block else ""


def test_a_wrong_kelurahan_code_is_shown_beside_the_field_and_nothing_is_saved(app, clerk):
    res = app.post(
        "/dataset/new",
        data=_form_data(kode_wilayah=["64.71.05.1001"]),
        headers=clerk,
    )
    assert res.status_code == 200
    page = BeautifulSoup(res.body, "html.parser")
    assert "Kode wilayah 64.71.05.1001 tidak ada di Kota Balikpapan" in _error_beside(
        page, "field-kode_wilayah"
    )
    assert helpers.call_action("package_list") == []


def test_a_valid_form_creates_the_dataset_and_moves_on_to_the_resources(app, clerk):
    page = BeautifulSoup(app.get("/dataset/new", headers=clerk).body, "html.parser")
    hidden = {i["name"]: i.get("value", "") for i in page.select("form#dataset-edit input[type=hidden]")}
    assert hidden.get("_ckan_phase") == "dataset_new_1"
    data = _form_data()
    data.update(hidden)
    res = app.post("/dataset/new", data=data, headers=clerk, follow_redirects=False)
    assert res.status_code == 302, res.body[:2000]
    assert "/dataset/kasus-dbd-per-kelurahan/resource/new" in res.headers["Location"]
    dataset = helpers.call_action("package_show", id="kasus-dbd-per-kelurahan")
    assert dataset["penanggung_jawab"][0]["nama"] == "Seksi Surveilans dan Imunisasi"
    assert dataset["kode_wilayah"] == ["64.71"]


def test_required_choices_start_blank_so_the_clerk_must_choose(app, clerk):
    page = BeautifulSoup(app.get("/dataset/new", headers=clerk).body, "html.parser")
    for field in (
        "sektor_kegiatan",
        "kode_urusan",
        "ukuran",
        "satuan",
        "frekuensi",
        "tingkat_penyajian",
    ):
        first = page.select_one(f"#field-{field} option")
        assert first.get("value", "") == "", field
    # fields with a sensible default keep it
    assert page.select_one("#field-accesslevel option[selected]")["value"] == "terbuka"


def _start_a_new_dataset(app, clerk) -> str:
    """Fill the dataset form of a new dataset, and return the address of its file step."""
    page = BeautifulSoup(app.get("/dataset/new", headers=clerk).body, "html.parser")
    data = _form_data()
    data.update({i["name"]: i.get("value", "") for i in page.select("form#dataset-edit input[type=hidden]")})
    res = app.post("/dataset/new", data=data, headers=clerk, follow_redirects=False)
    assert res.status_code == 302, res.body[:2000]
    return "/dataset/kasus-dbd-per-kelurahan/resource/new"


def test_the_file_step_ends_with_finish_not_publish(app, clerk):
    """The clerk's last button saves a draft for the walidata to verify: it must not promise
    publication (CKAN 2.12 says "Publish", 2.11 "Finish")."""
    step = _start_a_new_dataset(app, clerk)
    page = BeautifulSoup(app.get(step, headers=clerk).body, "html.parser")
    last = page.select_one("form#resource-edit button[value=go-metadata]")
    assert last.get_text(strip=True) == "Selesai"
    buttons = [b.get_text(strip=True) for b in page.select("form#resource-edit button")]
    assert "Terbitkan" not in buttons
    english = BeautifulSoup(app.get("/en" + step, headers=clerk).body, "html.parser")
    assert english.select_one("form#resource-edit button[value=go-metadata]").get_text(strip=True) == "Finish"
    # what the button does: the dataset is complete, and a private draft awaiting submission
    form = {i["name"]: i.get("value", "") for i in page.select("form#resource-edit input[type=hidden]")}
    form.update(url="https://data.balikpapan.go.id/dbd.csv", name="Kasus DBD 2025", format="CSV",
                periode="2025", save=last["value"])  # fmt: skip
    res = app.post(step, data=form, headers=clerk, follow_redirects=False)
    assert res.status_code == 302, res.body[:2000]
    dataset = helpers.call_action("package_show", id="kasus-dbd-per-kelurahan")
    assert (dataset["state"], dataset["private"], dataset["publishing_status"]) == ("active", True, "draft")
