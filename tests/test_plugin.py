"""The plugin is installed, registered and loaded together with scheming and dcat."""

from __future__ import annotations

from importlib.metadata import entry_points

import ckan.plugins as p
import pytest


def test_plugin_is_registered_under_ckan_plugins_entry_point():

    names = {ep.name: ep.value for ep in entry_points(group="ckan.plugins")}
    assert names["satudata_balikpapan"] == ("ckanext.satudata_balikpapan.plugin:SatudataBalikpapanPlugin")


@pytest.mark.usefixtures("with_plugins")
def test_plugin_is_loaded():
    assert p.plugin_loaded("satudata_balikpapan")
    assert p.plugin_loaded("scheming_datasets")
    assert p.plugin_loaded("dcat")


@pytest.mark.usefixtures("with_plugins")
def test_status_show_lists_the_extension_scheming_and_dcat(app):
    res = app.get("/api/3/action/status_show")
    assert res.status_code == 200
    extensions = res.json["result"]["extensions"]
    for name in ("satudata_balikpapan", "scheming_datasets", "dcat"):
        assert name in extensions
