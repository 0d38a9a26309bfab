"""The ckanext-dcat helpers the fragments rely on are still there and still behave as the
fragments expect (``dcat/upstream.py``): an upgrade of ckanext-dcat that renames or changes
them fails here, loudly, before a harvester meets a broken feed."""

from __future__ import annotations

import inspect

from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer

from ckanext.satudata_balikpapan.dcat import upstream


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_private_helpers_exist_with_the_signatures_the_wrappers_call():
    # the private names are what this test watches
    assert _parameters(dcat_logic._search_ckan_datasets) == ["context", "data_dict"]  # noqa: SLF001
    assert _parameters(dcat_logic._pagination_info) == ["query", "data_dict"]  # noqa: SLF001
    assert _parameters(RDFSerializer._add_pagination_triples) == ["self", "paging_info"]  # noqa: SLF001


def test_the_paging_of_a_page_is_described_as_ckanext_dcat_describes_it(app):
    with app.flask_app.test_request_context("/catalog.ttl?page=2"):
        info = upstream.pagination_info({"count": 250, "results": [{}] * 100}, {"page": 2})
    assert info["count"] == 250 and info["items_per_page"] > 0
    assert {"current", "first", "last", "next", "previous"} <= set(info)
    assert info["current"].endswith("/catalog.ttl?page=2")

    serializer = RDFSerializer(profiles=["euro_dcat_ap_3"])
    serializer.graph_from_catalog({})
    upstream.add_pagination_triples(serializer, info)
    assert "hydra" in serializer.g.serialize(format="turtle").lower()
