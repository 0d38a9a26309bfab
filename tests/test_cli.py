"""``ckan satudata demo-users``: the demo users a trainer or developer logs in with."""

from __future__ import annotations

import json

import pytest
from ckan.cli.cli import ckan
from ckan.tests import helpers


def _run(cli, output):
    result = cli.invoke(ckan, ["satudata", "demo-users", "--output", str(output)])
    assert result.exit_code == 0, result.output
    return json.loads(output.read_text())


def _whoami(app, token):
    res = app.get(
        "/api/3/action/organization_list_for_user",
        headers={"Authorization": token},
        query_string={"permission": "read"},
    )
    return res


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_demo_users_have_their_roles_and_working_tokens(cli, app, tmp_path):
    creds = _run(cli, tmp_path / "demo.json")

    assert set(creds["users"]) == {
        "admin",
        "walidata",
        "produsen-dinkes",
        "produsen-disdukcapil",
        "pembina-bps",
        "warga",
    }
    assert helpers.call_action("user_show", id="admin")["sysadmin"] is True
    assert helpers.call_action("user_show", id="walidata")["sysadmin"] is False

    members = helpers.call_action("member_list", id="diskominfo", object_type="user")
    walidata_id = helpers.call_action("user_show", id="walidata")["id"]
    assert (walidata_id, "user", "Admin") in members

    res = _whoami(app, creds["users"]["produsen-dinkes"]["api_token"])
    assert res.status_code == 200
    assert [o["name"] for o in res.json["result"]] == ["dinkes"]
    assert (tmp_path / "demo.json").stat().st_mode & 0o077 == 0  # tokens are private


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_running_demo_users_again_is_safe_and_revokes_the_old_tokens(cli, app, tmp_path):
    first = _run(cli, tmp_path / "first.json")
    second = _run(cli, tmp_path / "second.json")

    assert set(first["users"]) == set(second["users"])
    old = first["users"]["produsen-dinkes"]["api_token"]
    new = second["users"]["produsen-dinkes"]["api_token"]
    assert old != new
    assert [o["name"] for o in _whoami(app, new).json["result"]] == ["dinkes"]
    # a revoked token no longer identifies its user: the request is anonymous
    assert _whoami(app, old).json["result"] == []
    tokens = helpers.call_action("api_token_list", context={"ignore_auth": True}, user_id="produsen-dinkes")
    assert [t["name"] for t in tokens] == ["satudata-demo"]
