"""Reading a resource's DataStore table for its page: the first rows, and the "Data API"
panel (endpoints, the data dictionary, working examples).

Every read goes through ``datastore_search`` / ``datastore_info`` as the current user, so the
page shows exactly what that user may query; anything that fails (no table, the DataStore
down) is None, and the page falls back to reading the file.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

# Rows a dump or a page of the API examples asks for.
EXAMPLE_LIMIT = 5


def has_table(resource: dict[str, Any]) -> bool:
    """Whether the resource's rows are in the DataStore (CKAN's own ``datastore_active``)."""
    return bool(resource.get("datastore_active")) and p.plugin_loaded("datastore")


def first_rows(resource: dict[str, Any], limit: int) -> tuple[list[str], list[list[Any]], int] | None:
    """(column ids, the first ``limit`` rows, total rows) of the table, or None."""
    if not has_table(resource):
        return None
    try:
        found = tk.get_action("datastore_search")(
            {}, {"resource_id": resource["id"], "limit": limit, "sort": "_id", "records_format": "lists"}
        )
    except Exception:  # no table, not allowed, the DataStore down: the file is read instead
        log.info("Satu Data: no DataStore rows for %s", resource.get("id"), exc_info=True)
        return None
    columns = [f["id"] for f in found["fields"] if f["id"] != "_id"]
    keep = [i for i, f in enumerate(found["fields"]) if f["id"] != "_id"]
    rows = [[row[i] for i in keep] for row in found["records"]]
    return columns, rows, int(found.get("total") or 0)


def dictionary(resource: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The table's columns: id, type, label, description and unit, or None."""
    if not has_table(resource):
        return None
    try:
        info = tk.get_action("datastore_info")({}, {"id": resource["id"]})
    except Exception:
        log.info("Satu Data: no DataStore dictionary for %s", resource.get("id"), exc_info=True)
        return None
    out = []
    for field in info.get("fields", []):
        if field["id"].startswith("_"):
            continue
        extra = field.get("info") or {}
        out.append(
            {
                "id": field["id"],
                "type": field.get("type"),
                "label": extra.get("label") or "",
                "notes": extra.get("notes") or "",
                "unit": extra.get("unit") or "",
            }
        )
    return out


def panel(resource: dict[str, Any], site_url: str) -> dict[str, Any] | None:
    """What the "Data API" panel shows for a resource with a table, or None."""
    fields = dictionary(resource)
    if fields is None:
        return None
    rid = resource["id"]
    base = site_url.rstrip("/")
    search = f"{base}/api/3/action/datastore_search"
    first = fields[0]["id"] if fields else None
    example_filter = json.dumps({first: "..."}, ensure_ascii=False) if first else "{}"
    curl = f"curl '{search}?resource_id={rid}&limit={EXAMPLE_LIMIT}'"
    python = "\n".join(
        [
            "import json",
            "import urllib.parse",
            "import urllib.request",
            "",
            f'query = {{"resource_id": "{rid}", "limit": {EXAMPLE_LIMIT}}}',
            f'url = "{search}?" + urllib.parse.urlencode(query)',
            "with urllib.request.urlopen(url) as answer:",
            '    result = json.load(answer)["result"]',
            'print(result["total"], result["records"])',
        ]
    )
    return {
        "resource_id": rid,
        "search_url": search,
        "info_url": f"{base}/api/3/action/datastore_info?id={rid}",
        "dump_url": f"{base}/datastore/dump/{rid}",
        "fields": fields,
        "curl": curl,
        "curl_filter": f"curl '{search}?resource_id={rid}' --get --data-urlencode 'filters={example_filter}'",
        "python": python,
    }
