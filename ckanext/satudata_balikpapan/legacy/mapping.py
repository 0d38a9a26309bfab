"""What a dataset of the city's former, stock CKAN portal means in Satu Data terms.

Pure functions over plain dicts (no database, no request), so that every rule is tested on its
own and a dry run costs nothing. The rules are data (``data/legacy_mapping.yaml``); this
module applies them:

* :class:`OrganizationMatcher` finds the OPD of an old organisation, by the mapping file the
  admin gives, then by name, title, abbreviation, the registry's former names and the codes an
  OPD replaced. An organisation it cannot place is ``None``: reported, never guessed.
* :func:`map_dataset` turns one ``package_show`` dict of the old portal into the data dict of
  a Satu Data dataset: the stock fields kept (id, name, title, description, tags, licence),
  the free extras mapped where they mean a Satu Data field (years, unit, frequency, ...), with
  the spellings real portals have. A value it cannot map is **kept** in ``unmapped`` (shown on
  the dataset page and in the report), never dropped and never invented.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ckanext.satudata_balikpapan.registry import vocabularies
from ckanext.satudata_balikpapan.registry.opd import Registry

# Keys of a stock package_show dict that are CKAN's own, not metadata to map.
STOCK_KEYS = frozenset({
    "id", "name", "title", "notes", "tags", "extras", "resources", "organization", "owner_org",
    "license_id", "license_title", "license_url", "isopen", "private", "state", "type",
    "metadata_created", "metadata_modified", "creator_user_id", "num_resources", "num_tags",
    "groups", "relationships_as_object", "relationships_as_subject", "revision_id", "author",
    "author_email", "maintainer", "maintainer_email", "tracking_summary", "organization_id",
})  # fmt: skip
# Stock fields without a Satu Data counterpart, kept as they are among the unmapped values.
KEPT_STOCK = ("url", "version")
# Resource keys carried across as they are (the id keeps every old link answering).
RESOURCE_KEYS = ("id", "name", "description", "url", "created", "last_modified", "mimetype", "size")
YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2}|2100)(?!\d)")


@dataclass(frozen=True)
class FieldSpec:
    """What the dataset schema says of one Satu Data field."""

    name: str
    required: bool = False
    vocabulary: str | None = None
    multiple: bool = False


@dataclass
class Mapped:
    """One old dataset in Satu Data terms.

    ``dataset`` is the data dict to create (without ``owner_org`` and without the files, which
    the migration copies); ``resources`` the resource dicts, each with its old ``url`` and
    ``url_type``; ``unmapped`` what no rule placed, by its old key; ``problems`` what the report
    must say about it; ``missing`` the required Satu Data fields it still lacks.
    """

    dataset: dict[str, Any]
    resources: list[dict[str, Any]]
    unmapped: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def fold(value: Any) -> str:
    """The matching form of a text: lower case, accents removed, every run of characters other
    than letters, digits and ``%`` made one space, trimmed (``" Tahun_Data "`` -> ``"tahun data"``)."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9%]+", " ", text.lower()).strip()


@cache
def rules() -> dict[str, Any]:
    """``data/legacy_mapping.yaml``, with every key folded."""
    path = resources.files("ckanext.satudata_balikpapan").joinpath("data/legacy_mapping.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        "extras": {fold(k): v for k, v in raw["extras"].items()},
        "values": {
            name: {fold(k): v for k, v in spellings.items()} for name, spellings in raw["values"].items()
        },
        "formats": {fold(k): v for k, v in raw["formats"].items()},
        "licenses": {fold(k): v for k, v in raw["licenses"].items()},
        "maintainer": raw["maintainer"],
    }


# --- organisations --------------------------------------------------------------------------


class OrganizationMatcher:
    """The OPD (its registry code) of an old portal's organisation.

    In order: the admin's mapping file (old name or title -> OPD code); the OPD's code; its
    name or abbreviation against the old name or title; its former names; the codes it
    replaced (a restructured office). Every comparison is on :func:`fold`, so "DINKES",
    "dinkes" and "Dinas  Kesehatan" meet. A text that two OPDs share places neither.
    """

    def __init__(self, registry: Registry, mapping: Mapping[str, str] | None = None) -> None:
        self._mapping = {fold(k): str(v) for k, v in (mapping or {}).items()}
        self._registry = registry
        index: dict[str, set[str]] = {}
        for opd in registry.opds:
            names = [opd.code, opd.name, opd.abbreviation, *opd.former_names]
            names += [f"{opd.name} kota balikpapan", f"{opd.abbreviation} kota balikpapan"]
            for name in names:
                if name:
                    index.setdefault(fold(name), set()).add(opd.code)
        self._index = index

    def match(self, org: Mapping[str, Any] | None) -> str | None:
        """The OPD code of ``org`` (a dict with ``name`` and ``title``), or None."""
        if not org:
            return None
        keys = [fold(org.get("name") or ""), fold(org.get("title") or "")]
        for key in keys:
            if key and key in self._mapping:
                code = self._mapping[key]
                return code if self._registry.get(code) else None
        for key in keys:
            codes = self._index.get(key) or set()
            if len(codes) == 1:
                return next(iter(codes))
        for key in keys:
            holder = self._registry.holder_of(key.replace(" ", "-"))
            if holder is not None:
                return holder.code
        return None


