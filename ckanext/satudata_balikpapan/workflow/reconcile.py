"""The reconciler: the search index against the database, which is the truth.

Solr can fall behind PostgreSQL: a change committed while Solr was down (by CKAN core or by
a script), a document written just before a commit that then failed, an index restored from
an older backup. ``ckan satudata reconcile`` (and the sweeper, ``ckan satudata sweep``)
compares every dataset of the site in both and reports, by kind:

* ``missing``: a dataset the database holds (not deleted) that the index does not;
* ``orphaned``: a document of a dataset the database deleted or never had;
* ``stale``: a document whose visibility (public or not) or last change
  (``metadata_modified``) differs from the database. (The index does not store the workflow
  state it searches on; a step that changes the visibility shows here.)

With ``repair`` it rewrites the stale and missing documents from the database and deletes
the orphaned ones. Until then the public listings already check the database
(``portal/search.visible_results``): drift never shows an unpublished dataset.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.search as search
import ckan.plugins.toolkit as tk

from ckanext.satudata_balikpapan.lib import outage
from ckanext.satudata_balikpapan.model import dataset_state

log = logging.getLogger(__name__)

PAGE = 1000


@dataclass
class Drift:
    """What differs between the database and the index, by dataset id."""

    missing: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    repaired: int = 0
    checked: int = 0

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.orphaned) + len(self.stale)


def _index() -> dict[str, dict[str, Any]]:
    connection = search.make_connection()
    site = tk.config.get("ckan.site_id")
    out: dict[str, dict[str, Any]] = {}
    cursor = "*"
    while True:
        found = connection.search(
            "*:*",
            fq=f'+site_id:"{site}" +entity_type:package',
            fl="id,capacity,metadata_modified",
            sort="index_id asc",  # a cursor needs the uniqueKey
            rows=PAGE,
            cursorMark=cursor,
        )
        for doc in found.docs:
            out[doc["id"]] = doc
        if not found.docs or found.nextCursorMark in (None, cursor):
            return out
        cursor = found.nextCursorMark


def _same_time(db_value: Any, indexed: Any) -> bool:
    """The same last change, to the second (the index keeps no microseconds; pysolr gives a
    datetime or text)."""
    if db_value is None or not indexed:
        return db_value is None and not indexed
    text = indexed.isoformat() if hasattr(indexed, "isoformat") else str(indexed)
    return db_value.isoformat()[:19] == text[:19]


def compare() -> Drift:
    """The drift between the database and the index (reads both; changes nothing)."""
    try:
        indexed = _index()
    except outage.SEARCH_ERRORS as error:
        raise outage.ServiceUnavailable(outage.SEARCH) from error
    held = dataset_state.visibility()
    drift = Drift(checked=len(held))
    for package_id, row in held.items():
        doc = indexed.get(package_id)
        if doc is None:
            drift.missing.append(package_id)
            continue
        public = doc.get("capacity") == "public"
        if public != row["public"] or not _same_time(row["modified"], doc.get("metadata_modified")):
            drift.stale.append(package_id)
    drift.orphaned = sorted(set(indexed) - set(held))
    return drift


def reconcile(repair: bool = False) -> Drift:
    """Compare, and with ``repair`` mend every difference (see the module); the index
    documents that hide a dataset are written first, so that no moment of the repair shows
    more than the database allows."""
    drift = compare()
    if drift.total:
        log.warning(
            "Satu Data: index drift: %d missing, %d orphaned, %d stale",
            len(drift.missing), len(drift.orphaned), len(drift.stale),
        )  # fmt: skip
    if not repair:
        return drift
    for package_id in drift.orphaned:
        search.clear(package_id)
        drift.repaired += 1
    for package_id in drift.stale + drift.missing:
        search.rebuild(package_id)
        drift.repaired += 1
    return drift
