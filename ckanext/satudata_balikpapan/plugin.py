"""The ``satudata_balikpapan`` CKAN plugin: a thin shell that registers the extension's parts."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.cli
@tk.blanket.helpers
class SatudataBalikpapanPlugin(p.SingletonPlugin):
    """Satu Data Balikpapan: schema, workflow, quality and DCAT for the city's OPD data."""

    p.implements(p.IConfigurer)

    # IConfigurer

    def update_config(self, config_: Any) -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")
