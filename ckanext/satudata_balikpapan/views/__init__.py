"""Blueprints of the extension (registered by ``tk.blanket.blueprints``)."""

from ckanext.satudata_balikpapan.views.requests import data_requests
from ckanext.satudata_balikpapan.views.vocab import kosakata
from ckanext.satudata_balikpapan.views.workflow import workflow

__all__ = ["data_requests", "kosakata", "workflow"]
