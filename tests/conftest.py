"""Shared fixtures. CKAN's own pytest plugin (``--ckan-ini=test.ini``) provides the app,
``clean_db``, ``clean_index``, ``with_plugins`` and the factories."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import alembic.command
import alembic.config
import ckan.lib.jobs as jobs
import ckan.plugins as plugins
import ckanext.harvest
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers
from ckanext.datastore.backend.postgres import get_write_engine, identifier
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.model import APPEND_ONLY, TABLES
from ckanext.satudata_balikpapan.registry import opd

ROOT = Path(__file__).resolve().parent.parent

# The operations tests run against an installed production stack (`make test-ops`), never in
# the suite's own process.
collect_ignore = [] if os.environ.get("SATUDATA_STACK_URL") else ["stack"]


def free_port() -> int:
    """A loopback port nothing listens on now, chosen by the kernel.

    A fixed number in the ephemeral range (32768-60999 on Linux) can be held at any moment by
    an outgoing connection of the same machine (one CI run lost its portal that way), so every
    test that starts a listener asks for its port here."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ckan_cli_env() -> dict[str, str]:
    """Environment for running ``ckan -c test.ini ...`` in a subprocess, as an admin would."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


# The configuration the plugins were last loaded with (see ``with_plugins``).
_loaded_with: dict[str, Any] | None = None


@pytest.fixture
def with_plugins(ckan_config, request):
    """CKAN's ``with_plugins`` (every plugin of ``ckan.plugins`` loaded for the test), without
    reloading them around every test: they are loaded again only when the configuration differs
    from the one they were loaded with (a ``ckan_config`` mark, a test that changed a setting)
    or when a plugin is not loaded (a module fixture unloaded them).

    Loading is most of a test's time: each of the six plugins re-runs CKAN's ``update_config``,
    which re-reads every schema and declaration (seconds per test on a small CI machine), and
    CKAN's fixture loads everything before and unloads everything after each test."""
    global _loaded_with
    if any(request.node.iter_markers("with_plugins")):
        raise pytest.UsageError("the with_plugins mark is not supported here: use ckan_config")
    names = ckan_config["ckan.plugins"]
    names = names.split() if isinstance(names, str) else list(names)
    if _loaded_with != dict(ckan_config) or not all(plugins.plugin_loaded(n) for n in names):
        plugins.load_all()
        _loaded_with = dict(ckan_config)
    yield


# The application built for the configuration of the last test that used ``app``.
_app_for: tuple[dict[str, Any], Any] | None = None


@pytest.fixture
def app(make_app, with_plugins):
    """CKAN's ``app`` (a test client of the portal), built again only when the configuration
    changed: each test gets a fresh client (its own cookies and session), on an application
    that is rebuilt for a ``ckan_config`` mark or a changed setting, as ``with_plugins`` reloads
    the plugins."""
    global _app_for, _loaded_with
    if _app_for is None or _app_for[0] != dict(config):
        built = make_app()
        _app_for = (dict(config), built.app)
        _loaded_with = dict(config)  # building the application loaded every plugin again
        return built
    return helpers.CKANTestApp(_app_for[1])


# Plugins whose own alembic migrations the test database needs after every reset.
MIGRATED_PLUGINS = ("activity", "satudata_balikpapan")
HARVEST_MODEL = "ckanext.harvest.model"


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus the migrations of the plugins the portal runs (which must be
    loaded first, hence ``with_plugins``)."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    if HARVEST_MODEL in sys.modules:
        # Importing ckanext-harvest's model (the harvest tests do, at collection, even when
        # deselected) maps a relation from every dataset to ``harvest_object``: a purge then
        # reads that table, so it must exist whatever the order the tests run in.
        migrate_harvest()
    reset_extension_tables()
    empty_datastore()


def empty_datastore() -> None:
    """Drop the tables of the DataStore database, which CKAN's ``reset_db`` leaves alone,
    keeping the DataStore's own ``_table_stats`` (as CKAN's DataStore tests do). One table a
    transaction: a database left full by an interrupted run must not run out of locks."""
    if not plugins.plugin_loaded("datastore"):
        return
    engine = get_write_engine()
    with engine.connect() as conn:
        names = list(
            conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != '_table_stats'"
                )
            ).scalars()
        )
    for name in names:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {identifier(name)} CASCADE"))


