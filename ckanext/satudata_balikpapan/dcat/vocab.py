"""The portal's SKOS concept schemes and the EU concepts the DCAT-AP feed uses.

Every code list of the Satu Data schema (sektor, urusan, wilayah, frekuensi, ...) is published
as a ``skos:ConceptScheme`` at ``<portal>/kosakata/<scheme>``, each code as a ``skos:Concept``
at ``<portal>/kosakata/<scheme>/<code>``; the schema's own properties (``konsep``, ``satuan``,
...) are defined at ``<portal>/kosakata/sdi``. ``<portal>`` is CKAN's DCAT base URI
(``ckanext.dcat.base_uri``, else ``ckan.site_url``), so every URI of the feed dereferences on the
portal that serves it (``views/vocab.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from ckanext.dcat.utils import catalog_uri
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from ckanext.satudata_balikpapan.registry import vocabularies

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
STAT = Namespace("http://data.europa.eu/(xyz)/statdcat-ap/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VOCAB_PATH = "/kosakata"
SDI_PATH = "/kosakata/sdi"


@dataclass(frozen=True)
class Scheme:
    """A code list of the schema published as a SKOS concept scheme."""

    name: str  # URL segment, e.g. "sektor"
    vocabulary: str  # vocabularies.vocabulary() name; "wilayah" and "peran" are special
    title: dict[str, str]


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("sektor", "sektor", {"id": "Sektor Kegiatan (MS-Keg)", "en": "Activity sector (MS-Keg)"}),
        Scheme("urusan", "urusan", {"id": "Bidang Urusan Pemerintahan", "en": "Government affairs"}),
        Scheme(
            "wilayah",
            "wilayah",
            {
                "id": "Wilayah Kota Balikpapan (kode Kemendagri)",
                "en": "Areas of Balikpapan City (Kemendagri codes)",
            },
        ),
        Scheme("frekuensi", "frekuensi", {"id": "Frekuensi Penyelenggaraan", "en": "Frequency"}),
        Scheme("jenis", "jenis_data", {"id": "Jenis Data", "en": "Data type"}),
        Scheme("ukuran", "ukuran", {"id": "Ukuran", "en": "Measure"}),
        Scheme("satuan", "satuan", {"id": "Satuan", "en": "Unit of measure"}),
        Scheme(
            "cara-pengumpulan",
            "cara_pengumpulan",
            {"id": "Cara Pengumpulan Data", "en": "Data collection method"},
        ),
        Scheme(
            "tingkat-penyajian",
            "tingkat_penyajian",
            {"id": "Tingkat Penyajian", "en": "Level of presentation"},
        ),
        Scheme("level-estimasi", "level_estimasi", {"id": "Level Estimasi", "en": "Estimation level"}),
        Scheme(
            "metode-pengumpulan",
            "metode_pengumpulan",
            {"id": "Metode Pengumpulan Data (MS-Keg)", "en": "Data collection technique (MS-Keg)"},
        ),
        Scheme(
            "unit-statistik",
            "unit_statistik",
            {"id": "Unit Statistik (MS-Keg)", "en": "Statistical unit (MS-Keg)"},
        ),
        Scheme(
            "metode-analisis",
            "metode_analisis",
            {"id": "Metode Analisis (MS-Keg)", "en": "Analysis method (MS-Keg)"},
        ),
        Scheme("akses", "akses", {"id": "Tingkat Akses", "en": "Access level"}),
        Scheme("peran", "peran", {"id": "Peran Satu Data Indonesia", "en": "Satu Data Indonesia roles"}),
    )
}

ROLES = {
    "walidata": {"id": "Walidata", "en": "Data steward (walidata)"},
    "produsen-data": {"id": "Produsen Data", "en": "Data producer"},
    "pembina-data": {"id": "Pembina Data", "en": "Data supervisor (pembina data)"},
}

# The schema's own properties (the data.go.id / BPS metadata keys), defined at /kosakata/sdi.
SDI_PROPERTIES: dict[str, dict[str, str]] = {
    "konsep": {"id": "Konsep", "en": "Concept"},
    "definisi": {"id": "Definisi", "en": "Definition"},
    "klasifikasi": {"id": "Klasifikasi", "en": "Classification"},
    "ukuran": {"id": "Ukuran", "en": "Measure"},
    "ukuranLainnya": {"id": "Ukuran lainnya", "en": "Other measure"},
    "satuanLainnya": {"id": "Satuan lainnya", "en": "Other unit"},
    "kodereferensi": {"id": "Kode referensi", "en": "Reference code"},
    "interpretasi": {"id": "Interpretasi", "en": "Interpretation"},
    "metodePerhitungan": {"id": "Metode perhitungan", "en": "Calculation method"},
    "rumus": {"id": "Rumus", "en": "Formula"},
    "levelEstimasi": {"id": "Level estimasi", "en": "Estimation level"},
    "indikatorKomposit": {"id": "Indikator komposit", "en": "Composite indicator"},
    "indikatorPembangun": {"id": "Indikator pembangun", "en": "Component indicators"},
    "caraPengumpulanData": {"id": "Cara pengumpulan data", "en": "Data collection method"},
    "identitasRekomendasi": {"id": "Identitas rekomendasi (Romantik)", "en": "BPS recommendation number"},
    "tingkatPenyajian": {"id": "Tingkat penyajian", "en": "Level of presentation"},
    "jenis": {"id": "Jenis data", "en": "Data type"},
    "prioritasTahun": {"id": "Data prioritas tahun", "en": "Priority data of year"},
    "jadwalRilis": {"id": "Jadwal rilis", "en": "Release schedule"},
    "dasarHukumAkses": {"id": "Dasar hukum pembatasan akses", "en": "Legal basis of access restriction"},
    "tingkatAkses": {"id": "Tingkat akses", "en": "Access level"},
    "frekuensi": {"id": "Frekuensi penyelenggaraan", "en": "Frequency"},
    "sektor": {"id": "Sektor kegiatan", "en": "Activity sector"},
    "urusan": {"id": "Bidang urusan", "en": "Government affair"},
    "judulKegiatan": {"id": "Judul kegiatan statistik", "en": "Statistical activity title"},
    "latarBelakangKegiatan": {"id": "Latar belakang kegiatan", "en": "Background of the activity"},
    "tujuanKegiatan": {"id": "Tujuan kegiatan", "en": "Objectives of the activity"},
    "metodePengumpulanData": {"id": "Metode pengumpulan data", "en": "Data collection technique"},
    "unitPengumpulanData": {"id": "Unit pengumpulan data", "en": "Unit of data collection"},
    "metodeAnalisis": {"id": "Metode analisis", "en": "Analysis method"},
    "unitAnalisis": {"id": "Unit analisis", "en": "Unit of analysis"},
    "idMsKeg": {"id": "ID Metadata Kegiatan (MS-Keg)", "en": "Activity metadata id (MS-Keg)"},
    "idMsInd": {"id": "ID Metadata Indikator (MS-Ind)", "en": "Indicator metadata id (MS-Ind)"},
    "periode": {"id": "Periode data", "en": "Data period"},
    "format": {"id": "Format berkas", "en": "File format"},
    "tableSchema": {"id": "Skema tabel (Table Schema)", "en": "Table Schema"},
    "jabatan": {"id": "Jabatan", "en": "Position"},
    "name": {"id": "Nama pendek (URL)", "en": "Short name (URL)"},
}


@cache
def eu_authority() -> dict[str, Any]:
    """The EU/ADMS concepts the feed uses (``data/vocabularies/eu_authority.yaml``)."""
    path = resources.files(vocabularies.PACKAGE).joinpath("data/vocabularies/eu_authority.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def portal_base() -> str:
    """The DCAT base URI of this portal, without a trailing slash."""

    return catalog_uri().rstrip("/")


def landing_page(name: str) -> str:
    """A dataset's landing page in the feeds: its page on this portal, by name."""
    return f"{portal_base()}/dataset/{name}"


