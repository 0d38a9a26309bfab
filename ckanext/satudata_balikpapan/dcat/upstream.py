"""The one place that reaches into ckanext-dcat's private helpers.

Joining catalogue pages from fragments (``fragments.render_catalog``) must search and page
exactly as ckanext-dcat's ``dcat_catalog_show`` does, so it calls the same helpers, which
ckanext-dcat does not export: ``ckanext.dcat.logic._search_ckan_datasets`` and
``_pagination_info``, and ``RDFSerializer._add_pagination_triples``. They are wrapped here
and nowhere else; ``tests/dcat/test_upstream.py`` fails loudly when an upgrade of ckanext-dcat
renames or changes them, before a harvester meets a broken feed.
"""

from __future__ import annotations

from typing import Any

from ckanext.dcat import logic as dcat_logic


def search_datasets(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-dcat's catalogue search: ``package_search`` with its ``q``/``fq``/paging rules."""
    return dcat_logic._search_ckan_datasets(context, data_dict)  # noqa: SLF001 - see module docstring


def pagination_info(query: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-dcat's Hydra paging of a catalogue page."""
    return dcat_logic._pagination_info(query, data_dict)  # noqa: SLF001 - see module docstring


def add_pagination_triples(serializer: Any, info: dict[str, Any]) -> None:
    """Add the Hydra paging triples of ``info`` to ``serializer``'s graph, as ckanext-dcat does."""
    serializer._add_pagination_triples(info)  # noqa: SLF001 - see module docstring