def migrate_harvest() -> None:
    """Apply ckanext-harvest's alembic migrations (what ``ckan db upgrade -p harvest`` does)
    without loading its plugin, which ``migrate_db_for`` needs but most tests do not want."""

    ini = Path(ckanext.harvest.__file__).parent / "migration" / "harvest" / "alembic.ini"
    cfg = alembic.config.Config(str(ini))
    cfg.set_main_option("sqlalchemy.url", config["sqlalchemy.url"])
    alembic.command.upgrade(cfg, "head")


def reset_extension_tables() -> None:
    """Empty the extension's tables, which live outside CKAN's metadata. The history is
    append-only, TRUNCATE included: the test database's owner switches the tables' triggers
    off for the reset (what the production role set-up denies the app)."""

    for table in APPEND_ONLY:
        model.Session.execute(sa.text(f"ALTER TABLE {table.name} DISABLE TRIGGER USER"))
    model.Session.execute(sa.text(f"TRUNCATE {', '.join(TABLES)}"))
    for table in APPEND_ONLY:
        model.Session.execute(sa.text(f"ALTER TABLE {table.name} ENABLE TRIGGER USER"))
    model.Session.commit()


def make_opd_org(code: str = "dinkes", **overrides):
    """A CKAN organisation for the registry OPD ``code``, as ``opd sync`` creates it."""

    entry = opd.default_registry().get(code)
    data = entry.organization_fields() if entry else {"name": code, "title": code, "kind": "dinas"}
    data.update(overrides)
    return helpers.call_action(
        "organization_create", context={"ignore_auth": True, "user": _site_user()}, **data
    )


def _site_user() -> str:

    return helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]


EXAMPLE = ROOT / "docs" / "examples" / "dataset.json"


def example_dataset(**overrides):
    """The documented example dataset (docs/examples/dataset.json), with ``overrides``."""

    data = json.loads(EXAMPLE.read_text())
    data.update(overrides)
    return data


def create_dataset(user=None, **overrides):
    """Create the documented example (or a variation) through the action API."""

    context = {"user": user} if user else {"ignore_auth": True, "user": _site_user()}
    return helpers.call_action("package_create", context=context, **example_dataset(**overrides))


def upload_csv(dataset_id: str, user: str, filename: str = "data.csv") -> dict:
    """Upload a small valid table (one kecamatan, one year) to a dataset through the action
    API, as ``user`` would from the resource form."""

    body = io.BytesIO(b"kode_wilayah,tahun,kasus\n64.71.01,2024,17\n")
    return helpers.call_action(
        "resource_create", context={"user": user}, package_id=dataset_id, url=filename,
        upload=FileStorage(body, filename=filename), format="CSV", periode="2024",
    )  # fmt: skip


# The reason tests give for publishing past data quality warnings. Their files are small test
# tables, and time makes them overdue ("stale"): the gate then asks for a reason.
TEST_OVERRIDE_REASON = "Data uji: peringatan sudah diperiksa"


def publish(dataset_id: str) -> None:
    """Take a dataset through the verification workflow to publication (as a sysadmin),
    acknowledging any data quality warnings (tests of the gate call satudata_publish)."""

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

    for code in ("dinkes", "disdukcapil", "diskominfo"):
        make_opd_org(code)
    tokens = {}
    for name, org, capacity in WORKFLOW_PEOPLE:
        # a fixed "about": the factory's random English sentence can read like a UI string
        factories.User(name=name, email=f"{name}@balikpapan.go.id", about="Akun uji Satu Data")
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


def public_channels(app, dataset: dict) -> dict[str, bool]:
    """Where an anonymous visitor finds a dataset through the search index: the search API,
    the search page, the OPD page and the DCAT catalogue."""

    name, pid = dataset["name"], dataset["id"]
    found = app.get("/api/3/action/package_search", query_string={"rows": 1000}).json["result"]["results"]
    return {
        "package_search": any(d["id"] == pid for d in found),
        "search page": f"/dataset/{name}" in app.get("/dataset/").body,
        "opd page": f"/dataset/{name}" in app.get(f"/organization/{dataset['organization']['name']}").body,
        "dcat catalog": pid in app.get("/catalog.ttl").body,
    }


# --- mail -------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def mailbox(ckan_config, monkeypatch):
    """A real SMTP server on a free local port, with CKAN's mailer pointed at it."""

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    inbox.port = port
    yield inbox
    controller.stop()


def run_queued_jobs() -> list:
    """Run the queued jobs in this process (the real jobs, as stored in Redis)."""
    queued = jobs.get_queue().jobs
    results = [job.perform() for job in queued]
    jobs.get_queue().empty()
    return results
