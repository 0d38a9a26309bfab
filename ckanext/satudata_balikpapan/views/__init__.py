"""Blueprints of the extension (registered by ``tk.blanket.blueprints``)."""

from ckanext.satudata_balikpapan.views.bulk import metadata_sheets
from ckanext.satudata_balikpapan.views.daftar_data import daftar_data
from ckanext.satudata_balikpapan.views.health import health
from ckanext.satudata_balikpapan.views.quality import quality
from ckanext.satudata_balikpapan.views.requests import data_requests
from ckanext.satudata_balikpapan.views.validation import validation_pages
from ckanext.satudata_balikpapan.views.vocab import kosakata
from ckanext.satudata_balikpapan.views.workflow import workflow

__all__ = [
    "daftar_data",
    "data_requests",
    "health",
    "kosakata",
    "metadata_sheets",
    "quality",
    "validation_pages",
    "workflow",
]
