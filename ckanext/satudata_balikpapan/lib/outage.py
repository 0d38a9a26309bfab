"""When a service the portal needs is down: which one, and what the user is told.

The portal stands on three services: PostgreSQL (the ``database``), Solr (``search``) and
Redis (``queue``). When one fails in the middle of a request, the user gets a 503 with a
translated message naming the service in words ("layanan pencarian sedang tidak tersedia"),
never a traceback, an internal URL or the debugger (``views/outage.py`` turns the failure
into that answer). The code that changes state makes sure that nothing is half-done when it
raises :class:`ServiceUnavailable` (``workflow.service.transition`` rolls back).

Two ways to know which service failed: the exception itself (:func:`failed_service`), and,
when CKAN has already turned it into a generic error (its action API catches every
exception), asking the services right then (:func:`probe`), with short timeouts.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy.exc
from ckan import model
from ckan.lib.search.common import SearchIndexError, SolrConnectionError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

DATABASE = "database"
SEARCH = "search"
QUEUE = "queue"
SERVICES = (DATABASE, SEARCH, QUEUE)

# How long a probe waits for a service to answer, in seconds: a refused port answers at once;
# a hung service must not hold the user's error page long.
PROBE_TIMEOUT = 2.0

SEARCH_ERRORS: tuple[type[BaseException], ...] = (SearchIndexError, SolrConnectionError, pysolr.SolrError)
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
)
QUEUE_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)


class ServiceUnavailable(Exception):
    """A service the request needs is down; nothing of the request was kept.

    ``service`` is one of :data:`SERVICES`."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


def failed_service(error: BaseException) -> str | None:
    """The service whose failure ``error`` is (or wraps), or None when it is not an outage."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ServiceUnavailable):
            return current.service
        if isinstance(current, SEARCH_ERRORS):
            return SEARCH
        if isinstance(current, DATABASE_ERRORS):
            return DATABASE
        if isinstance(current, QUEUE_ERRORS):
            return QUEUE
        current = current.__cause__ or current.__context__
    return None


def message(service: str) -> str:
    """What the user reads (in the request's language) when ``service`` is down."""
    texts = {
        SEARCH: tk._(
            "The search service is temporarily unavailable. Nothing was changed; "
            "please try again in a few minutes."
        ),
        DATABASE: tk._(
            "The database is temporarily unavailable. Nothing was changed; please try again in a few minutes."
        ),
        QUEUE: tk._(
            "The background job service is temporarily unavailable. Nothing was changed; "
            "please try again in a few minutes."
        ),
    }
    return texts.get(service, texts[DATABASE])


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    try:
        with socket.create_connection((host, parts.port or default_port), timeout=PROBE_TIMEOUT):
            return True
    except OSError:
        return False


def _database_up() -> bool:
    try:
        with model.meta.engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except DATABASE_ERRORS:
        return False
    return True


def _search_up() -> bool:
    url = tk.config.get("solr_url") or "http://127.0.0.1:8983/solr"
    if not _reachable(url, 8983):
        return False
    try:
        pysolr.Solr(url, timeout=PROBE_TIMEOUT).ping()
    except (pysolr.SolrError, OSError, ValueError):
        return False
    return True


def _queue_up() -> bool:
    return _reachable(tk.config.get("ckan.redis.url") or "redis://127.0.0.1:6379/0", 6379)


def probe() -> list[str]:
    """The services that do not answer right now, in :data:`SERVICES` order."""
    checks: dict[str, Any] = {DATABASE: _database_up, SEARCH: _search_up, QUEUE: _queue_up}
    return [name for name in SERVICES if not checks[name]()]
