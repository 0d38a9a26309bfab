"""The national contract: the dataset objects of ``/dcat.json``, in the keys data.go.id reads.

The national portal harvests regional portals with the Satu Data secretariat's fork of
ckanext-dcat, whose ``dcat_to_ckan`` copies Satu Data keys one by one from the flat JSON of
``/dcat.json``. Each object here is ckanext-dcat's own ``ckan_to_dcat`` (the standard keys a
DCAT JSON consumer expects) completed with the standard keys it leaves out and with every
national key our metadata can fill. Which key comes from which field, under which value
convention, is data (``data/national_keys.yaml``), not code: a changed convention is an edit of
that file, and the README's table is checked against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import Any

import yaml
from ckanext.dcat.converters import ckan_to_dcat
from ckanext.dcat.utils import dataset_uri, resource_uri

from ckanext.satudata_balikpapan.dcat import vocab
from ckanext.satudata_balikpapan.model import dataset_state
from ckanext.satudata_balikpapan.registry import vocabularies
from ckanext.satudata_balikpapan.workflow.states import TERBIT

SEPARATOR = ", "
LANGUAGE = ["id"]


@cache
def contract() -> dict[str, Any]:
    """The national keys and their sources (``data/national_keys.yaml``), read once."""
    path = resources.files(vocabularies.PACKAGE).joinpath("data/national_keys.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _text(value: Any) -> str | None:
    """A value as the flat text the national converter copies; a list joined, empty as None."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value if str(v).strip()]
        return SEPARATOR.join(parts) or None
    text = str(value).strip()
    return text or None


