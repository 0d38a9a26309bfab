"""The portal's SKOS concept schemes and its metadata vocabulary, dereferenceable as RDF.

    /kosakata/<scheme>[.ttl|.rdf|.jsonld]   a concept scheme (sektor, urusan, wilayah, ...)
    /kosakata/<scheme>/<code>               one concept (e.g. /kosakata/wilayah/64.71.01)
    /kosakata/sdi[.ttl|.rdf|.jsonld]        the Satu Data properties the DCAT-AP feed uses
    /kosakata/kualitas                      the quality metric (DQV) of dqv:hasQualityMeasurement

Every URI the DCAT-AP feed mints under /kosakata answers here. The format follows the suffix,
else the ``Accept`` header (Turtle, RDF/XML, JSON-LD), Turtle by default.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request
from rdflib import Graph

from ckanext.satudata_balikpapan.dcat import vocab

kosakata = Blueprint("satudata_kosakata", __name__)

FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
ACCEPT = {
    "text/turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
    "application/x-turtle": "ttl",
}


def _format(suffix: str | None) -> str:
    if suffix:
        return suffix
    best = request.accept_mimetypes.best_match(list(ACCEPT), default="text/turtle")
    return ACCEPT.get(best or "", "ttl")


def _rdf(graph: Graph, suffix: str | None) -> Response:
    rdflib_format, mimetype = FORMATS[_format(suffix)]
    body = graph.serialize(format=rdflib_format)
    response = Response(body, mimetype=mimetype)
    response.headers["Vary"] = "Accept"
    return response


def _split(name: str) -> tuple[str, str | None]:
    for suffix in FORMATS:
        if name.endswith(f".{suffix}"):
            return name[: -len(suffix) - 1], suffix
    return name, None


def scheme(name: str) -> Response:
    """A whole concept scheme, or the sdi vocabulary."""
    name, suffix = _split(name)
    if name == "sdi":
        return _rdf(vocab.sdi_graph(), suffix)
    if name == "kualitas":
        return _rdf(vocab.quality_graph(), suffix)
    if name not in vocab.SCHEMES:
        return tk.abort(404, tk._("Vocabulary not found"))
    return _rdf(vocab.scheme_graph(name), suffix)


def concept(name: str, code: str) -> Response:
    """One concept of a scheme."""
    code, suffix = _split(code)
    graph = vocab.concept_graph(name, code)
    if graph is None:
        return tk.abort(404, tk._("Vocabulary not found"))
    return _rdf(graph, suffix)


kosakata.add_url_rule("/kosakata/<name>", view_func=scheme)
kosakata.add_url_rule("/kosakata/<name>/<code>", view_func=concept)