def sdi_namespace(base: str | None = None) -> Namespace:
    """The namespace of the schema's own properties on this portal."""
    return Namespace(f"{base or portal_base()}{SDI_PATH}#")


def scheme_uri(scheme: str, base: str | None = None) -> URIRef:
    return URIRef(f"{base or portal_base()}{VOCAB_PATH}/{scheme}")


def concept_uri(scheme: str, code: str, base: str | None = None) -> URIRef:
    return URIRef(f"{base or portal_base()}{VOCAB_PATH}/{scheme}/{code}")


def eu_concept(g: Graph, table: str, code: str, rdf_class: URIRef | None = None) -> URIRef:
    """Add an EU/ADMS concept with its class, scheme and labels to ``g``; return its URI."""
    spec = eu_authority()["schemes"][table]
    base = spec.get("base") or f"{EU_AUTHORITY}{table}/"
    uri = URIRef(f"{base}{code}")
    if rdf_class is not None:
        g.add((uri, RDF.type, rdf_class))
    if (uri, SKOS.inScheme, URIRef(spec["uri"])) in g:  # described already (a catalogue page)
        return uri
    g.add((uri, RDF.type, SKOS.Concept))
    if rdf_class is not None:
        g.add((uri, RDF.type, rdf_class))
    g.add((uri, SKOS.inScheme, URIRef(spec["uri"])))
    g.add((URIRef(spec["uri"]), RDF.type, SKOS.ConceptScheme))
    g.set((URIRef(spec["uri"]), DCTERMS.title, Literal(spec.get("title") or table, lang="en")))
    labels = spec["concepts"].get(code) or {"en": code}
    for lang in ("id", "en"):
        if labels.get(lang):
            g.add((uri, SKOS.prefLabel, Literal(labels[lang], lang=lang)))
    return uri


