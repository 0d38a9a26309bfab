"""Calls of the action API with data of the wrong shape get CKAN's 409 naming the field, in
Bahasa Indonesia, before any action runs (views/api_input.py): CKAN core would answer each of
these with a server error."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_workflow_people

pytestmark = pytest.mark.integration


@pytest.fixture
def tokens(clean_db, clean_index):
    return make_workflow_people()


def _post(app, action, body, token=None):
    headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
    return app.post(f"/api/3/action/{action}", data=body if isinstance(body, str) else json.dumps(body),
                    headers=headers)  # fmt: skip


@pytest.mark.parametrize(
    ("action", "body", "field", "message"),
    [
        ("package_show", {"id": 1}, "id", "id: harus berupa teks"),
        ("package_show", {"id": "a\x00b"}, "id", "id: tidak boleh memuat karakter NUL"),
        ("package_search", {"rows": -1}, "rows", "rows: harus bilangan bulat dari 0 sampai 2147483647"),
        ("group_show", {"id": "\ud800"}, "id", "id: bukan teks yang sah"),
        ("resource_create", {"package_id": 1}, "package_id", "package_id: harus berupa teks"),
        ("dcat_catalog_search", {"format": "svg"}, "format", "Format tidak dikenal: svg"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_naming_the_field(app, tokens, action, body, field, message):
    res = _post(app, action, body)
    assert res.status_code == 409
    assert res.json["success"] is False and res.json["error"]["__type"] == "Validation Error"
    assert message in res.json["error"][field][0]


def test_groups_null_in_a_new_dataset_is_refused_and_nothing_is_created(app, tokens):
    res = _post(app, "package_create", {"name": "tanpa-grup", "owner_org": "dinkes", "groups": None},
                tokens["produsen-dinkes"])  # fmt: skip
    assert res.status_code == 409 and "harus berupa daftar objek" in res.json["error"]["groups"][0]
    assert _post(app, "package_show", {"id": "tanpa-grup"}, tokens["walidata"]).status_code == 404


def test_a_request_nested_a_hundred_thousand_levels_deep_is_refused(app, tokens):
    deep = "[" * 100_000 + "]" * 100_000
    res = _post(app, "package_search", '{"q": "a", "x": ' + deep + "}")
    assert res.status_code == 409
    assert "bersarang terlalu dalam" in res.json["error"]["request"][0]


def test_query_strings_are_checked_too(app, tokens):
    res = app.get("/api/3/action/package_search", query_string={"start": "-5"})
    assert res.status_code == 409 and "start" in res.json["error"]


def test_the_english_message_is_available(app, tokens):
    res = app.post("/en/api/3/action/package_show", data=json.dumps({"id": 1}),
                   headers={"Content-Type": "application/json"})  # fmt: skip
    assert res.status_code == 409 and res.json["error"]["id"] == ["id: must be text"]


def test_a_portal_action_still_cleans_a_nul_in_free_text(app, tokens):
    """The portal's own actions clean texts themselves; only core's are strict."""
    res = _post(app, "satudata_request_create", {"name": "Budi\x00", "email": "budi@example.org",
                "purpose": "Riset", "data_description": "Jumlah\x00 sekolah"})  # fmt: skip
    assert res.status_code == 200
