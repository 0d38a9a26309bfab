"""Catalogue pages assembled from per-dataset fragments rendered once.

A catalogue page is the catalogue's own triples (catalogue record, ``dcat:dataset`` links,
hydra paging) plus, for every dataset on the page, the triples the profiles make of it.
``satudata_dcat_ap`` writes every field of the schema, about four times the triples of plain
DCAT-AP, and rdflib's serialisers cost the same per triple: rendering the whole page from
scratch on every request would cost about four times plain ckanext-dcat.

So each dataset is rendered once, on its own graph, in each endpoint format (Turtle, RDF/XML,
JSON-LD), and the result is kept in CKAN's Redis: the dataset's own part (itself, its
distributions, its blank nodes) and one block per shared resource it mentions (a concept, a
licence, an OPD), each with the namespaces it uses. A page carries each shared block once, so it
is no larger than the page rendered whole.

The key is content-addressed: a hash of the whole dataset dict as the search index holds it, a
stamp of its validation results and acknowledgements (what its quality score is computed from),
the profiles, the format, the portal settings and the day. Any edit, publication, withdrawal or
validation changes the key, and so does midnight: the timeliness part of the quality score moves
with the calendar. Fragments expire after ``ckanext.satudata.dcat.fragment_ttl`` seconds (two
days by default).

A page is the catalogue part rendered afresh plus the fragments of its datasets (missing ones
are rendered and stored), joined under one namespace header. The result parses to the same
graph as ckanext-dcat's ``RDFSerializer.serialize_catalog`` on the same datasets (tested for
each format; N3 is served as Turtle, which is valid N3). When the fragments cannot be joined
safely (two fragments bind one prefix to different namespaces, sub-catalogues exposed, Redis
down, ``fragment_ttl`` 0) the page is rendered the ordinary way.

Publishing a dataset renders its fragments at once (``workflow.transition``), and
``ckan satudata dcat-warm`` renders those of the whole published catalogue (run it daily after
midnight, and after an upgrade): harvesters then meet rendered fragments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckanext.dcat.processors import (
    DCAT_EXPOSE_SUBCATALOGS,
    DEFAULT_RDF_PROFILES,
    RDF_PROFILES_CONFIG_OPTION,
    RDFSerializer,
)
from ckanext.dcat.utils import dataset_uri, url_to_rdflib_format
from rdflib import BNode, URIRef
from rdflib.namespace import DCAT
from redis.exceptions import RedisError

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.dcat import PUBLISHED_FQ, upstream
from ckanext.satudata_balikpapan.model import resource_validation as validations

log = logging.getLogger(__name__)

PREFIX = "satudata:dcat:fragment:"  # a dataset's own part, by dataset
BLOCK_PREFIX = "satudata:dcat:block:"  # a shared resource's description, by content
VERSION = "1"  # bump when the profile's output changes
# rdflib format names (ckanext-dcat's url_to_rdflib_format) whose documents can be joined.
FORMATS = ("turtle", "pretty-xml", "json-ld")
# Formats served from another one's fragments: Turtle is valid N3.
SERVED_AS = {"n3": "turtle"}
_TURTLE_PREFIX = re.compile(r"^@prefix ([^\s:]*): <([^>]*)> \.$")
_XML_NAMESPACE = re.compile(r'xmlns(?::([^\s="]+))?="([^"]*)"')
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass(frozen=True)
class Fragment:
    """A serialised graph split into the namespaces it declares and its body. A fragment with
    a ``key`` describes a resource many datasets share (a concept, a licence, an OPD): a page
    carries it once."""

    namespaces: tuple[tuple[str, str], ...]
    body: str
    key: str = ""


def encode(fragment: Fragment, block_keys: list[str] | None = None) -> bytes:
    """A fragment as stored in Redis (zlib-compressed JSON): a dataset's own part with the keys
    of its shared blocks, or a shared block (``block_keys`` None)."""
    data = (
        [fragment.namespaces, fragment.body]
        if block_keys is None
        else [fragment.namespaces, fragment.body, block_keys]
    )
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 6)


def decode(data: bytes, key: str = "") -> tuple[Fragment, list[str]]:
    """A stored fragment and the keys of the blocks it refers to (none for a block)."""
    namespaces, body, *rest = json.loads(zlib.decompress(data))
    return Fragment(tuple(tuple(n) for n in namespaces), body, key), (rest[0] if rest else [])


def split(fmt: str, text: str) -> Fragment | None:
    """Split an rdflib serialisation in ``fmt`` into namespaces and body, or None when its
    shape is not the one expected (then nothing is joined)."""
    if fmt == "turtle":
        namespaces, lines = [], text.split("\n")
        index = 0
        while index < len(lines):
            line = lines[index]
            match = _TURTLE_PREFIX.match(line)
            if match:
                namespaces.append((match.group(1), match.group(2)))
            elif line.startswith("@"):
                return None  # @base or another directive
            elif line.strip():
                break
            index += 1
        return Fragment(tuple(namespaces), "\n".join(lines[index:]).strip("\n"))
    if fmt == "pretty-xml":
        start = text.find("<rdf:RDF")
        if start < 0:
            return None
        open_end = text.find(">", start)
        if open_end < 0:
            return None
        opening = text[start:open_end]
        if "xml:base" in opening:
            return None
        namespaces = tuple((m.group(1) or "", m.group(2)) for m in _XML_NAMESPACE.finditer(opening))
        if opening.rstrip().endswith("/"):  # <rdf:RDF ... /> : an empty graph
            return Fragment(namespaces, "")
        close = text.rfind("</rdf:RDF>")
        if close < 0:
            return None
        return Fragment(namespaces, text[open_end + 1 : close].strip("\n"))
    if fmt == "json-ld":
        stripped = text.strip()
        if not (stripped.startswith("[") and stripped.endswith("]")):
            return None
        return Fragment((), stripped[1:-1].strip("\n"))
    return None


def join(fmt: str, parts: Iterable[Fragment]) -> str | None:
    """One document of the format from fragments, or None when two fragments bind one prefix to
    different namespaces."""
    seen: set[str] = set()
    unique = []
    for part in parts:
        if part.key:
            if part.key in seen:
                continue
            seen.add(part.key)
        unique.append(part)
    parts = unique
    namespaces: dict[str, str] = {}
    for part in parts:
        for prefix, iri in part.namespaces:
            if namespaces.setdefault(prefix, iri) != iri:
                return None
    bodies = [part.body for part in parts if part.body.strip()]
    if fmt == "turtle":
        head = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in sorted(namespaces.items()))
        return head + "\n" + "\n\n".join(bodies) + "\n\n"
    if fmt == "pretty-xml":
        declared = "".join(
            f'  xmlns:{prefix}="{iri}"\n' if prefix else f'  xmlns="{iri}"\n'
            for prefix, iri in namespaces.items()
        )
        return f"{_XML_DECLARATION}<rdf:RDF\n{declared}>\n" + "\n".join(bodies) + "\n</rdf:RDF>\n"
    if fmt == "json-ld":
        return "[\n" + ",\n".join(bodies) + "\n]"
    return None


# ---------------------------------------------------------------------------- Redis


def _redis() -> Any:

    return connect_to_redis()


def _ttl() -> int:
    return config.dcat_fragment_ttl()


def _settings_signature() -> str:
    """The settings a dataset's rendering depends on (portal URL, language, our and dcat's
    options)."""
    exact = ("ckan.site_url", "ckan.locale_default")
    keys = sorted(k for k in tk.config if k in exact or k.startswith(("ckanext.satudata.", "ckanext.dcat.")))
    return json.dumps([(k, str(tk.config.get(k))) for k in keys])


def key_prefix(profiles: list[str], today: dt.date | None = None) -> str:
    """What every fragment key of a page shares: version, settings, profiles and the day (the
    quality score's timeliness part moves with the calendar)."""
    day = (today or dt.date.today()).isoformat()
    return "\x1f".join([VERSION, _settings_signature(), ",".join(profiles), day])


def fragment_key(prefix: str, fmt: str, dataset_dict: dict[str, Any], quality: str = "") -> str:
    """The Redis key of a dataset's fragments: a hash of ``prefix`` (:func:`key_prefix`), the
    format, the whole dataset dict and its ``quality`` stamp (validations, acknowledgements)."""
    material = json.dumps(dataset_dict, sort_keys=True, default=str)
    digest = hashlib.sha1(f"{prefix}\x1f{fmt}\x1f{quality}\x1f{material}".encode(), usedforsecurity=False)
    return PREFIX + digest.hexdigest()


def quality_stamps(datasets: list[dict[str, Any]]) -> dict[str, str]:

    ids = [d["id"] for d in datasets if d.get("id")]
    try:
        return validations.stamps(ids)
    except Exception:  # no quality tables (a site that has not migrated): no stamp
        log.warning("DCAT fragments: no quality stamps", exc_info=True)
        model.Session.rollback()
        return {}


# ---------------------------------------------------------------------------- rendering


def profiles_for(data_dict: dict[str, Any]) -> list[str]:
    """The profiles a request renders with: its own (list or comma list), else the site's."""

    requested = data_dict.get("profiles")
    if isinstance(requested, str):
        requested = [p.strip() for p in requested.split(",") if p.strip()]
    if requested:
        return list(requested)
    configured = tk.config.get(RDF_PROFILES_CONFIG_OPTION) or ""
    if configured:
        return configured.split()

    return list(DEFAULT_RDF_PROFILES)


def _partition(graph: Any, dataset_ref: Any) -> tuple[set[Any], list[Any]]:
    """The dataset's own subjects (itself, its distributions, blank nodes) and the shared ones:
    every other named resource it mentions, unless that one points at a blank node."""

    own, queue = {dataset_ref}, [dataset_ref]
    while queue:
        subject = queue.pop()
        for predicate, obj in graph.predicate_objects(subject):
            if obj not in own and (isinstance(obj, BNode) or predicate == DCAT.distribution):
                own.add(obj)
                queue.append(obj)
    shared = []
    for subject in set(graph.subjects()):
        if subject in own:
            continue
        if isinstance(subject, BNode) or any(isinstance(o, BNode) for o in graph.objects(subject)):
            own.add(subject)
        else:
            shared.append(subject)
    return own, shared


@dataclass
class _Built:
    """A dataset's graph split for rendering: its own part, and per shared resource the
    triples and their sorted N-Triples text (what the block's key hashes)."""

    own: Any
    shared: list[tuple[str, list[Any]]]


def _build(serializer: Any, dataset_dict: dict[str, Any], new_graph: Callable[[], Any]) -> _Built:
    graph = new_graph()
    serializer.g = graph
    dataset_ref = serializer.graph_from_dataset(dataset_dict)
    own, shared = _partition(graph, dataset_ref)
    own_graph = new_graph()
    for subject in own:
        for triple in graph.triples((subject, None, None)):
            own_graph.add(triple)
    blocks = []
    for subject in shared:
        triples = list(graph.triples((subject, None, None)))
        blocks.append(("\n".join(sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples)), triples))
    return _Built(own_graph, blocks)


