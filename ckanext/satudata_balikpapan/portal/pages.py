"""What the public portal pages show: the home page's blocks, the OPD profile, and a dataset's
table preview and yearly chart.

Every search runs through the action API with the viewer's context, so the pages show
exactly what the viewer may see (the public: published datasets only). Reading files is
the slow part: previews and series are kept in a small in-process cache, keyed by what
changes when the file changes (the resource's URL and modification times), for
``CACHE_SECONDS``. A failure is cached too, so a broken link is not fetched on every view.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import ckan.lib.search as ckan_search
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.data_api import read as data_api
from ckanext.satudata_balikpapan.lib import language, resource_files
from ckanext.satudata_balikpapan.lib.cache import TTLCache
from ckanext.satudata_balikpapan.model import dataset_state, migrated_dataset
from ckanext.satudata_balikpapan.portal import charts, tables
from ckanext.satudata_balikpapan.quality.engine.limits import Limits
from ckanext.satudata_balikpapan.registry import opd, vocabularies

log = logging.getLogger(__name__)

CACHE_SECONDS = 600
CACHE_ENTRIES = 256
SERIES_MAX_RESOURCES = 24
PREVIEW_HEAD_BYTES = 2 * 1024**2  # what a CSV preview reads of a larger file
KIND_ORDER = (*opd.KINDS, "lainnya")


cache = TTLCache(CACHE_ENTRIES, CACHE_SECONDS)


# --- searches as the viewer --------------------------------------------------------------------


def _context() -> dict[str, Any]:
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


def search(**data_dict: Any) -> dict[str, Any]:
    """``package_search`` as the current viewer (public datasets only: ``include_private`` is
    left false); an empty result when Solr fails."""

    try:
        return tk.get_action("package_search")(_context(), data_dict)
    except (ckan_search.SearchError, tk.ValidationError) as error:
        log.warning("portal search failed: %s", error)
        return {"count": 0, "results": [], "search_facets": {}}


def newest_published(limit: int = 6) -> list[dict[str, Any]]:
    """The datasets the walidata published most recently (by the date of their last
    publication in the workflow record), newest first, as the viewer's search returns them,
    each with ``satudata_tanggal_terbit``."""

    state = dataset_state.dataset_state
    query = (
        sa.select(state.c.package_id, state.c.last_published)
        .join(model.package_table, model.package_table.c.id == state.c.package_id)
        .where(
            state.c.published.is_(True),
            state.c.last_published.isnot(None),
            sa.not_(migrated_dataset.awaiting_verification(state.c.package_id, state.c.last_published)),
            model.package_table.c.state == "active",
            model.package_table.c.private.is_(False),
        )
        .order_by(state.c.last_published.desc())
        .limit(limit)
    )
    rows = model.Session.execute(query).all()
    if not rows:
        return []
    ids = " OR ".join(f'"{row.package_id}"' for row in rows)
    found = {d["id"]: d for d in search(fq=f"id:({ids})", rows=limit)["results"]}
    out = []
    for row in rows:
        if row.package_id in found:
            found[row.package_id]["satudata_tanggal_terbit"] = row.last_published.isoformat()
            out.append(found[row.package_id])
    return out


def kind_label(kind: str, plural: bool = False) -> str:
    """The kind of an OPD (``dinas``, ``badan``...) in the user's language."""
    singular = {
        "dinas": tk._("Office (dinas)"),
        "badan": tk._("Agency (badan)"),
        "sekretariat": tk._("Secretariat"),
        "inspektorat": tk._("Inspectorate"),
        "satuan": tk._("Unit (satuan)"),
        "rsud": tk._("Regional hospital (RSUD)"),
        "kecamatan": tk._("District office (kecamatan)"),
    }
    several = {
        "dinas": tk._("Offices (dinas)"),
        "badan": tk._("Agencies (badan)"),
        "sekretariat": tk._("Secretariats"),
        "inspektorat": tk._("Inspectorate"),
        "satuan": tk._("Units (satuan)"),
        "rsud": tk._("Regional hospitals (RSUD)"),
        "kecamatan": tk._("District offices (kecamatan)"),
        "lainnya": tk._("Other offices"),
    }
    return (several if plural else singular).get(kind, several["lainnya"] if plural else kind)


