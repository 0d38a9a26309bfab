"""How Satu Data fields are indexed in Solr and offered as search facets.

CKAN's Solr schema indexes unknown fields as single-valued strings, so multi-valued fields go
to ``vocab_*`` fields (multi-valued strings), and lists or dicts are flattened:

* ``vocab_wilayah``: every cakupan wilayah code with its ancestors and with the regions inside
  it down to the tingkat penyajian, so that filtering by a kecamatan finds data presented for
  it (a city-wide table by kecamatan) and for its kelurahan;
* ``vocab_tahun``: every year of the reference period and of the resources' periods;
* ``penanggung_jawab``: JSON text (names and positions stay searchable in ``extras_*``).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user
from flask import has_request_context

from ckanext.satudata_balikpapan.lib import language
from ckanext.satudata_balikpapan.model import dataset_state
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.registry import vocabularies as voc
from ckanext.satudata_balikpapan.workflow import service as workflow

# facet field -> vocabulary whose labels replace the codes in the facet list
FACET_VOCABULARIES = {
    "sektor_kegiatan": "sektor",
    "kode_urusan": "urusan",
    "frekuensi": "frekuensi",
}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else [value]
        except ValueError:
            value = [value]
    return list(value or [])


LEVELS = ("kota", "kecamatan", "kelurahan")


def indexed_regions(codes: list[str], tingkat: str | None) -> list[str]:
    """The regions a dataset is found under: each covered region, every region enclosing it
    (kelurahan -> kecamatan -> kota), and every region inside it down to the level of
    presentation, for which the dataset holds figures. A city-wide dataset presented per
    kecamatan is thus found under each kecamatan, but not under a kelurahan."""
    regions = voc.regions()
    depth = LEVELS.index(tingkat) if tingkat in LEVELS else 0
    out: list[str] = []
    for code in codes:
        up = code
        while up and up not in out:
            out.append(up)
            region = regions.get(up)
            up = region.parent if region else None
        for other, region in regions.items():
            inside = other.startswith(code + ".")
            if inside and LEVELS.index(region.level) <= depth and other not in out:
                out.append(other)
    return out


def _years(pkg: dict[str, Any]) -> list[str]:
    years: set[int] = set()
    try:
        start = int(pkg.get("periode_awal") or 0)
        end = int(pkg.get("periode_akhir") or start)
        if start:
            years.update(range(start, max(start, end) + 1))
    except (TypeError, ValueError):
        pass
    for res in pkg.get("resources") or []:
        period = str(res.get("periode") or "")
        if period[:4].isdigit():
            years.add(int(period[:4]))
    return [str(y) for y in sorted(years)]


def with_workflow_state(pkg: dict[str, Any]) -> dict[str, Any]:
    """Add the verification state to a dataset dict (package_show)."""

    obj = model.Package.get(pkg.get("id") or "")
    if obj is not None:
        state = workflow.state_of(obj)
        pkg.update(workflow.public_view(state))
        pkg.update(workflow.migration_view(obj, state))
    return pkg


def before_dataset_index(pkg: dict[str, Any]) -> dict[str, Any]:
    """Flatten the Satu Data fields into what CKAN's Solr schema can index and facet."""
    codes = [str(c) for c in _as_list(pkg.get("kode_wilayah"))]
    if codes:
        pkg["vocab_wilayah"] = indexed_regions(codes, pkg.get("tingkat_penyajian"))
        pkg["kode_wilayah"] = " ".join(codes)
    with_workflow_state(pkg)
    pkg.pop("satudata_tanggal_terbit", None)
    years = _years(pkg)
    if years:
        pkg["vocab_tahun"] = years
    for key, value in list(pkg.items()):
        if key.startswith(("vocab_", "res_", "extras_")) or key in ("tags", "groups"):
            continue
        if (isinstance(value, list) and value and isinstance(value[0], dict)) or isinstance(value, dict):
            pkg[key] = json.dumps(value, ensure_ascii=False)
    return pkg


def dataset_facets(facets: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """The portal's facets, labelled in the user's language."""
    ours: OrderedDict[str, Any] = OrderedDict()
    ours["organization"] = tk._("Data producer (OPD)")
    ours["sektor_kegiatan"] = tk._("Sector")
    ours["kode_urusan"] = tk._("Government affair")
    ours["vocab_tahun"] = tk._("Year")
    ours["vocab_wilayah"] = tk._("Area")
    ours["frekuensi"] = tk._("Frequency")
    ours["res_format"] = tk._("Format")
    for key, label in facets.items():
        if key not in ours and key not in ("groups", "license_id", "tags"):
            ours[key] = label
    ours["tags"] = facets.get("tags", tk._("Tags"))
    return ours


def facet_label(field: str, code: str, lang: str) -> str | None:
    """The readable label of a facet value, or None to keep CKAN's."""
    if field in FACET_VOCABULARIES:
        term = voc.vocabulary(FACET_VOCABULARIES[field]).get(code)
        return f"{term.text(lang)}" if term else None
    if field == "vocab_wilayah":
        region = voc.regions().get(code)
        if region is None:
            return None
        prefix = {"kota": "", "kecamatan": "Kec. ", "kelurahan": "Kel. "}[region.level]
        return f"{prefix}{region.name}"
    return None


def after_dataset_search(results: dict[str, Any]) -> dict[str, Any]:
    """Keep only what the database lets the caller read (:func:`visible_results`), and show
    vocabulary labels instead of codes in the facet lists."""
    visible_results(results)
    lang = language.current()
    for field, facet in (results.get("search_facets") or {}).items():
        for item in facet.get("items", []):
            label = facet_label(field, str(item.get("name")), lang)
            if label:
                item["display_name"] = label
    return results


def _caller() -> model.User | None:
    """The logged-in user of this web request; None for a visitor, a command or a job (who
    get the public's view)."""
    if not has_request_context():
        return None
    name = getattr(current_user, "name", None)
    return model.User.get(name) if name else None


def visible_results(results: dict[str, Any]) -> dict[str, Any]:
    """Defence in depth against a stale index: a result the index holds as public but the
    database does not (withdrawn, private or deleted while Solr was down or before a commit
    failed) is dropped unless the caller may read it anyway (``roles.may_read``), and the
    count follows. The search page, the home page, the OPD pages, the API and the DCAT feed
    all read through ``package_search``, so none of them shows an unpublished dataset, even
    before the reconciler (``ckan satudata reconcile``) mends the index. (Facet counts keep
    the index's numbers until then.) One query per page of results."""
    rows = results.get("results") or []
    claimed_public = [r["id"] for r in rows if isinstance(r, dict) and r.get("id") and not r.get("private")]
    if not claimed_public:
        return results
    stale = set(claimed_public) - dataset_state.published_ids(claimed_public)
    if not stale:
        return results
    user = _caller()
    kept = []
    for row in rows:
        if row.get("id") in stale:
            pkg = model.Package.get(row["id"])
            if pkg is None or pkg.state == "deleted" or user is None or not roles.may_read(user, pkg):
                continue
        kept.append(row)
    dropped = len(rows) - len(kept)
    results["results"] = kept
    results["count"] = max(0, int(results.get("count") or 0) - dropped)
    return results
