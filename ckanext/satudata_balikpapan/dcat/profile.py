"""The ``satudata_dcat_ap`` profile: DCAT-AP 3 with Satu Data Indonesia semantics.

Built on ckanext-dcat's ``euro_dcat_ap_3`` profile (it replaces it in
``ckanext.dcat.rdf.profiles``). It serialises every field of ``schemas/dataset.yaml`` and parses
it back, so that a portal running this profile harvests another one without loss. The mapping,
field by field, is in README.md ("DCAT-AP feed").
"""

from __future__ import annotations

import json
from typing import Any

from ckan import model
from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, RDFS, SKOS, VCARD, XSD
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import resource_uri
from rdflib import BNode, Graph, Literal, URIRef

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.dcat import vocab
from ckanext.satudata_balikpapan.dcat.vocab import DQV, OA, PROV, STAT
from ckanext.satudata_balikpapan.portal import scorecards
from ckanext.satudata_balikpapan.registry import opd, roles, vocabularies
from ckanext.satudata_balikpapan.workflow import service as workflow

ADMS_NS = "http://www.w3.org/ns/adms#"
ADMS_IDENTIFIER = URIRef(ADMS_NS + "Identifier")
ADMS_IDENTIFIER_P = URIRef(ADMS_NS + "identifier")
RDF_JSON = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")
TABLE_SCHEMA_SPEC = URIRef("https://specs.frictionlessdata.io/table-schema/")

# Free-text fields: field name -> property local name in the sdi namespace.
TEXT_FIELDS = {
    "konsep": "konsep",
    "definisi": "definisi",
    "klasifikasi": "klasifikasi",
    "ukuran_lainnya": "ukuranLainnya",
    "satuan_lainnya": "satuanLainnya",
    "kodereferensi": "kodereferensi",
    "interpretasi": "interpretasi",
    "metode_perhitungan": "metodePerhitungan",
    "rumus": "rumus",
    "apakah_indikator_komposit": "indikatorKomposit",
    "indikator_pembangun": "indikatorPembangun",
    "identitas_rekomendasi": "identitasRekomendasi",
    "dasar_hukum_akses": "dasarHukumAkses",
    "prioritas_tahun": "prioritasTahun",
    "judul_kegiatan": "judulKegiatan",
    "iii_latar_belakang_kegiatan": "latarBelakangKegiatan",
    "iii_tujuan_kegiatan": "tujuanKegiatan",
}
# Coded fields: field name -> (property local name, scheme).
CONCEPT_FIELDS = {
    "jenis": ("jenis", "jenis"),
    "ukuran": ("ukuran", "ukuran"),
    "level_estimasi": ("levelEstimasi", "level-estimasi"),
    "cara_pengumpulan_data": ("caraPengumpulanData", "cara-pengumpulan"),
    "tingkat_penyajian": ("tingkatPenyajian", "tingkat-penyajian"),
    "frekuensi": ("frekuensi", "frekuensi"),
    "accesslevel": ("tingkatAkses", "akses"),
    "vii_metode_analisis": ("metodeAnalisis", "metode-analisis"),
}
# Coded fields of several values (MS-Keg multi-selects): field name -> (property, scheme).
MULTI_CONCEPT_FIELDS = {
    "iv_metode_pengumpulan_data": ("metodePengumpulanData", "metode-pengumpulan"),
    "iv_unit_pengumpulan_data": ("unitPengumpulanData", "unit-statistik"),
    "vii_unit_analisis": ("unitAnalisis", "unit-statistik"),
}
IDENTIFIER_FIELDS = {"id_mskeg": "idMsKeg", "id_msind": "idMsInd"}


def _sdi_local(predicate: object) -> str | None:
    """The local name of a predicate of any portal's sdi namespace (``.../kosakata/sdi#x``)."""
    text = str(predicate)
    marker = f"{vocab.SDI_PATH}#"
    return text.split(marker, 1)[1] if marker in text else None


class SatudataDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 + StatDCAT-AP where it fits + the Satu Data metadata (BPS MS-Keg/MS-Ind keys)."""

    # ------------------------------------------------------------------ serialise

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        prepared = self._prepared(dataset_dict)
        super().graph_from_dataset(prepared, dataset_ref)
        g = self.g
        base = vocab.portal_base()
        sdi = vocab.sdi_namespace(base)
        g.bind("sdi", sdi)
        g.bind("stat", STAT)
        g.bind("dqv", DQV)
        g.bind("prov", PROV)
        g.bind("oa", OA)

        self._publisher(dataset_dict, dataset_ref)
        self._contacts(dataset_dict, dataset_ref)
        self._language(dataset_ref)

        # Themes: sektor and urusan from our schemes, plus the EU data theme of the sektor.
        sektor = dataset_dict.get("sektor_kegiatan")
        if sektor:
            g.add((dataset_ref, DCAT.theme, vocab.add_concept(g, "sektor", str(sektor), base)))
            term = vocabularies.vocabulary("sektor").get(str(sektor))
            if term is not None and term.get("eu_theme"):
                g.add((dataset_ref, DCAT.theme, vocab.eu_concept(g, "data-theme", term["eu_theme"])))
        if dataset_dict.get("kode_urusan"):
            concept = vocab.add_concept(g, "urusan", str(dataset_dict["kode_urusan"]), base)
            g.add((dataset_ref, DCAT.theme, concept))

        # Frequency: the EU frequency (dct:accrualPeriodicity) and our own code.
        frek = vocabularies.vocabulary("frekuensi").get(str(dataset_dict.get("frekuensi") or ""))
        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        if frek is not None and frek.get("eu_frequency"):
            freq = vocab.eu_concept(g, "frequency", frek["eu_frequency"], DCT.Frequency)
            g.add((dataset_ref, DCT.accrualPeriodicity, freq))

        # Access rights (EU table) and licence.
        akses = vocabularies.vocabulary("akses").get(str(dataset_dict.get("accesslevel") or ""))
        g.remove((dataset_ref, DCT.accessRights, None))
        if akses is not None and akses.get("eu_access_right"):
            right = vocab.eu_concept(g, "access-right", akses["eu_access_right"], DCT.RightsStatement)
            g.add((dataset_ref, DCT.accessRights, right))
        licence = self._licence(g, dataset_dict.get("license_id"), dataset_dict.get("license_url"))
        if licence is not None:
            g.add((dataset_ref, DCT.license, licence))

        # Coded and free-text Satu Data fields.
        for field, (local, scheme) in CONCEPT_FIELDS.items():
            value = dataset_dict.get(field)
            if value:
                g.add((dataset_ref, sdi[local], vocab.add_concept(g, scheme, str(value), base)))
        for field, (local, scheme) in MULTI_CONCEPT_FIELDS.items():
            for value in dataset_dict.get(field) or []:
                g.add((dataset_ref, sdi[local], vocab.add_concept(g, scheme, str(value), base)))
        satuan = dataset_dict.get("satuan")
        if satuan:
            g.add((dataset_ref, STAT.statUnitMeasure, vocab.add_concept(g, "satuan", str(satuan), base)))
        for field, local in TEXT_FIELDS.items():
            value = dataset_dict.get(field)
            if value not in (None, ""):
                g.add((dataset_ref, sdi[local], Literal(str(value), lang="id")))
        if dataset_dict.get("jadwal_rilis"):
            g.add(
                (
                    dataset_ref,
                    sdi.jadwalRilis,
                    Literal(str(dataset_dict["jadwal_rilis"])[:10], datatype=XSD.date),
                )
            )
        for field, local in IDENTIFIER_FIELDS.items():
            if dataset_dict.get(field):
                node = BNode()
                g.add((dataset_ref, ADMS_IDENTIFIER_P, node))
                g.add((node, RDF.type, ADMS_IDENTIFIER))
                g.add((node, SKOS.notation, Literal(str(dataset_dict[field]), datatype=sdi[local])))
                g.add((node, URIRef(ADMS_NS + "schemaAgency"), Literal("Badan Pusat Statistik (INDAH)")))

        # Where and when: Kemendagri regions and the reference period.
        for code in dataset_dict.get("kode_wilayah") or []:
            g.add((dataset_ref, DCT.spatial, vocab.add_concept(g, "wilayah", str(code), base)))
        self._temporal(dataset_dict, dataset_ref)

        self._verification(dataset_dict, dataset_ref, base)
        self._sd_distributions(dataset_dict, sdi)

    def _prepared(self, dataset_dict: dict[str, Any]) -> dict[str, Any]:
        """The dict the parent profile serialises: our fields it would misread are left out,
        the landing page is the dataset page."""
        prepared = {k: v for k, v in dataset_dict.items() if k not in ("frekuensi",)}
        prepared["url"] = vocab.landing_page(dataset_dict["name"]) if dataset_dict.get("name") else None
        resources = []
        for res in dataset_dict.get("resources") or []:
            res = dict(res)
            res.pop("format", None)
            res.pop("mimetype", None)
            resources.append(res)
        prepared["resources"] = resources
        return prepared

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The OPD as foaf:Organization with its registry code and the ADMS publisher type."""
        g = self.g
        org = dataset_dict.get("organization") or {}
        if not org:
            return
        # The OPD's page (by name) is its URI, like the walidata's in the verification.
        for old in list(g.objects(dataset_ref, DCT.publisher)):
            g.remove((dataset_ref, DCT.publisher, old))
            if not any(g.subjects(None, old)):
                g.remove((old, None, None))
        ref = URIRef(f"{vocab.portal_base()}/organization/{org['name']}")
        g.add((dataset_ref, DCT.publisher, ref))
        self._describe_org(ref, org.get("name"), org.get("title"))

    def _describe_org(self, ref: URIRef, code: str | None, title: str | None) -> None:
        g = self.g
        g.add((ref, RDF.type, FOAF.Organization))
        g.add((ref, RDF.type, FOAF.Agent))
        g.remove((ref, FOAF.name, None))
        entry = opd.default_registry().get(code) if code else None
        g.add((ref, FOAF.name, Literal(title or (entry.name if entry else code), lang="id")))
        if entry is not None and getattr(entry, "name_en", None):
            g.add((ref, FOAF.name, Literal(entry.name_en, lang="en")))
        if code:
            g.set((ref, DCT.identifier, Literal(code)))
            g.set((ref, SKOS.notation, Literal(code)))
        g.set((ref, DCT.type, vocab.eu_concept(g, "publishertype", "LocalAuthority")))

    def _language(self, subject: URIRef) -> None:
        """Indonesian, as an EU language concept (the portal's metadata and data language)."""
        g = self.g
        for old in list(g.objects(subject, DCT.language)):
            g.remove((subject, DCT.language, old))
        g.add((subject, DCT.language, vocab.eu_concept(g, "language", "IND", DCT.LinguisticSystem)))

    def _contacts(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """penanggung_jawab: one vcard:Organization contact point per person in charge."""
        g = self.g
        people = dataset_dict.get("penanggung_jawab") or []
        if isinstance(people, str):
            try:
                people = json.loads(people)
            except ValueError:
                people = []
        if people:
            for old in list(g.objects(dataset_ref, DCAT.contactPoint)):
                g.remove((dataset_ref, DCAT.contactPoint, old))
        for person in people:
            node = BNode()
            g.add((dataset_ref, DCAT.contactPoint, node))
            g.add((node, RDF.type, VCARD.Organization))
            g.add((node, RDF.type, VCARD.Kind))
            if person.get("nama"):
                g.add((node, VCARD.fn, Literal(person["nama"])))
            if person.get("jabatan"):
                g.add((node, VCARD.title, Literal(person["jabatan"])))
            if person.get("email"):
                g.add((node, VCARD.hasEmail, URIRef(f"mailto:{person['email']}")))
            if person.get("telepon"):
                g.add((node, VCARD.hasTelephone, Literal(person["telepon"])))

    def _licence(self, g: Graph, license_id: str | None, license_url: str | None) -> URIRef | None:
        known = vocab.eu_authority()["licences"].get(license_id or "")
        uri = known["uri"] if known else (license_url or None)
        if not uri:
            return None
        ref = URIRef(uri)
        g.add((ref, RDF.type, DCT.LicenseDocument))
        if known:
            g.add((ref, RDFS.label, Literal(known["title"])))
            for kind in known["types"]:
                g.add((ref, DCT.type, vocab.eu_concept(g, "licencetype", kind)))
        return ref

    def _temporal(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        start = str(dataset_dict.get("periode_awal") or "")
        end = str(dataset_dict.get("periode_akhir") or "")
        if not start:
            return
        for old in list(g.objects(dataset_ref, DCT.temporal)):
            g.remove((dataset_ref, DCT.temporal, old))
        node = BNode()
        g.add((dataset_ref, DCT.temporal, node))
        g.add((node, RDF.type, DCT.PeriodOfTime))
        g.add((node, DCAT.startDate, Literal(f"{start}-01-01", datatype=XSD.date)))
        if end:
            g.add((node, DCAT.endDate, Literal(f"{end}-12-31", datatype=XSD.date)))

    def _verification(self, dataset_dict: dict[str, Any], dataset_ref: URIRef, base: str) -> None:
        """The walidata's verification: a qualified attribution to the walidata OPD in the role
        "walidata", and a provenance statement with the date of publication."""
        date = dataset_dict.get("satudata_tanggal_terbit")
        if not date and dataset_dict.get("id"):
            pkg = model.Package.get(dataset_dict["id"])
            state = workflow.state_of(pkg) if pkg is not None else {}
            date = state.get("last_published") if state.get("published") else None
        if not date:
            return
        g = self.g
        walidata = roles.walidata_org()
        agent = URIRef(f"{base}/organization/{walidata}")
        entry = opd.default_registry().get(walidata)
        self._describe_org(agent, walidata, entry.name if entry else walidata)
        attribution = BNode()
        g.add((dataset_ref, PROV.qualifiedAttribution, attribution))
        g.add((attribution, RDF.type, PROV.Attribution))
        g.add((attribution, PROV.agent, agent))
        role = vocab.add_concept(g, "peran", "walidata", base)
        g.add((role, RDF.type, DCAT.Role))
        g.add((attribution, DCAT.hadRole, role))
        day = str(date)[:10]
        statement = BNode()
        g.remove((dataset_ref, DCT.provenance, None))
        g.add((dataset_ref, DCT.provenance, statement))
        g.add((statement, RDF.type, DCT.ProvenanceStatement))
        g.add(
            (
                statement,
                RDFS.label,
                Literal(f"Diverifikasi dan diterbitkan oleh Walidata pada {day}", lang="id"),
            )
        )
        g.add((statement, RDFS.label, Literal(f"Verified and published by the walidata on {day}", lang="en")))
        g.add((statement, DCT.date, Literal(day, datatype=XSD.date)))
        score = dataset_dict.get("satudata_skor_kualitas")
        if score is None:
            score = self._quality_score(dataset_dict)
        if score is not None:
            measurement = BNode()
            g.add((dataset_ref, DQV.hasQualityMeasurement, measurement))
            g.add((measurement, RDF.type, DQV.QualityMeasurement))
            g.add((measurement, DQV.isMeasurementOf, URIRef(f"{base}{vocab.QUALITY_PATH}#skor")))
            g.add((measurement, DQV.value, Literal(int(score), datatype=XSD.integer)))
            annotation = BNode()
            g.add((dataset_ref, DQV.hasQualityAnnotation, annotation))
            g.add((annotation, RDF.type, DQV.QualityAnnotation))
            g.add((annotation, OA.motivatedBy, DQV.qualityAssessment))
            g.add((annotation, OA.bodyValue, Literal(f"Skor kualitas data {int(score)}/100", lang="id")))

    def _quality_score(self, dataset_dict: dict[str, Any]) -> int | None:
        """The dataset's quality score (0-100, quality/scores.py), or None when it cannot be
        computed: the feed never fails for the score's sake."""
        if not dataset_dict.get("id"):
            return None
        try:
            return int(scorecards.dataset_report(dataset_dict)["score"])
        except Exception:
            return None

    def _sd_distributions(self, dataset_dict: dict[str, Any], sdi: Any) -> None:
        g = self.g
        licence = self._licence(g, dataset_dict.get("license_id"), dataset_dict.get("license_url"))
        file_types = vocab.eu_authority()["schemes"]["file-type"]["concepts"]
        for res in dataset_dict.get("resources") or []:
            dist = URIRef(resource_uri(res))
            fmt = (res.get("format") or "").strip().upper().lstrip(".")
            if fmt in file_types:
                g.add((dist, DCT["format"], vocab.eu_concept(g, "file-type", fmt, DCT.MediaTypeOrExtent)))
                media = URIRef(f"http://www.iana.org/assignments/media-types/{file_types[fmt]['media_type']}")
                g.add((dist, DCAT.mediaType, media))
                g.add((media, RDF.type, DCT.MediaType))
            elif fmt:
                # Outside the EU file-type table: our own property, as a literal. (Item access:
                # ``sdi.format`` would be ``str.format`` of the namespace, not a URI.)
                g.add((dist, sdi["format"], Literal(res["format"])))
            if licence is not None:
                g.remove((dist, DCT.license, None))
                g.add((dist, DCT.license, licence))
            if res.get("periode"):
                g.add((dist, sdi.periode, Literal(str(res["periode"]))))
            schema = res.get("schema")
            if schema:
                text = (
                    schema
                    if isinstance(schema, str)
                    else json.dumps(schema, ensure_ascii=False, sort_keys=True)
                )
                g.add((dist, sdi.tableSchema, Literal(text, datatype=RDF_JSON)))
                g.add((dist, DCT.conformsTo, TABLE_SCHEMA_SPEC))
                g.add((TABLE_SCHEMA_SPEC, RDF.type, DCT.Standard))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: URIRef) -> None:
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        base = vocab.portal_base()
        city = URIRef(base)
        if g.value(catalog_ref, DCT.publisher) is None:
            g.add((catalog_ref, DCT.publisher, city))
            g.add((city, RDF.type, FOAF.Organization))
            g.add((city, RDF.type, FOAF.Agent))
            city_name = config.city_name()
            g.add((city, FOAF.name, Literal(f"Pemerintah {city_name}", lang="id")))
            g.add((city, DCT.type, vocab.eu_concept(g, "publishertype", "LocalAuthority")))
        self._language(catalog_ref)
        for page in g.objects(catalog_ref, FOAF.homepage):
            g.add((page, RDF.type, FOAF.Document))
        if g.value(catalog_ref, DCT.description) is None:
            g.add(
                (
                    catalog_ref,
                    DCT.description,
                    Literal("Katalog data sektoral Satu Data Kota Balikpapan", lang="id"),
                )
            )
        taxonomy = URIRef(vocab.eu_authority()["schemes"]["data-theme"]["uri"])
        g.add((catalog_ref, DCAT.themeTaxonomy, taxonomy))
        g.add((taxonomy, RDF.type, SKOS.ConceptScheme))
        g.add((taxonomy, DCT.title, Literal("Data theme", lang="en")))
        for name in ("sektor", "urusan"):
            scheme = vocab.scheme_uri(name, base)
            g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            for lang, text in vocab.SCHEMES[name].title.items():
                g.add((scheme, DCT.title, Literal(text, lang=lang)))

    # ------------------------------------------------------------------ parse

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        out: dict[str, Any] = {
            k: dataset_dict[k] for k in ("title", "notes", "tags", "resources") if k in dataset_dict
        }
        extras = {e["key"]: e["value"] for e in dataset_dict.get("extras", [])}
        out["extras"] = [{"key": k, "value": extras[k]} for k in ("uri", "guid", "identifier") if k in extras]

        landing = g.value(dataset_ref, DCAT.landingPage)
        if landing is not None and "/dataset/" in str(landing):
            out["name"] = str(landing).rstrip("/").rsplit("/", 1)[-1]

        publisher = g.value(dataset_ref, DCT.publisher)
        if publisher is not None:
            code = g.value(publisher, DCT.identifier) or g.value(publisher, SKOS.notation)
            if code:
                out["owner_org"] = str(code)

        for theme in g.objects(dataset_ref, DCAT.theme):
            scheme = vocab.scheme_of(theme)
            if scheme == "sektor":
                out["sektor_kegiatan"] = vocab.concept_code(g, theme)
            elif scheme == "urusan":
                out["kode_urusan"] = vocab.concept_code(g, theme)

        by_local: dict[str, list[Any]] = {}
        for pred, obj in g.predicate_objects(dataset_ref):
            local = _sdi_local(pred)
            if local:
                by_local.setdefault(local, []).append(obj)
        for field, (local, _scheme) in CONCEPT_FIELDS.items():
            if by_local.get(local):
                out[field] = vocab.concept_code(g, by_local[local][0])
        for field, local in TEXT_FIELDS.items():
            if by_local.get(local):
                out[field] = str(by_local[local][0])
        for field, (local, _scheme) in MULTI_CONCEPT_FIELDS.items():
            if by_local.get(local):
                out[field] = sorted(vocab.concept_code(g, o) for o in by_local[local])
        if by_local.get("jadwalRilis"):
            out["jadwal_rilis"] = str(by_local["jadwalRilis"][0])
        unit = g.value(dataset_ref, STAT.statUnitMeasure)
        if unit is not None:
            out["satuan"] = vocab.concept_code(g, unit)

        # Frequency and access level from the EU tables when the sdi codes are absent.
        if "frekuensi" not in out:
            code = vocab.eu_code(g.value(dataset_ref, DCT.accrualPeriodicity), "frequency")
            for term in vocabularies.vocabulary("frekuensi"):
                if code and term.get("eu_frequency") == code:
                    out["frekuensi"] = term.code
                    break
        if "accesslevel" not in out:
            code = vocab.eu_code(g.value(dataset_ref, DCT.accessRights), "access-right")
            for term in vocabularies.vocabulary("akses"):
                if code and term.get("eu_access_right") == code:
                    out["accesslevel"] = term.code
                    break

        for node in g.objects(dataset_ref, ADMS_IDENTIFIER_P):
            notation = g.value(node, SKOS.notation)
            if notation is None:
                continue
            local = _sdi_local(getattr(notation, "datatype", None) or "")
            for field, name in IDENTIFIER_FIELDS.items():
                if local == name:
                    out[field] = str(notation)

        regions = [
            vocab.concept_code(g, s)
            for s in g.objects(dataset_ref, DCT.spatial)
            if vocab.scheme_of(s) == "wilayah"
        ]
        if regions:
            out["kode_wilayah"] = sorted(r for r in regions if r)

        for period in g.objects(dataset_ref, DCT.temporal):
            start = g.value(period, DCAT.startDate)
            end = g.value(period, DCAT.endDate)
            if start:
                out["periode_awal"] = str(start)[:4]
            if end:
                out["periode_akhir"] = str(end)[:4]

        licence = g.value(dataset_ref, DCT.license)
        if licence is None:
            for dist in g.objects(dataset_ref, DCAT.distribution):
                licence = g.value(dist, DCT.license)
                if licence is not None:
                    break
        if licence is not None:
            out["license_id"] = self._licence_id(str(licence))

        people = []
        for node in g.objects(dataset_ref, DCAT.contactPoint):
            email = g.value(node, VCARD.hasEmail)
            person = {
                "nama": str(g.value(node, VCARD.fn) or ""),
                "jabatan": str(g.value(node, VCARD.title) or ""),
                "email": str(email).replace("mailto:", "", 1) if email else "",
            }
            phone = g.value(node, VCARD.hasTelephone)
            if phone is not None:
                person["telepon"] = str(phone)
            people.append(person)
        if people:
            out["penanggung_jawab"] = sorted(people, key=lambda p: (p["nama"], p["email"]))

        out["resources"] = [self._parse_resource(res, g) for res in out.get("resources", [])]
        # ckanext-dcat's parser ignores the return value: the dict is changed in place.
        dataset_dict.clear()
        dataset_dict.update(out)
        return dataset_dict

    def _licence_id(self, uri: str) -> str:
        for license_id, spec in vocab.eu_authority()["licences"].items():
            if spec["uri"].rstrip("/") == uri.rstrip("/"):
                return license_id
        return uri

    def _parse_resource(self, res: dict[str, Any], g: Graph) -> dict[str, Any]:
        """A distribution back to our resource fields (url, name, description, format,
        periode, schema)."""
        uri = res.get("uri")
        dist = URIRef(uri) if uri else None
        out = {k: res[k] for k in ("url", "name", "description", "uri") if res.get(k) not in (None, "")}
        if dist is None:
            return out
        fmt = vocab.eu_code(g.value(dist, DCT["format"]), "file-type")
        if fmt:
            out["format"] = fmt
        for pred, obj in g.predicate_objects(dist):
            local = _sdi_local(pred)
            if local == "format":
                out["format"] = str(obj)
            elif local == "periode":
                out["periode"] = str(obj)
            elif local == "tableSchema":
                try:
                    out["schema"] = json.loads(str(obj))
                except ValueError:
                    out["schema"] = str(obj)
        return out