def organizations() -> list[dict[str, Any]]:
    """Every active organisation (the OPDs) by title, with the extras the directory shows
    (kind, abbreviation), read from the database (``registry.opd.organizations``): CKAN's
    organization_list would dictize every organisation whole, which was most of the home
    page's time."""
    out = []
    for group in opd.organizations():
        extras = group.extras or {}  # a JSON column on CKAN 2.12, a mapped table on 2.11
        entry = {"name": group.name, "title": group.title}
        entry.update({key: extras[key] for key in ("kind", "abbreviation") if extras.get(key)})
        out.append(entry)
    return out


def opd_directory(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The OPDs grouped by kind (in the registry's order of kinds), each with the number of
    datasets the viewer can see (``counts``: organisation name -> count)."""
    registry = opd.default_registry()
    groups: dict[str, list[dict[str, Any]]] = {}
    for org in organizations():
        entry = registry.get(org["name"])
        kind = entry.kind if entry else (org.get("kind") or "lainnya")
        kind = kind if kind in KIND_ORDER else "lainnya"
        groups.setdefault(kind, []).append(
            {
                "name": org["name"],
                "title": org.get("title") or org["name"],
                "abbreviation": (entry.abbreviation if entry else org.get("abbreviation")) or "",
                "count": counts.get(org["name"], 0),
            }
        )
    return [
        {"kind": kind, "label": kind_label(kind, plural=True), "opds": groups[kind]}
        for kind in KIND_ORDER
        if kind in groups
    ]


def home(newest: int = 6, priority: int = 6) -> dict[str, Any]:
    """Everything the home page shows, as the viewer may see it: the number of datasets, the
    datasets by sektor, the newest published datasets, Data Prioritas and the OPD directory."""
    base = search(q="*:*", rows=0, **{"facet.field": ["sektor_kegiatan", "organization"], "facet.limit": -1})
    facets = base.get("search_facets") or {}
    sektor = [
        {"code": item["name"], "label": item.get("display_name") or item["name"], "count": item["count"]}
        for item in (facets.get("sektor_kegiatan") or {}).get("items", [])
    ]
    sektor.sort(key=lambda s: (-s["count"], s["label"]))
    counts = {item["name"]: item["count"] for item in (facets.get("organization") or {}).get("items", [])}
    prioritas = search(
        q="*:*",
        fq="prioritas_tahun:[* TO *]",
        rows=priority,
        sort="prioritas_tahun desc, metadata_modified desc",
    )
    directory = opd_directory(counts)
    return {
        "count": base.get("count", 0),
        "opd_count": sum(len(g["opds"]) for g in directory),
        "sektor": sektor,
        "newest": newest_published(newest),
        "prioritas": prioritas["results"],
        "prioritas_count": prioritas["count"],
        "opd": directory,
    }


# --- the OPD page --------------------------------------------------------------------------------


def opd_profile(org: dict[str, Any], registry: opd.Registry | None = None) -> dict[str, Any]:
    """The profile of an OPD from the registry (default: the shipped one), falling back to the
    organisation's own fields for an OPD the registry does not list: names, kind, urusan,
    area, contact and predecessors (with their organisations' titles)."""

    entry = (registry or opd.default_registry()).get(org.get("name") or "")
    contact = dict(entry.contact or {}) if entry else {}
    lang = language.current()
    urusan_voc = vocabularies.vocabulary("urusan")
    codes = list(entry.urusan) if entry else list(_as_list(org.get("urusan")))
    urusan = []
    for code in codes:
        term = urusan_voc.get(code)
        urusan.append(f"{code} {term.text(lang)}" if term else code)
    wilayah_code = (entry.wilayah if entry else org.get("wilayah")) or ""
    region = vocabularies.regions().get(wilayah_code)
    predecessors = []
    for code in entry.predecessors if entry else ():
        group = model.Group.get(code)
        predecessors.append({"code": code, "title": group.title if group else code})
    kind = entry.kind if entry else (org.get("kind") or "")
    return {
        "in_registry": entry is not None,
        "code": org.get("name"),
        "name": entry.name if entry else org.get("title"),
        "abbreviation": (entry.abbreviation if entry else org.get("abbreviation")) or "",
        "name_en": (entry.name_en if entry else org.get("name_en")) or "",
        "kind": kind,
        "kind_label": kind_label(kind) if kind else "",
        "walidata": bool(entry.walidata) if entry else str(org.get("walidata")) == "true",
        "urusan": urusan,
        "wilayah": f"{wilayah_code} Kec. {region.name}" if region else wilayah_code,
        "email": contact.get("email") or org.get("contact_email") or "",
        "phone": contact.get("phone") or org.get("contact_phone") or "",
        "address": contact.get("address") or org.get("address") or "",
        "website": contact.get("website") or org.get("website") or "",
        "predecessors": predecessors,
        "uncertain": bool(entry.uncertain) if entry else False,
    }


def _as_list(value: Any) -> list[str]:

    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else value.split()
        except ValueError:
            value = [value]
    return [str(v) for v in value or []]


# --- previews and series -----------------------------------------------------------------------


def preview_rows() -> int:
    """How many rows a table preview shows (``ckanext.satudata.preview_rows``)."""
    return config.preview_rows()


def max_bytes() -> int:
    """The largest file read for a preview or a chart (``ckanext.satudata.preview_max_bytes``);
    only the beginning of a larger CSV is previewed."""
    return config.preview_max_bytes()


def _resource_key(resource: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        resource.get(k) for k in ("id", "url", "url_type", "last_modified", "metadata_modified", "size")
    )


def _read(resource: dict[str, Any], kind: str, rows: int | None, timeout: float | None = None):
    """(Table, None) or (None, reason)."""
    truncate = kind == "csv" and rows is not None  # the first rows of a CSV need only its head
    limit = min(max_bytes(), PREVIEW_HEAD_BYTES) if truncate else max_bytes()
    try:
        path, temporary = resource_files.fetch_resource(
            resource, max_bytes=limit, truncate=truncate, timeout=timeout
        )
    except resource_files.ResourceUnavailable as error:
        log.info("no preview of resource %s: %s", resource.get("id"), error)
        return None, error.reason if error.reason == resource_files.TOO_LARGE else "unavailable"
    try:
        bounds = Limits(**config.quality_reading_bounds(sync=True))
        return tables.read_table(path, kind, rows, limits=bounds), None
    except tables.TableError as error:
        log.info("resource %s is not a readable table: %s", resource.get("id"), error)
        return None, error.reason
    finally:
        if temporary:
            path.unlink(missing_ok=True)


# The most rows a chart reads from a DataStore table; a larger table is read from its file.
SERIES_MAX_DATASTORE_ROWS = 20_000


def _datastore_table(resource: dict[str, Any], rows: int, *, whole: bool = False) -> tables.Table | None:
    """The resource's first ``rows`` rows from its DataStore table as a :class:`tables.Table`
    of cell texts; with ``whole``, None unless the table fits in ``rows``. None when there is
    no table (the file is then read)."""
    found = data_api.first_rows(resource, rows)
    if found is None:
        return None
    columns, values, total = found
    if whole and total > len(values):
        return None
    cells = [["" if v is None else str(v) for v in row] for row in values]
    typed = [list(row) for row in values]  # numbers as the DataStore holds them, for charts
    return tables.Table(columns=columns, rows=cells, truncated=total > len(cells), values=typed)


def preview(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The first rows of a CSV or spreadsheet resource: ``{"table": Table | None, "reason":
    None | "unavailable" | "too_large" | "empty" | "unreadable" | "unsupported"}``; None for
    other formats. Never raises. Rows come from the DataStore table when the resource has one
    (``"source": "datastore"``), else from the file."""
    kind = tables.table_format(resource)
    if kind is None:
        return None
    rows = preview_rows()
    table = _datastore_table(resource, rows)
    if table is not None:  # the verified table: no need to fetch and read the file
        return {"table": table, "reason": None, "resource": resource, "source": "datastore"}
    key = ("preview", rows, *_resource_key(resource))
    hit, value = cache.get(key)
    if hit:
        return value
    try:
        table, reason = _read(resource, kind, rows)
    except Exception:  # a preview must never break the page
        log.exception("preview of resource %s failed", resource.get("id"))
        table, reason = None, "unreadable"
    value = {"table": table, "reason": reason, "resource": resource}
    cache.put(key, value)
    return value


def preview_resource(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The resource the dataset page previews: the tabular one with the latest period (the
    last listed when none has a period)."""
    tabular = [r for r in pkg.get("resources") or [] if tables.table_format(r)]
    if not tabular:
        return None
    return max(enumerate(tabular), key=lambda p: (str(p[1].get("periode") or ""), p[0]))[1]


def series(pkg: dict[str, Any]) -> tables.Series | None:
    """The yearly series of a dataset's CSV and spreadsheet files (one file per year, or one
    file over the years), cached per version of the dataset. A file whose verified table is in
    the DataStore is read from there; the others are fetched, and reading stops when the fetch
    time budget (``ckanext.satudata.fetch_timeout``) is spent."""
    key = (
        "series",
        pkg.get("id"),
        pkg.get("metadata_modified"),
        tuple(_resource_key(r) for r in pkg.get("resources") or []),
    )
    hit, value = cache.get(key)
    if hit:
        return value
    budget = config.fetch_timeout()
    deadline = time.monotonic() + budget
    read: list[tables.Table] = []
    tabular = [r for r in pkg.get("resources") or [] if tables.table_format(r)][:SERIES_MAX_RESOURCES]
    value = None
    try:
        for resource in sorted(tabular, key=lambda r: str(r.get("periode") or "")):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            table = _datastore_table(resource, SERIES_MAX_DATASTORE_ROWS, whole=True)
            if table is None:
                table, _reason = _read(resource, tables.table_format(resource) or "", None, timeout=remaining)
            if table is not None:
                read.append(table)
        if read:
            value = tables.yearly_series(read, additive=tables.additive(pkg.get("ukuran")))
    except Exception:  # a chart must never break the page
        log.exception("series of dataset %s failed", pkg.get("id"))
        value = None
    cache.put(key, value)
    return value


def unit_of(pkg: dict[str, Any]) -> str:
    """The dataset's unit as a chart shows it: the symbol (``%``) or the label of ``satuan``."""
    code = pkg.get("satuan") or ""
    if code == vocabularies.OTHER:
        return pkg.get("satuan_lainnya") or ""
    term = vocabularies.vocabulary("satuan").get(code)
    if term is None:
        return ""
    return term.get("symbol") or term.text(language.current()).lower()


def series_chart(pkg: dict[str, Any]) -> Any:
    """The line chart of the dataset's yearly series (Markup), or None."""
    found = series(pkg)
    if found is None or not found.lines:
        return None
    title = {
        "row": tk._("{title}, per year"),
        "city": tk._("{title}: city level, per year"),
        "sum": tk._("{title}: total of all rows, per year"),
        "regions": tk._("{title}: {column} by area, per year"),
    }[found.mode].format(
        title=pkg.get("title") or pkg.get("name"), column=tables.column_label(found.column or "")
    )
    lines = (
        found.lines
        if found.mode == "regions"
        else {tables.column_label(k): v for k, v in found.lines.items()}
    )
    return charts.line_chart(lines, title=title, unit=unit_of(pkg))
