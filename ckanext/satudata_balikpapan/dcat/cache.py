"""A cache of rendered DCAT catalogue pages, in CKAN's Redis.

Harvesters re-read the same catalogue pages (the national portal daily, DCAT-AP consumers on
their own schedules) while the catalogue rarely changes. A page is kept for
``ckanext.satudata.dcat.cache_ttl`` seconds under a key made of the request (path and query:
page, format, profiles, modified_since, q, fq) and a *stamp* of the published catalogue: how
many datasets it has and the newest ``metadata_modified`` among them. Publishing, withdrawing or
editing any dataset changes the stamp, so a changed catalogue is rendered afresh at once; the
TTL bounds what the stamp cannot see (e.g. an OPD renamed). Pages are stored zlib-compressed
(about a tenth of their size).
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import has_request_context

from ckanext.satudata_balikpapan import config

log = logging.getLogger(__name__)

PREFIX = "satudata:dcat:page:"
VERSION = "2"  # bump when the profile's output or the stored form changes


def _stamp(fq: str) -> str:
    """Count and newest modification of the datasets the catalogue lists."""
    found = tk.get_action("package_search")(
        {"ignore_auth": True},
        {
            "q": "*:*",
            "fq": fq,
            "rows": 1,
            "sort": "metadata_modified desc",
            "fl": "id,metadata_modified",
            "include_private": False,
        },
    )
    newest = found["results"][0].get("metadata_modified", "") if found["results"] else ""
    return f"{found['count']}:{newest}"


def cached_page(data_dict: dict[str, Any], render: Callable[[], str]) -> str:
    """The rendered page for this request, from the cache when its stamp still holds."""

    ttl = config.dcat_cache_ttl()
    if ttl <= 0 or not has_request_context():
        return render()
    try:
        redis = connect_to_redis()
        parts = [
            VERSION,
            tk.config.get("ckan.site_url", ""),
            tk.request.full_path,
            repr(sorted((k, str(v)) for k, v in data_dict.items())),
            _stamp(data_dict.get("fq") or ""),
        ]
        key = PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        hit = redis.get(key)
        if hit is not None:
            return zlib.decompress(hit).decode("utf-8")
    except Exception:
        log.warning("DCAT page cache unavailable", exc_info=True)
        return render()
    page = render()
    try:
        redis.setex(key, ttl, zlib.compress(page.encode("utf-8"), 1))
    except Exception:
        log.warning("DCAT page cache: could not store a page", exc_info=True)
    return page