# --- values ---------------------------------------------------------------------------------


def vocabulary_value(vocabulary: str, raw: Any) -> str | None:
    """The stored value of the term of ``vocabulary`` that ``raw`` names (its value, code,
    Indonesian or English label, or a spelling of the rules), or None."""
    key = fold(raw)
    if not key:
        return None
    spelled = rules()["values"].get(vocabulary, {}).get(key)
    if spelled is not None:
        return spelled
    for term in vocabularies.vocabulary(vocabulary):
        names = [term.code, term.get("code"), *term.label.values()]
        if key in {fold(n) for n in names if n is not None}:
            return term.code
    return None


@cache
def _region_names() -> dict[str, frozenset[str]]:
    """The folded names of the regions (and "kota balikpapan") -> the codes they name (two
    regions may share a name), built once: the wilayah vocabulary is read once too."""
    regions = vocabularies.regions()
    by_name: dict[str, set[str]] = {}
    for region in regions.values():
        by_name.setdefault(fold(region.name), set()).add(region.code)
    by_name.setdefault("kota balikpapan", set()).add(next(c for c, r in regions.items() if r.level == "kota"))
    return {name: frozenset(codes) for name, codes in by_name.items()}


def region_codes(raw: Any) -> list[str] | None:
    """Kemendagri codes of Kota Balikpapan's regions named by ``raw``: codes with or without
    dots (``6471``, ``64.71.01``) or names (``Balikpapan Kota``), separated by commas or
    semicolons. None when any part names no region (the whole value is then kept as it was)."""
    regions, by_name = vocabularies.regions(), _region_names()
    parts = raw if isinstance(raw, list) else re.split(r"[,;\n]+", str(raw))
    codes: list[str] = []
    for part in (str(p).strip() for p in parts):
        if not part:
            continue
        dotted = ""
        if re.fullmatch(r"[\d.\s]+", part):
            digits = re.sub(r"\D", "", part)
            dotted = ".".join(p for p in (digits[:2], digits[2:4], digits[4:6], digits[6:]) if p)
        named = by_name.get(fold(part)) or set()
        if dotted in regions:
            codes.append(dotted)
        elif len(named) == 1:
            codes.append(next(iter(named)))
        else:
            return None
    return list(dict.fromkeys(codes)) or None


def years(raw: Any) -> tuple[str, str | None] | None:
    """``(first, last)`` of a reference period written as ``2020``, ``2019-2023``,
    ``2019 s.d. 2023``, ``Tahun 2019, 2020, 2021``: the first and last year named (``last`` is
    None for one year). None when no year is named."""
    found = sorted(set(YEAR.findall(str(raw))))
    if not found:
        return None
    return found[0], (found[-1] if found[-1] != found[0] else None)


def resource_format(raw: Any, url: str = "") -> str:
    """The portal's spelling of a resource format (``xlxs``, ``CSV `` and ``text/csv`` are
    XLSX, CSV and CSV); an unknown format is kept as it was written, trimmed; an empty one is
    taken from the file's extension."""
    key = fold(raw or "")
    if not key and url:
        key = fold(url.rsplit("/", 1)[-1].rsplit(".", 1)[-1]) if "." in url.rsplit("/", 1)[-1] else ""
    return rules()["formats"].get(key) or str(raw or "").strip().upper()


def license_id(raw: Any, known: Iterable[str]) -> str | None:
    """A CKAN licence id for the old licence id or title, or None when it names none."""
    text = str(raw or "").strip()
    if not text:
        return None
    known = set(known)
    if text in known:
        return text
    mapped = rules()["licenses"].get(fold(text))
    return mapped if mapped in known else None


def resource_period(name: str) -> str | None:
    """The year a resource's name gives, when it gives exactly one (``Penduduk 2023.csv``)."""
    found = set(YEAR.findall(name or ""))
    return found.pop() if len(found) == 1 else None


# --- datasets -------------------------------------------------------------------------------


