"""A dataset created through the action API is found through package_search (real Solr)."""

from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

from tests.conftest import create_dataset, make_opd_org, publish


@pytest.mark.integration
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_created_through_the_api_is_found_by_package_search():
    org = make_opd_org("dinkes")
    sysadmin = factories.Sysadmin()
    create_dataset(
        user=sysadmin["name"],
        name="kasus-dbd-per-kecamatan",
        title="Kasus Demam Berdarah Dengue per Kecamatan",
        notes="Jumlah kasus DBD per kecamatan di Kota Balikpapan.",
        owner_org=org["id"],
    )
    publish("kasus-dbd-per-kecamatan")

    result = helpers.call_action("package_search", q="demam berdarah")
    assert [d["name"] for d in result["results"]] == ["kasus-dbd-per-kecamatan"]

    by_org = helpers.call_action("package_search", fq="organization:dinkes")
    assert by_org["count"] == 1
    assert by_org["search_facets"] == {} or "organization" not in by_org["search_facets"]
