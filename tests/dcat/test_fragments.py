"""Catalogue pages joined from per-dataset fragments (dcat/fragments.py) are the very graph
ckanext-dcat renders whole, in every format, and follow every change at once."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib.redis import connect_to_redis
from ckan.tests import helpers
from ckanext.dcat.processors import RDFSerializer
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckanext.satudata_balikpapan.dcat import PUBLISHED_FQ, fragments
from ckanext.satudata_balikpapan.dcat.vocab import DQV
from ckanext.satudata_balikpapan.model import resource_validation as validations
from ckanext.satudata_balikpapan.model.meta import utcnow
from ckanext.satudata_balikpapan.portal import scorecards
from tests.conftest import create_dataset, make_opd_org, publish

pytestmark = [pytest.mark.once]

RDFLIB_FORMAT = {"turtle": "turtle", "pretty-xml": "xml", "json-ld": "json-ld"}
PAGE_FORMATS = [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")]


# ------------------------------------------------------------------ joining (no services)


def _graph_text(fmt: str, subject: str, label: str, ns: str = "http://example.org/ns#") -> str:
    g = Graph()
    g.bind("ex", ns)
    g.add((URIRef(subject), RDF.type, URIRef(ns + "Thing")))
    g.add((URIRef(subject), URIRef(ns + "label"), Literal(label, lang="id")))
    return g.serialize(format=fmt)


@pytest.mark.parametrize("fmt", fragments.FORMATS)
def test_joined_fragments_parse_to_the_union_of_their_graphs(fmt):
    texts = [_graph_text(fmt, f"http://example.org/d/{i}", f"Data {i}\n\nbaris dua") for i in range(3)]
    parts = [fragments.split(fmt, t) for t in texts]
    assert all(parts)
    joined = fragments.join(fmt, parts)
    union = Graph()
    for text in texts:
        union.parse(data=text, format=RDFLIB_FORMAT[fmt])
    assert isomorphic(Graph().parse(data=joined, format=RDFLIB_FORMAT[fmt]), union)


@pytest.mark.parametrize("fmt", fragments.FORMATS)
def test_a_shared_block_is_written_once_per_page(fmt):
    part = fragments.split(fmt, _graph_text(fmt, "http://example.org/lisensi", "CC-BY"))
    shared = fragments.Fragment(part.namespaces, part.body, key="lisensi")
    joined = fragments.join(fmt, [shared, shared, shared])
    assert joined.count("http://example.org/lisensi") == 1


def test_fragments_binding_one_prefix_to_two_namespaces_are_not_joined():
    one = fragments.split("turtle", _graph_text("turtle", "http://a.org/x", "x", "http://a.org/ns#"))
    two = fragments.split("turtle", _graph_text("turtle", "http://b.org/y", "y", "http://b.org/ns#"))
    assert fragments.join("turtle", [one, two]) is None


def test_an_unknown_format_is_left_to_ckanext_dcat():
    assert fragments.split("n3", "@prefix ex: <http://example.org/> .") is None
    assert fragments.join("n3", []) is None


def test_fragments_survive_storage():
    own = fragments.Fragment((("ex", "http://example.org/"),), 'ex:a ex:b "c\u2028" .')
    block = fragments.Fragment((), "[]", key="k")
    assert fragments.decode(fragments.encode(own, ["k"])) == (own, ["k"])
    assert fragments.decode(fragments.encode(block), "k") == (block, [])


# ------------------------------------------------------------------ through CKAN

integration = [pytest.mark.integration]


def _published_page() -> list[dict]:

    return helpers.call_action("package_search", fq=PUBLISHED_FQ, rows=1000, sort="metadata_modified desc")[
        "results"
    ]


def _drop(prefix: str) -> None:

    redis = connect_to_redis()
    stored = redis.keys(prefix + "*")
    if stored:
        redis.delete(*stored)


def _whole(datasets: list[dict], fmt: str, profiles: list[str], pagination=None) -> str:

    return RDFSerializer(profiles=profiles).serialize_catalog(
        {}, datasets, _format=fmt, pagination_info=pagination
    )


@pytest.mark.integration
@pytest.mark.parametrize("fmt", fragments.FORMATS)
@pytest.mark.parametrize("profile", ["satudata_dcat_ap", "euro_dcat_ap_3"])
def test_the_demo_catalogue_joined_from_fragments_is_the_graph_ckanext_dcat_renders(
    app, demo_catalogue, fmt, profile
):
    pagination = {
        "count": 120,
        "items_per_page": 100,
        "current": "http://test.ckan.net/catalog.ttl?page=1",
        "first": "http://test.ckan.net/catalog.ttl?page=1",
        "last": "http://test.ckan.net/catalog.ttl?page=2",
        "next": "http://test.ckan.net/catalog.ttl?page=2",
    }
    with app.flask_app.test_request_context():
        datasets = _published_page()
        assert len(datasets) == len(demo_catalogue)
        cold = fragments.render_page(datasets, fmt, [profile], pagination)
        warm = fragments.render_page(datasets, fmt, [profile], pagination)
        _drop(fragments.BLOCK_PREFIX)  # shared blocks evicted: their datasets are rendered again
        mended = fragments.render_page(datasets, fmt, [profile], pagination)
        whole = _whole(datasets, fmt, [profile], pagination)
    assert cold == warm, "a page from stored fragments is the page rendered from fresh ones"
    expected = Graph().parse(data=whole, format=RDFLIB_FORMAT[fmt])
    for page in (warm, mended):  # mended: rendered again, with new blank node labels
        joined = Graph().parse(data=page, format=RDFLIB_FORMAT[fmt])
        assert len(joined) == len(expected)
        assert isomorphic(joined, expected)
    # Shared resources are written once: the page is no larger than the whole rendering.
    assert len(warm) < 1.1 * len(whole)


@pytest.mark.integration
def test_every_endpoint_format_serves_the_catalogue(app, demo_catalogue):
    for ext, parse_as in [*PAGE_FORMATS, ("xml", "xml"), ("n3", "n3")]:
        response = app.get(f"/catalog.{ext}")
        assert response.status_code == 200, (ext, response.body[:500])
        graph = Graph().parse(data=response.body, format=parse_as)
        assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == len(demo_catalogue), ext


@pytest.mark.integration
def test_the_joined_feed_keeps_concept_labels_for_harvesters(app, demo_catalogue):
    graph = _turtle(app)
    for concept in set(graph.objects(None, DCAT.theme)):
        assert graph.value(concept, SKOS.prefLabel) is not None, concept


@pytest.fixture
def feed_portal():
    make_opd_org("dinkes")
    make_opd_org("diskominfo")
    dataset = create_dataset(name="kasus-dbd", title="Jumlah Kasus DBD")
    publish(dataset["id"])
    return dataset


def _turtle(app) -> Graph:
    response = app.get("/catalog.ttl")
    assert response.status_code == 200, response.body
    return Graph().parse(data=response.body, format="turtle")


def _stored_fragments(dataset_name: str) -> list[bool]:

    redis = connect_to_redis()
    dataset = helpers.call_action("package_search", fq=f"name:{dataset_name}")["results"][0]
    prefix = fragments.key_prefix(fragments.profiles_for({}))
    stamp = fragments.quality_stamps([dataset]).get(dataset["id"], "")
    return [
        bool(redis.exists(fragments.fragment_key(prefix, fmt, dataset, stamp))) for fmt in fragments.FORMATS
    ]


@pytest.mark.integration
@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.satudata.dcat.cache_ttl", "0")
def test_publishing_renders_the_datasets_fragments_ahead_of_harvesters(app, feed_portal):
    assert _stored_fragments("kasus-dbd") == [True, True, True]


@pytest.mark.integration
@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.satudata.dcat.cache_ttl", "0")
def test_an_edit_of_a_published_dataset_shows_in_the_next_page(app, feed_portal):
    assert {str(t) for t in _turtle(app).objects(None, DCTERMS.title)} >= {"Jumlah Kasus DBD"}
    helpers.call_action(
        "package_patch",
        context={
            "ignore_auth": True,
            "user": helpers.call_action("get_site_user", context={"ignore_auth": True})["name"],
        },
        id="kasus-dbd",
        title="Kasus DBD (revisi)",
    )
    titles = {str(t) for t in _turtle(app).objects(None, DCTERMS.title)}
    assert "Kasus DBD (revisi)" in titles and "Jumlah Kasus DBD" not in titles


@pytest.mark.integration
@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.satudata.dcat.cache_ttl", "0")
def test_the_feeds_quality_score_follows_a_new_validation_result(app, feed_portal):

    def feed_score() -> int:
        graph = _turtle(app)
        measurement = graph.value(
            URIRef(f"http://test.ckan.net/dataset/{feed_portal['id']}"), DQV.hasQualityMeasurement
        )
        return int(graph.value(measurement, DQV.value))

    def dashboard_score() -> int:
        return int(scorecards.dataset_report(helpers.call_action("package_show", id="kasus-dbd"))["score"])

    assert feed_score() == dashboard_score()
    site = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    resource = helpers.call_action(
        "resource_create",
        context={"ignore_auth": True, "user": site},
        package_id=feed_portal["id"],
        name="Kasus 2024",
        format="TXT",
        url="https://data.balikpapan.go.id/dbd-2024.txt",
    )
    before = feed_score()
    finding = {
        "code": "type_error",
        "severity": "error",
        "row": 2,
        "column": "jumlah",
        "sheet": None,
        "value": "x",
        "details": {},
        "title": {"id": "Tipe salah", "en": "Wrong type"},
        "message": {"id": "Baris 2: bukan angka", "en": "Row 2: not a number"},
    }
    validations.save(
        resource["id"],
        feed_portal["id"],
        status=validations.TIDAK_VALID,
        rows=10,
        findings=[finding],
        counts={"type_error": 1},
        validated_at=utcnow(),
    )
    model.Session.commit()
    assert dashboard_score() != before, "the planted error lowers the score"
    assert feed_score() == dashboard_score()


@pytest.mark.integration
@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.satudata.dcat.cache_ttl", "0")
@pytest.mark.ckan_config("ckanext.satudata.dcat.fragment_ttl", "0")
def test_with_fragments_off_the_page_is_rendered_whole(app, feed_portal):
    graph = _turtle(app)
    assert (None, RDF.type, DCAT.Dataset) in graph
    assert _stored_fragments("kasus-dbd") == [False, False, False]


@pytest.mark.integration
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dcat_warm_renders_every_published_dataset(cli, app, feed_portal):

    _drop(fragments.PREFIX)
    assert _stored_fragments("kasus-dbd") == [False, False, False]
    result = cli.invoke(ckan, ["satudata", "dcat-warm"])
    assert result.exit_code == 0, result.output
    assert "1 published datasets rendered in 3 formats" in result.output
    assert _stored_fragments("kasus-dbd") == [True, True, True]
