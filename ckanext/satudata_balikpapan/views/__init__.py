"""Blueprints of the extension (registered by ``tk.blanket.blueprints``)."""

from ckanext.satudata_balikpapan.views.workflow import workflow

__all__ = ["workflow"]