def _render_dataset(
    serializer: Any,
    dataset_dict: dict[str, Any],
    fmt: str,
    namespaces: Any,
    blocks: dict[str, Fragment],
    built: dict[str, _Built] | None = None,
) -> list[Fragment] | None:
    """One dataset rendered on a graph of its own: its own part, then one keyed fragment per
    shared resource (``blocks``: those already read or rendered for this page). The graphs
    share ``namespaces`` (an rdflib NamespaceManager): the same prefixes everywhere, and qnames
    computed once. ``built`` keeps each dataset's graph (by id) for its other formats."""
    graph_type = type(serializer.g)

    def new_graph() -> Any:
        graph = graph_type()
        graph.namespace_manager = namespaces
        return graph

    prepared = built.get(dataset_dict.get("id") or "") if built is not None else None
    if prepared is None:
        prepared = _build(serializer, dataset_dict, new_graph)
        if built is not None and dataset_dict.get("id"):
            built[dataset_dict["id"]] = prepared
    head = split(fmt, prepared.own.serialize(format=fmt))
    if head is None:
        return None
    parts = [head]
    for material, triples in prepared.shared:
        key = hashlib.sha1(f"{VERSION}\x1f{fmt}\x1f{material}".encode(), usedforsecurity=False).hexdigest()
        block = blocks.get(key)
        if block is None:
            block_graph = new_graph()
            for triple in triples:
                block_graph.add(triple)
            rendered = split(fmt, block_graph.serialize(format=fmt))
            if rendered is None:
                return None
            block = blocks[key] = Fragment(rendered.namespaces, rendered.body, key)
        parts.append(block)
    return parts


