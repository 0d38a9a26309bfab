"""The resource page of a verified table: a "Data API" panel in Indonesian with working
examples and the data dictionary, and the preview read from the DataStore."""

from __future__ import annotations

import pytest
from ckan.tests import helpers

from ckanext.satudata_balikpapan.data_api import load
from ckanext.satudata_balikpapan.portal import pages as portal
from tests.conftest import publish
from tests.data_api.test_load import _penduduk, _schema
from tests.quality import corpus
from tests.quality.test_service import LAST, PREV, csv_bytes, opd, penduduk_dataset, site_context, upload

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("opd")]

__all__ = ["opd"]  # the fixture, imported for this module


def _page(app, dataset, resource, lang: str = "") -> str:
    response = app.get(f"{lang}/dataset/{dataset['name']}/resource/{resource['id']}")
    assert response.status_code == 200
    return response.body


def test_the_panel_gives_working_examples_and_the_data_dictionary(app):
    dataset, resource, _rows = _penduduk()
    publish(dataset["id"])
    body = _page(app, dataset, resource)
    assert "API Data" in body and "Kamus data" in body
    assert f"datastore_search?resource_id={resource['id']}" in body
    assert f"/datastore/dump/{resource['id']}" in body
    assert "Penduduk laki-laki" in body  # the column's label from the Table Schema
    english = _page(app, dataset, resource, "/en")
    assert "Data API" in english and "Data dictionary" in english


def test_the_curl_example_answers(app):
    dataset, resource, rows = _penduduk()
    publish(dataset["id"])
    answer = app.get(f"/api/3/action/datastore_search?resource_id={resource['id']}&limit=5").json
    assert answer["success"] and answer["result"]["total"] == len(rows)


def test_the_preview_reads_the_datastore_table(app, ckan_config, monkeypatch):
    dataset, resource, rows = _penduduk()
    publish(dataset["id"])
    # the file can no longer be fetched: the rows still show, from the DataStore
    monkeypatch.setitem(ckan_config, "ckanext.satudata.preview_max_bytes", 1)
    body = _page(app, dataset, resource)
    assert rows[0][1] in body and "terlalu besar" not in body


def test_a_file_without_a_table_has_no_panel(app):
    dataset, resource, _rows = _penduduk()
    load.forget(resource["id"])
    publish(dataset["id"])
    body = _page(app, dataset, resource)
    assert "API Data" not in body
    assert (
        helpers.call_action("resource_show", context=site_context(), id=resource["id"]).get(
            "datastore_active"
        )
        is False
    )


def test_the_chart_reads_the_datastore_tables(app, ckan_config, monkeypatch):
    """Two yearly files whose tables are in the DataStore draw the chart even when the files
    themselves can no longer be read."""
    dataset = penduduk_dataset()
    for year in (PREV, LAST):
        upload(
            dataset["id"],
            f"penduduk-{year}",
            csv_bytes(corpus.penduduk([year])),
            periode=str(year),
            schema=_schema(),
        )
    publish(dataset["id"])
    monkeypatch.setitem(ckan_config, "ckanext.satudata.preview_max_bytes", 1)
    pkg = helpers.call_action("package_show", id=dataset["id"])
    series = portal.series(pkg)
    assert series is not None
    assert {year for points in series.lines.values() for year, _ in points} == {PREV, LAST}
