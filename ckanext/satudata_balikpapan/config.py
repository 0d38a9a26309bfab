"""Typed access to the extension's settings, one function per option of
``config_declaration.yaml``.

The declaration is the one home of every default: CKAN fills a missing option from it and
converts declared ints and lists when it loads the configuration. Values set later (a test's
``ckan_config``, an ``ini`` read by another tool) may still be text, so each reader converts
again, and a value that does not convert falls back to the declared default instead of
breaking a page. Nothing outside this module reads a ``ckanext.satudata.*`` option.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import ckan.plugins.toolkit as tk
import yaml
from ckan.common import config_declaration

log = logging.getLogger(__name__)

T = TypeVar("T")

WALIDATA_ORG = "ckanext.satudata.walidata_org"
WALIDATA_USERS = "ckanext.satudata.walidata_users"
PEMBINA_USERS = "ckanext.satudata.pembina_users"
DCAT_CACHE_TTL = "ckanext.satudata.dcat.cache_ttl"
DCAT_FRAGMENT_TTL = "ckanext.satudata.dcat.fragment_ttl"
REQUESTS_RATE_LIMIT = "ckanext.satudata.requests.rate_limit"
REQUESTS_RATE_LIMIT_WINDOW = "ckanext.satudata.requests.rate_limit_window"
REQUESTS_TRUSTED_PROXY_HOPS = "ckanext.satudata.requests.trusted_proxy_hops"
CITY_NAME = "ckanext.satudata.city_name"
LOGO_URL = "ckanext.satudata.logo_url"
COLOR_PRIMARY = "ckanext.satudata.color_primary"
COLOR_SECONDARY = "ckanext.satudata.color_secondary"
CHART_COLORS = "ckanext.satudata.chart_colors"
PREVIEW_ROWS = "ckanext.satudata.preview_rows"
PREVIEW_MAX_BYTES = "ckanext.satudata.preview_max_bytes"
FETCH_TIMEOUT = "ckanext.satudata.fetch_timeout"
FETCH_ALLOWED_HOSTS = "ckanext.satudata.fetch_allowed_hosts"
CONTENT_SECURITY_POLICY = "ckanext.satudata.content_security_policy"
LOGIN_MAX_FAILURES = "ckanext.satudata.login.max_failures"
LOGIN_MAX_FAILURES_PER_ADDRESS = "ckanext.satudata.login.max_failures_per_address"
LOGIN_WINDOW_MINUTES = "ckanext.satudata.login.window_minutes"
QUALITY_SYNC_MAX_BYTES = "ckanext.satudata.quality.sync_max_bytes"
QUALITY_MAX_BYTES = "ckanext.satudata.quality.max_bytes"
QUALITY_JOB_TIMEOUT = "ckanext.satudata.quality.job_timeout"
QUALITY_COPIED_SHARE = "ckanext.satudata.quality.copied_share"
QUALITY_MAX_COLUMNS = "ckanext.satudata.quality.max_columns"
QUALITY_MAX_CELLS = "ckanext.satudata.quality.max_cells"
QUALITY_MAX_UNPACKED_BYTES = "ckanext.satudata.quality.max_unpacked_bytes"
QUALITY_MAX_SHARED_STRINGS_BYTES = "ckanext.satudata.quality.max_shared_strings_bytes"
QUALITY_MAX_SECONDS = "ckanext.satudata.quality.max_seconds"
QUALITY_SYNC_MAX_CELLS = "ckanext.satudata.quality.sync_max_cells"
QUALITY_SYNC_MAX_UNPACKED_BYTES = "ckanext.satudata.quality.sync_max_unpacked_bytes"
QUALITY_SYNC_MAX_SECONDS = "ckanext.satudata.quality.sync_max_seconds"
HISTORY_KEY = "ckanext.satudata.history_key"
DATASTORE_LOAD = "ckanext.satudata.datastore.load"
SWEEP_MAX_ATTEMPTS = "ckanext.satudata.sweep.max_attempts"
SWEEP_STUCK_MINUTES = "ckanext.satudata.sweep.stuck_minutes"
SCHEDULER_EVERY = "ckanext.satudata.scheduler.every"
SCHEDULER_REMINDERS_AT = "ckanext.satudata.scheduler.reminders_at"
SCHEDULER_DCAT_WARM_AT = "ckanext.satudata.scheduler.dcat_warm_at"


@cache
def _own_declaration() -> dict[str, Any]:
    """The defaults of ``config_declaration.yaml``, read from the file: for code that runs
    before CKAN has loaded the plugin's declaration (a unit test, a build step)."""
    path = resources.files("ckanext.satudata_balikpapan").joinpath("config_declaration.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {o["key"]: o.get("default") for group in raw["groups"] for o in group["options"]}


def declared_default(key: str) -> Any:
    """The default ``config_declaration.yaml`` gives ``key``."""
    option = config_declaration.get(key)
    if option is not None:
        return option.default
    return _own_declaration().get(key)


def _typed(key: str, cast: Callable[[Any], T]) -> T:
    value = tk.config.get(key)
    if value is not None and value != "":
        try:
            return cast(value)
        except (TypeError, ValueError):
            log.warning("Satu Data: %s = %r is not valid; using the default", key, value)
    return cast(declared_default(key))


def _int(value: Any) -> int:
    return tk.asint(value)


def _words(value: Any) -> list[str]:
    """A declared list: a list already, or space-separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


def _text(value: Any) -> str:
    return str(value) if value is not None else ""


# --- roles ---------------------------------------------------------------------------------


def walidata_org() -> str:
    """The code of the walidata OPD ("" : the registry's walidata, Diskominfo)."""
    return _typed(WALIDATA_ORG, _text).strip()


def walidata_users() -> set[str]:
    """User names who act as walidata besides the walidata OPD's editors and admins."""
    return set(_typed(WALIDATA_USERS, _words))


def pembina_users() -> set[str]:
    """User names of the pembina data (BPS)."""
    return set(_typed(PEMBINA_USERS, _words))


# --- DCAT ----------------------------------------------------------------------------------


def dcat_cache_ttl() -> int:
    """Seconds a catalogue page stays in the page cache (0: off)."""
    return max(0, _typed(DCAT_CACHE_TTL, _int))


def dcat_fragment_ttl() -> int:
    """Seconds a dataset's rendered feed fragment is kept (0: pages rendered whole)."""
    return max(0, _typed(DCAT_FRAGMENT_TTL, _int))


# --- data requests -------------------------------------------------------------------------


def requests_rate_limit() -> int:
    """Requests one address may send within the window (0: no limit)."""
    return max(0, _typed(REQUESTS_RATE_LIMIT, _int))


def requests_rate_limit_window() -> int:
    """The rate limit's window, in minutes (at least 1)."""
    return max(1, _typed(REQUESTS_RATE_LIMIT_WINDOW, _int))


def requests_trusted_proxy_hops() -> int:
    """Reverse proxies in front of CKAN that append to X-Forwarded-For."""
    return max(0, _typed(REQUESTS_TRUSTED_PROXY_HOPS, _int))


# --- branding ------------------------------------------------------------------------------


def city_name() -> str:
    """The city's name as the portal shows it."""
    return _typed(CITY_NAME, _text).strip() or _text(declared_default(CITY_NAME))


def logo_url() -> str:
    """The header logo: a path under the site or an absolute URL."""
    return _typed(LOGO_URL, _text).strip() or _text(declared_default(LOGO_URL))


def color_primary() -> str:
    """The primary brand colour, as configured (checked by ``portal.branding``)."""
    return _typed(COLOR_PRIMARY, _text).strip()


def color_secondary() -> str:
    """The secondary brand colour, as configured (checked by ``portal.branding``)."""
    return _typed(COLOR_SECONDARY, _text).strip()


def chart_colors() -> list[str]:
    """The colours charts cycle through, as configured (checked by ``portal.branding``)."""
    return _typed(CHART_COLORS, _words)


# --- previews and fetching files -----------------------------------------------------------


def preview_rows() -> int:
    """How many rows a table preview shows (1 to 500)."""
    return max(1, min(_typed(PREVIEW_ROWS, _int), 500))


def preview_max_bytes() -> int:
    """The largest file read for a preview or a chart (at least 1 KiB)."""
    return max(1024, _typed(PREVIEW_MAX_BYTES, _int))


def fetch_timeout() -> float:
    """Seconds allowed for fetching a linked file (at least 0.1)."""
    return max(0.1, float(_typed(FETCH_TIMEOUT, float)))


def login_throttle() -> tuple[int, int, int]:
    """Failed logins allowed per account and per address, and the window in minutes."""
    return (
        max(0, _typed(LOGIN_MAX_FAILURES, _int)),
        max(1, _typed(LOGIN_MAX_FAILURES_PER_ADDRESS, _int)),
        max(1, _typed(LOGIN_WINDOW_MINUTES, _int)),
    )


def content_security_policy() -> str:
    """The Content-Security-Policy of every page; empty: none is sent."""
    value = tk.config.get(CONTENT_SECURITY_POLICY)
    if value is None:
        value = declared_default(CONTENT_SECURITY_POLICY)
    return " ".join(str(value or "").split())


def fetch_allowed_hosts() -> set[str]:
    """Hosts whose linked files may be fetched although they resolve to private addresses."""
    return {h.strip().lower() for h in _typed(FETCH_ALLOWED_HOSTS, _words) if h.strip()}


# --- data quality --------------------------------------------------------------------------


def quality_sync_max_bytes() -> int:
    """Files up to this size are validated in the request; larger ones by a job."""
    return max(0, _typed(QUALITY_SYNC_MAX_BYTES, _int))


def quality_max_bytes() -> int:
    """The largest file validated at all."""
    return max(0, _typed(QUALITY_MAX_BYTES, _int))


def quality_job_timeout() -> int:
    """Seconds a background validation job may run."""
    return max(1, _typed(QUALITY_JOB_TIMEOUT, _int))


def quality_copied_share() -> float:
    """The share of a period's cells equal to an earlier period's (aligned on the key) from
    which the period counts as copied (``copied_previous_period``), kept between 0.5 and 1:
    below half, most honest updates would be flagged. docs/quality.md says why 0.95."""
    return min(1.0, max(0.5, _typed(QUALITY_COPIED_SHARE, float)))


def quality_reading_bounds(*, sync: bool) -> dict[str, int]:
    """The reading bounds of the quality checks (see ``quality.engine.limits.Limits``): the
    background job's, or (``sync``) the smaller ones of a check made within a request,
    where columns and shared strings stay the job's (they are about the file, not the wait)."""
    bounds = {
        "columns": max(1, _typed(QUALITY_MAX_COLUMNS, _int)),
        "cells": max(1, _typed(QUALITY_MAX_CELLS, _int)),
        "unpacked_bytes": max(1, _typed(QUALITY_MAX_UNPACKED_BYTES, _int)),
        "shared_strings_bytes": max(1, _typed(QUALITY_MAX_SHARED_STRINGS_BYTES, _int)),
        "seconds": max(1, _typed(QUALITY_MAX_SECONDS, _int)),
    }
    if sync:
        bounds["cells"] = min(bounds["cells"], max(1, _typed(QUALITY_SYNC_MAX_CELLS, _int)))
        bounds["unpacked_bytes"] = min(
            bounds["unpacked_bytes"], max(1, _typed(QUALITY_SYNC_MAX_UNPACKED_BYTES, _int))
        )
        bounds["seconds"] = min(bounds["seconds"], max(1, _typed(QUALITY_SYNC_MAX_SECONDS, _int)))
    return bounds


def site_secret() -> str:
    """The site's secret (CKAN's ``SECRET_KEY``): the key of the data requests' derived link
    tokens and hashed network addresses, and of the history chain unless it has its own."""
    return _text(tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or "")


def history_key() -> bytes:
    """The key of the history's hash chain (``model/chain.py``): the configured one, else the
    site's secret. Kept out of the database, so that whoever can write the tables cannot
    forge the chain."""
    key = _text(tk.config.get(HISTORY_KEY)) or site_secret()
    return (key or "satudata-history").encode("utf-8")


def datastore_load() -> bool:
    """Whether a file that passes validation is loaded into the DataStore."""
    return _typed(DATASTORE_LOAD, tk.asbool)


def sweep_max_attempts() -> int:
    """How often the sweeper queues a job again before it marks it failed."""
    return max(1, _typed(SWEEP_MAX_ATTEMPTS, _int))


def sweep_stuck_minutes() -> int:
    """After how many minutes a queued job that has not finished counts as lost."""
    return max(1, _typed(SWEEP_STUCK_MINUTES, _int))


def scheduler_every() -> int:
    """Seconds between two rounds of the scheduler (the sweeper)."""
    return max(1, _typed(SCHEDULER_EVERY, _int))


def _time_of_day(value: Any) -> tuple[int, int]:
    hour, minute = (int(part) for part in str(value).strip().split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(value)
    return hour, minute


def scheduler_dcat_warm_at() -> tuple[int, int]:
    """(hour, minute) after which the scheduler warms the DCAT feed, once a day; a value that
    is not HH:MM falls back to the declared default."""
    return _typed(SCHEDULER_DCAT_WARM_AT, _time_of_day)


def scheduler_reminders_at() -> tuple[int, int]:
    """(hour, minute) after which the scheduler sends the day's Daftar Data reminders, once a
    day; a value that is not HH:MM falls back to the declared default."""
    return _typed(SCHEDULER_REMINDERS_AT, _time_of_day)