def fragments_for(
    serializer: Any,
    datasets: list[dict[str, Any]],
    fmt: str,
    profiles: list[str],
    redis: Any,
    built: dict[str, _Built] | None = None,
) -> list[Fragment] | None:
    """The fragments of ``datasets`` in ``fmt``, each dataset's own part followed by its shared
    blocks: read from Redis (two reads for the whole page), and for a dataset missing there (or
    one of its blocks) rendered and stored. None when one cannot be split. ``built``: graphs
    already built for another format (see :func:`_render_dataset`)."""
    prefix = key_prefix(profiles)
    quality = quality_stamps(datasets)
    keys = [fragment_key(prefix, fmt, d, quality.get(d.get("id") or "", "")) for d in datasets]
    records = {
        key: decode(data) for key, data in zip(keys, redis.mget(keys) if keys else [], strict=True) if data
    }
    wanted = sorted({k for _own, block_keys in records.values() for k in block_keys})
    blocks: dict[str, Fragment] = {}
    for key, data in zip(
        wanted, redis.mget([BLOCK_PREFIX + k for k in wanted]) if wanted else [], strict=True
    ):
        if data:
            blocks[key] = decode(data, key)[0]
    result: list[Fragment] = []
    writes: dict[str, bytes] = {}
    saved_graph = serializer.g
    namespaces = saved_graph.namespace_manager
    try:
        for key, dataset_dict in zip(keys, datasets, strict=True):
            record = records.get(key)
            if record is not None and all(k in blocks for k in record[1]):
                result.append(record[0])
                result.extend(blocks[k] for k in record[1])
                continue
            parts = _render_dataset(serializer, dataset_dict, fmt, namespaces, blocks, built)
            if parts is None:
                return None
            own, shared = parts[0], parts[1:]
            result.extend(parts)
            writes[key] = encode(own, [b.key for b in shared])
            for block in shared:  # stored again: a block outlives every record naming it
                writes[BLOCK_PREFIX + block.key] = encode(block)
    finally:
        serializer.g = saved_graph
    if writes:
        try:
            ttl = _ttl()
            pipe = redis.pipeline(transaction=False)
            for key, data in writes.items():
                pipe.setex(key, ttl, data)
            pipe.execute()
        except Exception:
            log.warning("DCAT fragments: could not store fragments", exc_info=True)
    return result


