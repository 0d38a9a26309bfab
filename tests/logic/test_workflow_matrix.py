"""Authorisation matrix of the verification workflow: every role x every action x every state.

Each cell is the HTTP result a user of that role gets through the action API: 200 (allowed),
403 (the role may not take this action) or 409 (the role may, but not in this state).
"""

from __future__ import annotations

import itertools

import ckan.plugins as p
import pytest
from ckan.cli.db import _run_migrations
from ckan.tests import helpers

from tests.conftest import MIGRATED_PLUGINS, create_dataset, make_workflow_people, reset_extension_tables

ROLES = ["produsen", "produsen_lain", "walidata", "pembina", "warga", "anonim", "sysadmin"]
ACTIONS = ["submit", "return", "publish", "withdraw", "review_note"]
# "diperbarui": published, with a produsen's edit under review (status diajukan, still public)
STATES = ["draft", "diajukan", "dikembalikan", "terbit", "ditarik", "diperbarui"]

MAY = {
    "submit": {"produsen", "sysadmin"},
    "return": {"walidata", "sysadmin"},
    "publish": {"walidata", "sysadmin"},
    "withdraw": {"walidata", "sysadmin"},
    "review_note": {"pembina", "walidata", "sysadmin"},
}
FROM = {
    "submit": {"draft", "dikembalikan", "ditarik"},
    "return": {"diajukan", "diperbarui"},
    "publish": {"diajukan", "diperbarui"},
    "withdraw": {"terbit", "diperbarui"},
    "review_note": set(STATES),
}
# the pembina reads statistical datasets under review and published ones only
PEMBINA_READS = {"diajukan", "terbit", "diperbarui"}


def expected(role: str, action: str, state: str) -> int:
    if role not in MAY[action]:
        return 403
    if role == "pembina" and state not in PEMBINA_READS:
        return 403
    return 200 if state in FROM[action] else 409


@pytest.fixture(scope="module")
def people(reset_db, reset_index):
    """The users of every role, created once for the module (the database is reset first)."""

    p.load_all()
    reset_db()
    reset_index()
    for plugin in MIGRATED_PLUGINS:
        _run_migrations(plugin)
    reset_extension_tables()
    by_name = make_workflow_people()
    names = {"produsen": "produsen-dinkes", "produsen_lain": "produsen-disdukcapil", "walidata": "walidata",
             "pembina": "pembina-bps", "warga": "warga", "sysadmin": "admin"}  # fmt: skip
    tokens = {role: by_name[name] for role, name in names.items()}
    tokens["anonim"] = None
    return {"tokens": tokens}


_counter = itertools.count()


def _dataset_in(state: str, people) -> str:
    """A fresh statistical dataset of Dinkes, brought into ``state`` by the real actions."""
    name = f"matriks-{next(_counter)}"
    admin = {"user": "admin"}
    create_dataset(user="produsen-dinkes", name=name)
    steps = {
        "draft": [],
        "diajukan": [("submit", None)],
        "dikembalikan": [("submit", None), ("return", "Lengkapi definisi")],
        "terbit": [("submit", None), ("publish", None)],
        "ditarik": [("submit", None), ("publish", None), ("withdraw", "Data salah hitung")],
        "diperbarui": [("submit", None), ("publish", None)],
    }[state]
    for action, note in steps:
        helpers.call_action(f"satudata_{action}", context=dict(admin), id=name, note=note)
    if state == "diperbarui":
        helpers.call_action(
            "package_patch",
            context={"user": "produsen-dinkes"},
            id=name,
            klasifikasi="Menurut kelurahan dan bulan",
        )
        shown = helpers.call_action("package_show", context=dict(admin), id=name)
        assert shown["publishing_status"] == "diajukan" and shown["satudata_terbit"] is True
    return name


CELLS = list(itertools.product(ROLES, ACTIONS, STATES))


@pytest.mark.parametrize(("role", "action", "state"), CELLS, ids=["-".join(c) for c in CELLS])
@pytest.mark.usefixtures("with_plugins")
def test_workflow_authorisation_matrix(app, people, role, action, state):
    name = _dataset_in(state, people)
    token = people["tokens"][role]
    headers = {"Authorization": token} if token else {}
    res = app.post(
        f"/api/3/action/satudata_{action}",
        json={"id": name, "note": "Catatan pemeriksaan"},
        headers=headers,
    )
    assert res.status_code == expected(role, action, state), res.json
    if res.status_code == 403:
        assert res.json["error"]["__type"] == "Authorization Error"
    if res.status_code == 409:
        assert "publishing_status" in res.json["error"]