def eu_code(uri: object, table: str) -> str | None:
    """The code of an EU/ADMS concept URI of ``table`` (None when it is not one)."""
    spec = eu_authority()["schemes"][table]
    base = spec.get("base") or f"{EU_AUTHORITY}{table}/"
    text = str(uri or "")
    return text[len(base) :] if text.startswith(base) else None


def _terms(scheme: Scheme) -> list[tuple[str, dict[str, str], str | None]]:
    """(code, labels, broader code) of every concept of a scheme."""
    if scheme.vocabulary == "wilayah":
        out = []
        for code, region in vocabularies.regions().items():
            label = {"id": region.name if region.level != "kecamatan" else f"Kecamatan {region.name}"}
            if region.level == "kelurahan":
                label = {"id": f"Kelurahan {region.name}"}
            out.append((code, label, region.parent))
        return out
    if scheme.vocabulary == "peran":
        return [(code, labels, None) for code, labels in ROLES.items()]
    return [(t.code, dict(t.label), None) for t in vocabularies.vocabulary(scheme.vocabulary)]


@cache
def _term_index(scheme_name: str) -> dict[str, tuple[dict[str, str], str | None]]:
    return {code: (labels, broader) for code, labels, broader in _terms(SCHEMES[scheme_name])}


def add_concept(g: Graph, scheme_name: str, code: str, base: str | None = None) -> URIRef:
    """Add a concept of one of our schemes with its scheme, notation and labels; return its URI."""
    uri = concept_uri(scheme_name, code, base)
    s_uri = scheme_uri(scheme_name, base)
    if (uri, SKOS.inScheme, s_uri) in g:  # described already (a catalogue page)
        return uri
    labels, broader = _term_index(scheme_name).get(code, ({}, None))
    g.add((uri, RDF.type, SKOS.Concept))
    g.add((uri, SKOS.inScheme, s_uri))
    g.add((uri, SKOS.notation, Literal(code)))
    for lang in ("id", "en"):
        if labels.get(lang):
            g.add((uri, SKOS.prefLabel, Literal(labels[lang], lang=lang)))
    if not labels:
        g.add((uri, SKOS.prefLabel, Literal(code)))
    if broader:
        g.add((uri, SKOS.broader, concept_uri(scheme_name, broader, base)))
    if scheme_name == "wilayah":
        g.add((uri, RDF.type, DCTERMS.Location))
    return uri


def concept_code(g: Graph, uri: object) -> str | None:
    """The code of one of our concepts: its ``skos:notation``, else the URI's last segment."""
    notation = g.value(uri, SKOS.notation) if isinstance(uri, URIRef) else None
    if notation is not None:
        return str(notation)
    text = str(uri or "")
    return text.rsplit("/", 1)[-1] or None if f"{VOCAB_PATH}/" in text else None