def enabled() -> bool:
    """Whether pages are joined from fragments (``fragment_ttl`` above 0)."""
    return _ttl() > 0


def _applies(fmt: str) -> bool:

    subcatalogs = tk.asbool(tk.config.get(DCAT_EXPOSE_SUBCATALOGS, False))
    return fmt in FORMATS and not subcatalogs and _ttl() > 0


def render_page(
    datasets: list[dict[str, Any]],
    fmt: str,
    profiles: list[str],
    pagination_info: dict[str, Any] | None = None,
    catalog_dict: dict[str, Any] | None = None,
) -> str | None:
    """A catalogue page of ``datasets`` in rdflib format ``fmt``, joined from fragments; None
    when it cannot be (the caller then renders it the ordinary way)."""

    if not _applies(fmt):
        return None
    try:
        redis = _redis()
        redis.ping()
    except Exception:
        log.warning("DCAT fragments: Redis unavailable, rendering the page whole", exc_info=True)
        return None
    serializer = RDFSerializer(profiles=profiles)
    catalog_ref = serializer.graph_from_catalog(catalog_dict or {})
    for dataset_dict in datasets:
        serializer.g.add((catalog_ref, DCAT.dataset, URIRef(dataset_uri(dataset_dict))))
    if pagination_info:
        upstream.add_pagination_triples(serializer, pagination_info)
    head = split(fmt, serializer.g.serialize(format=fmt))
    try:
        parts = fragments_for(serializer, datasets, fmt, profiles, redis)
    except RedisError:  # Redis went away mid-page: render the page whole
        log.warning("DCAT fragments: Redis failed, rendering the page whole", exc_info=True)
        return None
    if head is None or parts is None:
        return None
    return join(fmt, [head, *parts])


def render_catalog(context: dict[str, Any], data_dict: dict[str, Any]) -> str | None:
    """``dcat_catalog_show`` from fragments: the same search and paging as ckanext-dcat."""

    fmt = url_to_rdflib_format(data_dict.get("format") or "xml")
    fmt = SERVED_AS.get(fmt, fmt)
    if not _applies(fmt):
        return None
    query = upstream.search_datasets(context, data_dict)
    return render_page(
        query["results"], fmt, profiles_for(data_dict), upstream.pagination_info(query, data_dict)
    )


def refresh(package_id: str) -> None:
    """Render a just-published dataset's fragments now, so that harvesters meet them ready.
    A failure (Redis down) only leaves them to the first page that needs them."""
    try:
        if enabled():
            warm([package_id])
    except Exception:
        log.warning("Satu Data: could not render the DCAT fragments of %s", package_id, exc_info=True)


def warm(dataset_ids: Iterable[str] | None = None, batch: int = 100) -> int:
    """Render and store the fragments of published datasets (all, or those whose id or name is
    in ``dataset_ids``) in every joinable format with the site's profiles. Fragments already
    stored are kept. Returns how many published datasets were looked at."""

    redis = _redis()
    profiles = profiles_for({})
    serializer = RDFSerializer(profiles=profiles)
    search = tk.get_action("package_search")
    ids = list(dataset_ids) if dataset_ids is not None else None
    done, start = 0, 0
    while True:
        fq = PUBLISHED_FQ
        if ids is not None:
            chunk = ids[start : start + batch]
            if not chunk:
                break
            quoted = " OR ".join('"' + i.replace('"', "") + '"' for i in chunk)
            fq += f" +(id:({quoted}) OR name:({quoted}))"
            found = search({"ignore_auth": True}, {"fq": fq, "rows": batch, "include_private": False})
        else:
            query = {"fq": fq, "rows": batch, "start": start, "sort": "metadata_modified desc"}
            found = search({"ignore_auth": True}, dict(query, include_private=False))
        results = found["results"]
        built: dict[str, _Built] = {}  # each dataset's graph is built once for every format
        for fmt in FORMATS:
            fragments_for(serializer, results, fmt, profiles, redis, built)
        done += len(results)
        start += batch
        if ids is None and (not results or start >= found["count"]):
            break
    return done