def _extras(source: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The free extras of a package dict: its ``extras`` list, and top-level keys a customised
    old portal added to its schema."""
    out = [(str(e.get("key")), e.get("value")) for e in source.get("extras") or [] if isinstance(e, Mapping)]
    out += [(k, v) for k, v in source.items() if k not in STOCK_KEYS and k not in KEPT_STOCK]
    return out


def _set(mapped: Mapped, spec: FieldSpec, old_key: str, raw: Any) -> None:
    """Put an old value into Satu Data field ``spec``, or keep it unmapped."""
    value: Any = raw
    if spec.name == "kode_wilayah":
        value = region_codes(raw)
    elif spec.vocabulary:
        value = vocabulary_value(spec.vocabulary, raw)
    elif spec.name in ("periode_awal", "periode_akhir", "prioritas_tahun"):
        found = years(raw)
        value = found[0] if found else None
    elif isinstance(raw, str):
        value = raw.strip() or None
    if value in (None, "", []):
        mapped.unmapped[old_key] = raw
    elif spec.name not in mapped.dataset:
        mapped.dataset[spec.name] = value
    elif mapped.dataset[spec.name] != value:
        mapped.unmapped[old_key] = raw  # a second, different value for a field already set


def map_dataset(
    source: Mapping[str, Any],
    fields: Mapping[str, FieldSpec],
    known_licenses: Iterable[str],
    owner: str | None = None,
) -> Mapped:
    """The Satu Data form of one old dataset (see the module's documentation), owned by the
    OPD ``owner`` (its organisation name)."""
    dataset: dict[str, Any] = {
        "id": source["id"],
        "name": source["name"],
        "title": (source.get("title") or source["name"]).strip(),
        "type": "dataset",
    }
    if owner:
        dataset["owner_org"] = owner
    mapped = Mapped(dataset=dataset, resources=[])
    if (source.get("notes") or "").strip():
        dataset["notes"] = source["notes"].strip()
    tags = [t.get("name") for t in source.get("tags") or [] if isinstance(t, Mapping) and t.get("name")]
    if tags:
        dataset["tag_string"] = ",".join(tags)
    licence = license_id(source.get("license_id") or source.get("license_title"), known_licenses)
    if licence:
        dataset["license_id"] = licence
    elif source.get("license_id"):
        mapped.unmapped["license_id"] = source["license_id"]
    for key in KEPT_STOCK:
        if source.get(key):
            mapped.unmapped[key] = source[key]

    table = rules()["extras"]
    contact: dict[str, str] = {}
    for old_key, raw in _extras(source):
        if raw in (None, "", []):
            continue
        target = old_key if old_key in fields else table.get(fold(old_key))
        if target == "periode":
            found = years(raw)
            if found is None:
                mapped.unmapped[old_key] = raw
                continue
            dataset.setdefault("periode_awal", found[0])
            if found[1]:
                dataset.setdefault("periode_akhir", found[1])
        elif target in ("penanggung_jawab_nama", "penanggung_jawab_email"):
            contact.setdefault(target.rsplit("_", 1)[1], str(raw).strip())
        elif target == "sumber":
            mapped.unmapped[old_key] = raw  # no Satu Data field: the OPD is the source
        elif target in fields:
            _set(mapped, fields[target], old_key, raw)
        else:
            mapped.unmapped[old_key] = raw

    for sub, candidates in rules()["maintainer"].items():
        for key in candidates:
            if (source.get(key) or "").strip():
                contact.setdefault(sub, source[key].strip())
                break
    if contact and "penanggung_jawab" in fields and "penanggung_jawab" not in dataset:
        dataset["penanggung_jawab"] = [contact]

    for resource in source.get("resources") or []:
        if not isinstance(resource, Mapping) or not resource.get("id"):
            mapped.problems.append("a resource without an id was skipped")
            continue
        out = {k: resource[k] for k in RESOURCE_KEYS if resource.get(k) not in (None, "")}
        out["url_type"] = resource.get("url_type") or ""
        out["format"] = resource_format(resource.get("format"), str(resource.get("url") or ""))
        period = resource.get("periode") or resource_period(str(resource.get("name") or ""))
        if period:
            out["periode"] = str(period)
        out["datastore_active"] = bool(resource.get("datastore_active"))
        mapped.resources.append(out)

    mapped.missing = missing_fields(dataset, fields)
    return mapped


def missing_fields(dataset: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> list[str]:
    """The required Satu Data fields ``dataset`` has no value for, in schema order."""
    return [name for name, spec in fields.items() if spec.required and dataset.get(name) in (None, "", [])]


def field_specs(
    schema: Mapping[str, Any], presets: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, FieldSpec]:
    """The :class:`FieldSpec` of every dataset field of a scheming schema, in schema order
    (a field's ``preset`` values from ``presets`` under its own, as scheming expands them)."""
    specs = {}
    for raw in schema.get("dataset_fields", []):
        f = {**(presets or {}).get(raw.get("preset") or "", {}), **raw}
        specs[f["field_name"]] = FieldSpec(
            name=f["field_name"],
            required=bool(f.get("required")),
            vocabulary=f.get("vocabulary"),
            multiple=f.get("preset") == "multiple_select",
        )
    return specs