def scheme_of(uri: object) -> str | None:
    """The name of our scheme a concept URI belongs to (``.../kosakata/<scheme>/<code>``)."""
    text = str(uri or "")
    if f"{VOCAB_PATH}/" not in text:
        return None
    rest = text.split(f"{VOCAB_PATH}/", 1)[1]
    name = rest.split("/", 1)[0]
    return name if name in SCHEMES and "/" in rest else None


def scheme_graph(scheme_name: str, base: str | None = None) -> Graph:
    """The whole concept scheme as RDF."""
    scheme = SCHEMES[scheme_name]
    g = _graph()
    s_uri = scheme_uri(scheme_name, base)
    g.add((s_uri, RDF.type, SKOS.ConceptScheme))
    for lang, text in scheme.title.items():
        g.add((s_uri, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((s_uri, DCTERMS.title, Literal(text, lang=lang)))
    if scheme.vocabulary not in ("wilayah", "peran"):
        source = vocabularies.vocabulary(scheme.vocabulary).source
        if source:
            g.add((s_uri, DCTERMS.source, Literal(source)))
    for code, _labels, broader in _terms(scheme):
        uri = add_concept(g, scheme_name, code, base)
        if not broader:
            g.add((s_uri, SKOS.hasTopConcept, uri))
            g.add((uri, SKOS.topConceptOf, s_uri))
    return g


def concept_graph(scheme_name: str, code: str, base: str | None = None) -> Graph | None:
    """One concept as RDF, or None when the scheme has no such code."""
    if scheme_name not in SCHEMES:
        return None
    codes = [c for c, _l, _b in _terms(SCHEMES[scheme_name])]
    if code not in codes:
        return None
    g = _graph()
    add_concept(g, scheme_name, code, base)
    s_uri = scheme_uri(scheme_name, base)
    g.add((s_uri, RDF.type, SKOS.ConceptScheme))
    for lang, text in SCHEMES[scheme_name].title.items():
        g.add((s_uri, SKOS.prefLabel, Literal(text, lang=lang)))
    return g


def sdi_graph(base: str | None = None) -> Graph:
    """The schema's own properties (``<portal>/kosakata/sdi#...``) as an RDF vocabulary."""
    g = _graph()
    ns = sdi_namespace(base)
    onto = URIRef(f"{base or portal_base()}{SDI_PATH}")
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, DCTERMS.title, Literal("Satu Data Indonesia: metadata statistik sektoral", lang="id")))
    g.add((onto, DCTERMS.title, Literal("Satu Data Indonesia: sectoral statistics metadata", lang="en")))
    for name, labels in SDI_PROPERTIES.items():
        prop = ns[name]
        g.add((prop, RDF.type, RDF.Property))
        g.add((prop, RDFS.isDefinedBy, onto))
        for lang, text in labels.items():
            g.add((prop, RDFS.label, Literal(text, lang=lang)))
    return g


QUALITY_PATH = "/kosakata/kualitas"


def quality_graph(base: str | None = None) -> Graph:
    """The quality metric the feed measures datasets by (DQV), at ``<portal>/kosakata/kualitas``."""

    g = _graph()
    g.bind("dqv", DQV)
    metric = URIRef(f"{base or portal_base()}{QUALITY_PATH}#skor")
    g.add((metric, RDF.type, DQV.Metric))
    g.add((metric, SKOS.prefLabel, Literal("Skor kualitas data (0-100)", lang="id")))
    g.add((metric, SKOS.prefLabel, Literal("Data quality score (0-100)", lang="en")))
    g.add(
        (
            metric,
            SKOS.definition,
            Literal(
                "Rata-rata berbobot kelengkapan metadata, ketepatan waktu, keterbukaan format dan validitas "
                "data (lihat /dasbor-kualitas).",
                lang="id",
            ),
        )
    )
    g.add((metric, DQV.expectedDataType, XSD.integer))
    return g


def _graph() -> Graph:
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCTERMS)
    g.bind("owl", OWL)
    g.bind("rdfs", RDFS)
    return g
