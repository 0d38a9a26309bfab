"""The demo catalogue's DCAT-AP feed passes the official DCAT-AP 3.0.1 SHACL shapes.

The shapes are unchanged copies kept in ``tests/data/dcat-ap-3.0.1`` (CC-BY 4.0, European Union).
The feed is validated alone, without the EU vocabularies: it states the class, scheme and labels
of every concept it uses, as a harvester reading it would need.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ckan.tests import helpers
from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, RDF, SH

SHAPES = Path(__file__).resolve().parent.parent / "data" / "dcat-ap-3.0.1"
SHAPE_FILES = ["shapes.ttl", "shapes_recommended.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"]

pytestmark = [pytest.mark.once, pytest.mark.integration]


def catalogue_graph(app) -> Graph:
    """The whole public catalogue, every page of ``/catalog.ttl``, as one graph."""

    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    graph = Graph()
    url = "/catalog.ttl"
    while url:
        response = app.get(url)
        assert response.status_code == 200, response.body
        part = Graph().parse(data=response.body, format="turtle")
        graph += part
        following = part.value(None, hydra.nextPage)
        url = str(following).split("://", 1)[-1].split("/", 1)[-1] if following else None
        url = f"/{url}" if url else None
    return graph


def violations(data: Graph, shape_file: str) -> list[str]:
    """The sh:Violation results of validating ``data`` against one shapes file."""

    shapes = Graph().parse(SHAPES / shape_file, format="turtle")
    _conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    out = []
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        out.append(f"{focus} {path}: {message}")
    return sorted(out)


@pytest.fixture(scope="module")
def feed(demo_catalogue):
    return catalogue_graph(helpers._get_test_app())  # noqa: SLF001 - CKAN's app fixture is function-scoped


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_the_demo_feed_has_zero_violations(feed, demo_catalogue, shape_file):
    assert demo_catalogue, "the demo catalogue publishes datasets"
    assert violations(feed, shape_file) == []


def test_the_feed_lists_every_published_dataset_and_nothing_else(feed, demo_catalogue):

    landing = {
        str(feed.value(d, DCAT.landingPage)).rsplit("/", 1)[-1] for d in feed.subjects(RDF.type, DCAT.Dataset)
    }
    assert landing == set(demo_catalogue)
