"""Shared fixtures. CKAN's own pytest plugin (``--ckan-ini=test.ini``) provides the app,
``clean_db``, ``clean_index``, ``with_plugins`` and the factories."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ckan_cli_env() -> dict[str, str]:
    """Environment for running ``ckan -c test.ini ...`` in a subprocess, as an admin would."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


# Plugins whose own alembic migrations the test database needs after every reset.
MIGRATED_PLUGINS = ("activity", "satudata_balikpapan")


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus the migrations of the plugins the portal runs (which must be
    loaded first, hence ``with_plugins``)."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    reset_extension_tables()


def reset_extension_tables() -> None:
    """Empty the extension's tables, which live outside CKAN's metadata (the history is
    append-only: TRUNCATE, as a test reset, is the only way to empty it)."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.satudata_balikpapan.model import TABLES
    from ckanext.satudata_balikpapan.model_quality import TABLES as QUALITY_TABLES
    from ckanext.satudata_balikpapan.model_requests import TABLES as REQUEST_TABLES

    model.Session.execute(sa.text(f"TRUNCATE {', '.join(TABLES + REQUEST_TABLES + QUALITY_TABLES)}"))
    model.Session.commit()


def make_opd_org(code: str = "dinkes", **overrides):
    """A CKAN organisation for the registry OPD ``code``, as ``opd sync`` creates it."""
    from ckan.tests import helpers

    from ckanext.satudata_balikpapan import opd

    entry = opd.default_registry().get(code)
    data = entry.organization_fields() if entry else {"name": code, "title": code, "kind": "dinas"}
    data.update(overrides)
    return helpers.call_action(
        "organization_create", context={"ignore_auth": True, "user": _site_user()}, **data
    )


def _site_user() -> str:
    from ckan.tests import helpers

    return helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]


EXAMPLE = ROOT / "docs" / "examples" / "dataset.json"


def example_dataset(**overrides):
    """The documented example dataset (docs/examples/dataset.json), with ``overrides``."""
    import json

    data = json.loads(EXAMPLE.read_text())
    data.update(overrides)
    return data


def create_dataset(user=None, **overrides):
    """Create the documented example (or a variation) through the action API."""
    from ckan.tests import helpers

    context = {"user": user} if user else {"ignore_auth": True, "user": _site_user()}
    return helpers.call_action("package_create", context=context, **example_dataset(**overrides))


# The reason tests give for publishing past data quality warnings. Their files are small test
# tables, and time makes them overdue ("stale"): the gate then asks for a reason.
TEST_OVERRIDE_REASON = "Data uji: peringatan sudah diperiksa"


def publish(dataset_id: str) -> None:
    """Take a dataset through the verification workflow to publication (as a sysadmin),
    acknowledging any data quality warnings (tests of the gate call satudata_publish)."""
    from ckan.tests import helpers

    context = {"ignore_auth": True, "user": _site_user()}
    helpers.call_action("satudata_submit", context=dict(context), id=dataset_id)
    helpers.call_action(
        "satudata_publish", context=dict(context), id=dataset_id, override_reason=TEST_OVERRIDE_REASON
    )


# The users of every workflow role: (name, OPD, capacity in it).
WORKFLOW_PEOPLE = (
    ("produsen-dinkes", "dinkes", "editor"),
    ("produsen-disdukcapil", "disdukcapil", "editor"),
    ("walidata", "diskominfo", "admin"),
    ("walidata-2", "diskominfo", "editor"),
    ("pembina-bps", None, None),  # pembina by test.ini's ckanext.satudata.pembina_users
    ("warga", None, None),
)


def make_workflow_people() -> dict[str, str]:
    """The OPDs and the users of every workflow role, plus the sysadmin ``admin``; returns an
    API token for each user name."""
    from ckan.tests import factories, helpers

    for code in ("dinkes", "disdukcapil", "diskominfo"):
        make_opd_org(code)
    tokens = {}
    for name, org, capacity in WORKFLOW_PEOPLE:
        factories.User(name=name, email=f"{name}@balikpapan.go.id")
        if org:
            helpers.call_action(
                "organization_member_create",
                context={"ignore_auth": True},
                id=org,
                username=name,
                role=capacity,
            )
        tokens[name] = factories.APIToken(user=name)["token"]
    factories.Sysadmin(name="admin")
    tokens["admin"] = factories.APIToken(user="admin")["token"]
    return tokens
