"""The DCAT feed a harvester reads: published data only, paginated, incremental, with every
vocabulary URI dereferenceable on the portal, and schema.org data on dataset pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, RDF, SKOS

from ckanext.satudata_balikpapan.dcat.cache import PREFIX
from tests.conftest import create_dataset, make_opd_org, publish

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("clean_db", "clean_index")]

ADMIN = {"ignore_auth": True}


def _admin() -> dict:
    return {
        "ignore_auth": True,
        "user": helpers.call_action("get_site_user", context={"ignore_auth": True})["name"],
    }


def _datasets_in(app, url: str, headers: dict | None = None) -> set[str]:
    response = app.get(url, headers=headers or {})
    assert response.status_code == 200, response.body
    g = Graph().parse(data=response.body, format="turtle")
    return {str(g.value(d, DCAT.landingPage)).rsplit("/", 1)[-1] for d in g.subjects(RDF.type, DCAT.Dataset)}


@pytest.fixture
def portal():
    make_opd_org("dinkes")
    make_opd_org("diskominfo")
    published = create_dataset(name="terbit-a", title="Terbit A")
    publish(published["id"])
    draft = create_dataset(name="draf-b", title="Draf B")
    return {"published": published, "draft": draft}


def test_the_catalogue_lists_only_published_datasets_even_for_a_sysadmin(app, portal):

    sysadmin = factories.SysadminWithToken()
    assert _datasets_in(app, "/catalog.ttl") == {"terbit-a"}
    assert _datasets_in(app, "/catalog.ttl", {"Authorization": sysadmin["token"]}) == {"terbit-a"}


def test_a_withdrawn_dataset_disappears_from_the_feed(app, portal):
    helpers.call_action("satudata_withdraw", context=_admin(), id="terbit-a", note="Salah hitung")
    assert _datasets_in(app, "/catalog.ttl") == set()
    assert app.get("/dataset/terbit-a.ttl").status_code == 404


def test_the_dataset_endpoints_serve_published_datasets_only(app, portal):
    response = app.get("/dataset/terbit-a.ttl")
    assert response.status_code == 200
    assert "Terbit A" in response.body
    assert app.get("/dataset/draf-b.ttl").status_code == 404
    for fmt, marker in (("rdf", "rdf:RDF"), ("jsonld", "@context")):
        response = app.get(f"/dataset/terbit-a.{fmt}")
        assert response.status_code == 200 and marker in response.body


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_the_catalogue_is_paginated(app, portal):
    for name in ("terbit-c", "terbit-d"):
        publish(create_dataset(name=name, title=name)["id"])
    first, second = _datasets_in(app, "/catalog.ttl?page=1"), _datasets_in(app, "/catalog.ttl?page=2")
    assert len(first) == 2 and len(second) == 1
    assert first | second == {"terbit-a", "terbit-c", "terbit-d"}
    assert "hydra:nextPage" in app.get("/catalog.ttl?page=1").body


def test_modified_since_gives_only_what_changed(app, portal):

    later = (dt.datetime.utcnow() + dt.timedelta(days=1)).isoformat()
    assert _datasets_in(app, f"/catalog.ttl?modified_since={later}") == set()
    assert _datasets_in(app, "/catalog.ttl?modified_since=2000-01-01") == {"terbit-a"}


def test_every_vocabulary_uri_of_the_feed_dereferences_to_rdf(app, portal):
    feed = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    ours = {o for o in feed.all_nodes() if isinstance(o, URIRef) and "/kosakata/" in str(o)}
    assert len(ours) > 10
    for uri in ours:
        path = str(uri).split("test.ckan.net", 1)[1].split("#", 1)[0]
        response = app.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200, path
        graph = Graph().parse(data=response.body, format="turtle")
        if "#" not in str(uri) and path.count("/") == 3:
            assert (uri, RDF.type, SKOS.Concept) in graph, path
            assert graph.value(uri, SKOS.prefLabel) is not None


def test_the_feed_carries_the_quality_score_as_a_dqv_measurement(app, portal):

    dqv = Namespace("http://www.w3.org/ns/dqv#")
    feed = Graph().parse(data=app.get("/dataset/terbit-a.ttl").body, format="turtle")
    measurements = list(feed.subjects(dqv.isMeasurementOf, None))
    assert len(measurements) == 1
    value = feed.value(measurements[0], dqv.value)
    report = helpers.call_action("satudata_quality_report", id="terbit-a")
    assert int(value) == report["score"]
    metric = Graph().parse(data=app.get("/kosakata/kualitas").body, format="turtle")
    assert (URIRef("http://test.ckan.net/kosakata/kualitas#skor"), RDF.type, dqv.Metric) in metric


def test_a_concept_scheme_lists_its_concepts_in_every_format(app):
    response = app.get("/kosakata/wilayah.ttl")
    graph = Graph().parse(data=response.body, format="turtle")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 41  # the city, 6 kecamatan, 34 kelurahan
    kelurahan = URIRef("http://test.ckan.net/kosakata/wilayah/64.71.01.1001")
    assert graph.value(kelurahan, SKOS.broader) == URIRef("http://test.ckan.net/kosakata/wilayah/64.71.01")
    assert app.get("/kosakata/sektor.jsonld").headers["Content-Type"].startswith("application/ld+json")
    assert app.get("/kosakata/sektor", headers={"Accept": "application/rdf+xml"}).body.count("rdf:RDF")
    assert app.get("/kosakata/tidak-ada").status_code == 404
    assert app.get("/kosakata/sektor/999").status_code == 404


def test_dataset_pages_carry_schema_org_structured_data(app, portal):
    body = app.get("/dataset/terbit-a").body
    start = body.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    data = json.loads(body[start : body.index("</script>", start)])
    graph = data.get("@graph", [data])
    assert any(node.get("@type") == "schema:Dataset" or node.get("@type") == "Dataset" for node in graph)


def test_an_unchanged_catalogue_page_is_served_from_the_cache_and_a_change_shows_at_once(app, portal):

    redis = connect_to_redis()
    for key in redis.scan_iter(f"{PREFIX}*"):
        redis.delete(key)
    first = app.get("/catalog.ttl").body
    assert len(list(redis.scan_iter(f"{PREFIX}*"))) == 1
    assert app.get("/catalog.ttl").body == first
    helpers.call_action("package_patch", context=_admin(), id="terbit-a", title="Terbit A (revisi)")
    if helpers.call_action("package_show", id="terbit-a")["publishing_status"] != "diajukan":
        helpers.call_action("satudata_submit", context=_admin(), id="terbit-a")
    helpers.call_action("satudata_publish", context=_admin(), id="terbit-a")
    assert "Terbit A (revisi)" in app.get("/catalog.ttl").body
    publish(create_dataset(name="terbit-baru", title="Terbit Baru")["id"])
    assert "Terbit Baru" in app.get("/catalog.ttl").body


@pytest.mark.ckan_config("ckanext.satudata.dcat.cache_ttl", "0")
def test_the_cache_can_be_switched_off(app, portal):

    redis = connect_to_redis()
    for key in redis.scan_iter(f"{PREFIX}*"):
        redis.delete(key)
    app.get("/catalog.ttl")
    assert list(redis.scan_iter(f"{PREFIX}*")) == []


@pytest.mark.parametrize(
    "query",
    ["q=%22", "fq=(((", "modified_since=bukan-tanggal", "page=0", "page=abc", "profiles=tidak_ada"],
)
def test_bad_catalogue_parameters_are_refused_not_a_server_error(app, portal, query):
    response = app.get(f"/catalog.ttl?{query}")
    assert response.status_code == 409, response.body[:300]


def test_an_unreadable_search_query_is_named_in_indonesian(app, portal):
    response = app.get("/catalog.ttl?q=%22")
    assert response.status_code == 409
    assert "Kueri atau filter pencarian (q, fq) tidak dapat dibaca" in response.body


def test_a_resource_format_outside_the_eu_table_is_a_literal_and_the_feed_stands(app, portal):
    """One odd format (an SVG chart, a "Peta" the clerk typed) must not take the catalogue
    down: known formats map to the EU file-type concepts, others are written as literals."""

    dataset = create_dataset(
        name="grafik-c",
        title="Grafik C",
        resources=[{"url": "http://example.com/grafik.svg", "name": "Grafik", "format": "SVG"}],
    )
    publish(dataset["id"])
    response = app.get("/catalog.ttl")
    assert response.status_code == 200, response.body[:300]
    g = Graph().parse(data=response.body, format="turtle")
    literals = {str(o) for p, o in g.predicate_objects() if str(p).endswith("/kosakata/sdi#format")}
    assert literals == {"SVG"}
