"""Demo users and organisations for a development or training portal."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

from ckanext.satudata_balikpapan.registry import opd, roles

DEFAULT_PASSWORD = "Balikpapan#2026"
TOKEN_NAME = "satudata-demo"


@cache
def demo_definitions() -> dict[str, Any]:
    """The demo organisations and users, read once from ``data/demo_users.yaml``."""
    text = resources.files("ckanext.satudata_balikpapan").joinpath("data/demo_users.yaml").read_text()
    return yaml.safe_load(text)


def ensure_organization(code: str) -> None:
    """Create the OPD organisation ``code`` from the registry if it does not exist yet."""
    try:
        tk.get_action("organization_show")(roles.site_context(), {"id": code})
    except tk.ObjectNotFound:
        entry = opd.default_registry().get(code)
        if entry is None:
            raise ValueError(f"demo organisation {code} is not in the OPD registry") from None
        tk.get_action("organization_create")(roles.site_context(), entry.organization_fields())


def _ensure_user(spec: dict[str, Any], password: str) -> dict[str, Any]:
    data = {
        "name": spec["name"],
        "fullname": spec["fullname"],
        "email": spec["email"],
        "password": password,
    }
    try:
        user = tk.get_action("user_show")(roles.site_context(), {"id": spec["name"]})
    except tk.ObjectNotFound:
        user = tk.get_action("user_create")(roles.site_context(), data)
    else:
        user = tk.get_action("user_patch")(roles.site_context(), dict(data, id=user["id"]))
    if bool(user.get("sysadmin")) != (spec["role"] == "sysadmin"):
        user = tk.get_action("user_patch")(
            roles.site_context(), {"id": user["id"], "sysadmin": spec["role"] == "sysadmin"}
        )
    return user


def _fresh_token(user_name: str) -> str:
    ctx = roles.site_context()
    for token in tk.get_action("api_token_list")(ctx, {"user_id": user_name}):
        if token.get("name") == TOKEN_NAME:
            tk.get_action("api_token_revoke")(roles.site_context(), {"jti": token["id"]})
    token = tk.get_action("api_token_create")(roles.site_context(), {"user": user_name, "name": TOKEN_NAME})
    return token["token"]


def ensure_demo_users(password: str = DEFAULT_PASSWORD) -> dict[str, Any]:
    """Create or update the demo organisations and users; return their roles and new tokens.

    Idempotent: running it twice leaves the same users and memberships, and one valid demo
    token per user (the previous one is revoked).
    """
    spec = demo_definitions()
    users: dict[str, Any] = {}
    for entry in spec["users"]:
        user = _ensure_user(entry, password)
        org = entry.get("organization")
        if org:
            ensure_organization(org)
            tk.get_action("organization_member_create")(
                roles.site_context(), {"id": org, "username": user["name"], "role": entry["capacity"]}
            )
        users[user["name"]] = {
            "role": entry["role"],
            "organization": org,
            "capacity": entry.get("capacity"),
            "email": entry["email"],
            "api_token": _fresh_token(user["name"]),
        }
    return {"password": password, "users": users}
