"""Hostile input to every action of the extension (#14): values of the wrong type, NUL, lone
surrogates, huge numbers and texts, for every field the actions read, from an anonymous
caller and from the walidata. Each is refused (or answered) with a JSON error of the API,
never a server error. A bounded, deterministic sweep; the property-based fuzz of #14 builds
on it."""

from __future__ import annotations

import json

import pytest

from ckanext.satudata_balikpapan.logic import action
from tests.conftest import make_workflow_people

# About 4 minutes. It runs on both CKAN versions (#14 asks for it).
pytestmark = pytest.mark.integration

ACTIONS = sorted(name for name in action.__all__ if name.startswith("satudata_"))
HOSTILE = [
    None,
    5,
    1e40,
    [],
    {"a": 1},
    "",
    "a\x00b",
    "\ud800",
    "x" * 100_000,
    "{{7*7}}",
    "name:* OR private:true",
]
FIELDS = [
    "id", "note", "override_reason", "owner_org", "days", "state", "states", "q", "limit", "offset",
    "kode_wilayah", "title", "schema", "email", "name", "assignee", "opd", "modified_since", "reason",
    "request_id", "resource_id", "package_id",
]  # fmt: skip


def _call(app, name: str, payload: dict, token: str | None):
    body = json.dumps(payload)  # a lone surrogate travels as \\ud800, as a client sends it
    headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
    return app.post(f"/api/3/action/{name}", data=body, headers=headers)


@pytest.mark.parametrize("name", ACTIONS)
def test_no_hostile_value_in_any_field_gets_a_server_error(app, clean_db, clean_index, name):
    tokens = make_workflow_people()
    failures = []
    for identity in (None, tokens["walidata"]):
        for field in FIELDS:
            for value in HOSTILE:
                res = _call(
                    app, name, {field: value} if field == "id" else {"id": "x", field: value}, identity
                )
                if res.status_code >= 500 or not res.headers["Content-Type"].startswith("application/json"):
                    failures.append((identity is not None, field, repr(value)[:40], res.status_code))
    assert failures == [], failures[:10]
