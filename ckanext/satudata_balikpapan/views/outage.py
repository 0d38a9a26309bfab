"""A service down: the user reads a translated 503, never a traceback, an internal URL or the
debugger (issue #13).

Two hooks on CKAN's Flask app (registered by ``views/security.register``):

- **Error handlers** for the exceptions of a failing service (PostgreSQL, Solr, Redis: the
  classes in :mod:`..lib.outage`) and for :class:`~..lib.outage.ServiceUnavailable`. Flask
  prefers a handler registered for the exception's class to CKAN's catch-all, also under the
  development server, so the interactive debugger never shows an outage. A browser gets a
  small page that needs no database (``satudata/unavailable.html``, not CKAN's layout, which
  reads the user and the site from PostgreSQL); an API caller gets CKAN's JSON error shape.
- **Answers CKAN already made**: CKAN's action API catches every exception itself and answers
  500 with the exception's text (Solr's internal URL included), and CKAN's search page aborts
  with a 500 when Solr is gone. A 500 is turned into the same 503 when a service does not
  answer right then (:func:`~..lib.outage.probe`); any other 500 is left as it is (a bug, to
  be seen).

Every 503 carries ``Retry-After`` so that harvesters and scripts wait instead of hammering.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, current_app, request
from markupsafe import escape

from ckanext.satudata_balikpapan.lib import language, outage

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60


def _is_api() -> bool:
    """``/api/...``, also under a language prefix (``/en/api/...``)."""
    parts = (request.path or "").split("/")
    return "api" in parts[1:3]


def _answer(service: str) -> Response:
    text = outage.message(service)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if _is_api():
        body = {
            "success": False,
            "error": {"__type": "Service Unavailable", "service": service, "message": text},
        }
        return Response(json.dumps(body, ensure_ascii=False), 503, headers, mimetype="application/json")
    try:
        # Flask's Jinja environment, without CKAN's render: that one asks the database for
        # the user and the site, which may be what is down
        page = current_app.jinja_env.get_template("satudata/unavailable.html").render(
            message=text, service=service, lang=language.current(), path=request.path
        )
    except Exception:
        log.warning("the outage page could not be rendered", exc_info=True)
        page = f"<!doctype html><meta charset=utf-8><title>503</title><p>{escape(text)}</p>"
    return Response(page, 503, headers, mimetype="text/html")


def handle(error: Exception) -> Response:
    """The answer to an exception of a failing service (registered per exception class)."""
    service = outage.failed_service(error) or outage.DATABASE
    log.error(
        "service %s unavailable during %s %s: %s",
        service,
        request.method,
        request.path,
        error,
        exc_info=error,
    )
    return _answer(service)


def rewrite_errors(response: Response) -> Response:
    """Turn a 500 into the translated 503 when a service is down right now."""
    if response.status_code != 500:
        return response
    down = outage.probe()
    if not down:
        return response
    log.error("%s answered 500 while %s was down: answered 503", request.path, ", ".join(down))
    return _answer(down[0])


def register(app: Flask) -> Any:
    """Install the handlers and the API rewrite on CKAN's app."""
    for error in (
        outage.ServiceUnavailable,
        *outage.DATABASE_ERRORS,
        *outage.SEARCH_ERRORS,
        *outage.QUEUE_ERRORS,
    ):
        app.register_error_handler(error, handle)
    app.after_request(rewrite_errors)
    return app
