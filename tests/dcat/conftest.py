"""Fixtures of the DCAT tests: the demo catalogue, seeded once per module."""

from __future__ import annotations

import ckan.plugins as p
import pytest
from ckan.cli.db import _run_migrations
from ckan.lib.search import clear_all
from ckan.tests import helpers

from ckanext.satudata_balikpapan.demo import seed
from tests.conftest import MIGRATED_PLUGINS, reset_extension_tables


@pytest.fixture(scope="module")
def demo_catalogue():
    """The demo catalogue (``ckan satudata seed-demo``) in a fresh database and index, shared by
    the tests of one module. Yields the names of the published datasets."""

    p.load_all()
    helpers.reset_db()
    for plugin in MIGRATED_PLUGINS:
        _run_migrations(plugin)
    reset_extension_tables()
    clear_all()
    report = seed.seed()
    published = sorted(name for name, state in report.states.items() if state == "terbit")
    yield published
    p.unload_all()