def _codes(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _label(vocabulary: str, value: Any) -> str | None:
    """The Indonesian label of each code of ``value`` (an unknown code as itself)."""
    voc = vocabularies.vocabulary(vocabulary)
    labels = []
    for code in _codes(value):
        term = voc.get(code)
        labels.append(term.text("id") if term is not None else code)
    return _text(labels)


def _with_other(field: str) -> Callable[[dict[str, Any], dict[str, Any]], str | None]:
    """ukuran/satuan: the label of the code, or the text given for "lainnya" (other)."""

    def derive(pkg: dict[str, Any], state: dict[str, Any]) -> str | None:
        value = pkg.get(field)
        if value == vocabularies.OTHER:
            return _text(pkg.get(f"{field}_lainnya"))
        return _label(field, value)

    return derive


def _tahun_kegiatan(pkg: dict[str, Any], state: dict[str, Any]) -> str | None:
    """The year of the activity: the last year the data cover."""
    return _text(pkg.get("periode_akhir") or pkg.get("periode_awal"))


def _publishing_status(pkg: dict[str, Any], state: dict[str, Any]) -> str | None:
    """``terbit`` for what the feed lists (the published version), else the workflow status."""
    return TERBIT if state.get("published", True) else _text(state.get("status"))


def _kegiatan_ini_dilakukan(pkg: dict[str, Any], state: dict[str, Any]) -> str | None:
    """MS-Keg "Kegiatan ini dilakukan": once for a one-off frequency, else repeated."""
    frekuensi = pkg.get("frekuensi")
    if not frekuensi:
        return None
    return "Hanya sekali" if frekuensi == "sekali" else "Berulang"


DERIVED: dict[str, Callable[[dict[str, Any], dict[str, Any]], str | None]] = {
    "kegiatan_ini_dilakukan": _kegiatan_ini_dilakukan,
    "publishing_status": _publishing_status,
    "satuan": _with_other("satuan"),
    "tahun_kegiatan": _tahun_kegiatan,
    "ukuran": _with_other("ukuran"),
}


def _organisation_value(org: dict[str, Any], attribute: str) -> str | None:
    return _text(org.get(attribute))


def _contact(pkg: dict[str, Any]) -> dict[str, Any]:
    people = pkg.get("penanggung_jawab") or []
    return people[0] if isinstance(people, list) and people and isinstance(people[0], dict) else {}


def national_value(
    rule: dict[str, Any], pkg: dict[str, Any], org: dict[str, Any], state: dict[str, Any]
) -> Any:
    """The value of one national key under its ``rule`` (see ``data/national_keys.yaml``)."""
    if "value" in rule:
        return rule["value"]
    if "opd" in rule:
        return _organisation_value(org, rule["opd"])
    if "contact" in rule:
        return _text(_contact(pkg).get(rule["contact"]))
    if "derived" in rule:
        return DERIVED[rule["derived"]](pkg, state)
    value = pkg.get(rule["field"])
    if "map" in rule:
        return _text(rule["map"].get(str(value))) if value not in (None, "") else None
    if "vocabulary" in rule:
        return _label(rule["vocabulary"], value)
    return _text(value)


def _distribution(pkg: dict[str, Any], res: dict[str, Any]) -> dict[str, Any]:
    distribution: dict[str, Any] = {
        "identifier": resource_uri(res),
        "title": res.get("name"),
        "description": res.get("description"),
        "format": res.get("format"),
        "mediaType": res.get("mimetype"),
        "accessURL": f"{vocab.landing_page(pkg.get('name'))}/resource/{res.get('id')}",
        "downloadURL": res.get("url"),
        "periode": res.get("periode"),
    }
    if isinstance(res.get("size"), int) and res["size"] >= 0:
        distribution["byteSize"] = res["size"]
    return {k: v for k, v in distribution.items() if v not in (None, "")}


def _iso(value: Any) -> str | None:
    """A timestamp of the workflow (naive UTC, as CKAN's own) in CKAN's ISO form."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def dataset_object(pkg: dict[str, Any], org: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """One dataset of ``/dcat.json``: the standard DCAT keys and the national keys.

    ``org`` is the publishing OPD (``organization_show``), ``state`` its workflow state row.
    ``issued`` is the first publication, ``modified`` the last change or publication, so that a
    harvester's "changed since" sees a dataset the walidata has just published again."""

    obj = ckan_to_dcat(pkg)
    issued = _iso(state.get("first_published")) or pkg.get("metadata_created")
    modified = max(m for m in (pkg.get("metadata_modified"), _iso(state.get("last_published")), issued) if m)
    start, end = pkg.get("periode_awal"), pkg.get("periode_akhir") or pkg.get("periode_awal")
    person = _contact(pkg)
    obj.update(
        {
            "identifier": dataset_uri(pkg),
            "landingPage": vocab.landing_page(pkg.get("name")),
            "issued": issued,
            "modified": modified,
            "language": LANGUAGE,
            "publisher": {
                "name": org.get("title") or (pkg.get("organization") or {}).get("title"),
                "mbox": org.get("contact_email"),
                "email": org.get("contact_email"),
            },
            "contactPoint": {"fn": person.get("nama"), "hasEmail": person.get("email")},
            "license": pkg.get("license_url") or pkg.get("license_id"),
            "spatial": _text(pkg.get("kode_wilayah")),
            "temporal": f"{start}/{end}" if start else None,
            "distribution": [_distribution(pkg, r) for r in pkg.get("resources") or []],
        }
    )
    obj["publisher"] = {k: v for k, v in obj["publisher"].items() if v}
    obj["contactPoint"] = {k: v for k, v in obj["contactPoint"].items() if v}
    obj.update({key: national_value(rule, pkg, org, state) for key, rule in contract()["keys"].items()})
    return {k: v for k, v in obj.items() if v not in (None, "", {}, [])}


def dataset_objects(
    datasets: Iterable[dict[str, Any]], organisation: Callable[[str], dict[str, Any]]
) -> list[dict[str, Any]]:
    """The objects of one ``/dcat.json`` page; ``organisation(id)`` gives an OPD's dict (each
    OPD is asked for once a page, and the workflow states are read in one query)."""
    datasets = list(datasets)
    states = dataset_state.states([d["id"] for d in datasets if d.get("id")])
    orgs: dict[str, dict[str, Any]] = {}
    objects = []
    for pkg in datasets:
        owner = pkg.get("owner_org") or ""
        if owner and owner not in orgs:
            orgs[owner] = organisation(owner)
        objects.append(dataset_object(pkg, orgs.get(owner, {}), states.get(pkg.get("id"), {})))
    return objects
