"""What every response of the portal carries, and the CSRF check of every browser request.

Registered on CKAN's Flask app by the plugin's ``IMiddleware.make_middleware`` (a
``before_request`` and an ``after_request`` hook, CKAN's supported way in), never by patching
CKAN.

**Headers on every page** (issue #14): ``X-Content-Type-Options: nosniff``,
``X-Frame-Options: SAMEORIGIN`` (no clickjacking of the verification buttons), a
``Referrer-Policy`` that sends no path to other sites, and the site's
``Content-Security-Policy`` (``ckanext.satudata.content_security_policy``).

**Files served from the portal's origin** (resource downloads, CKAN 2.12's file views): a
produsen's upload is not the portal's page. A file whose type is not on the short list of
types a browser shows without running anything (:data:`INLINE_TYPES`) is served as an
attachment, and every such file gets ``Content-Security-Policy: sandbox`` with nothing
allowed: an HTML or SVG upload opened by the logged-in walidata runs no script in the
portal's origin, whatever its content or claimed type.

**CSRF.** CKAN exempts a *view* from CSRF checks, for the rest of the process's life, as soon
as one request reaches it with an API token or anonymously (``g.login_via_auth_header``); from
then on a forged POST from the walidata's browser to that view passes. This hook checks the
token again, per request, on every state-changing browser request (CKAN's own check is kept:
a request it has validated is not checked twice). Exempt are only the requests that carry an
API token (no ambient authority to forge) and anonymous API calls (no session behind them).
A refusal is a 400 page with a translated message.

**Failed logins** (:func:`authenticate`, the plugin's ``IAuthenticator.authenticate``) are
counted in Redis per account and per network address within a window
(``ckanext.satudata.login.max_failures``, ``max_failures_per_address``, ``window_minutes``).
Beyond either count, the login form refuses every attempt, the right password included,
until the window has passed, with an Indonesian message saying how long to wait. A
successful login clears its account's count. Should Redis be down, logins are not throttled
(a warning is logged): a lost counter must not lock the city's staff out.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user
from ckan.config.middleware.flask_app import csrf
from ckan.lib import authenticator
from ckan.lib.redis import connect_to_redis
from flask import Flask, Response, current_app, g, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.lib.client import caller_address
from ckanext.satudata_balikpapan.views import api_input, outage

log = logging.getLogger(__name__)

# types a browser displays without running anything, and that cannot carry a script
INLINE_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/tab-separated-values",
        "application/pdf",
        "application/json",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)
DOWNLOAD_ENDPOINTS = frozenset({"resource.download", "dataset_resource.download", "uploads", "uploaded_file"})
FILE_BLUEPRINTS = frozenset({"file"})
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def is_file_response() -> bool:
    """Whether the current request serves a stored file (a download, not a page)."""
    endpoint = request.endpoint or ""
    return endpoint in DOWNLOAD_ENDPOINTS or (request.blueprint or "") in FILE_BLUEPRINTS


def secure_headers(response: Response) -> Response:
    """The headers of every response (see the module's documentation)."""
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    if is_file_response() and 200 <= response.status_code < 300:
        response.headers["Content-Security-Policy"] = SANDBOX
        if response.mimetype not in INLINE_TYPES:
            disposition = response.headers.get("Content-Disposition", "")
            if disposition.lower().startswith("inline"):
                disposition = "attachment" + disposition[len("inline") :]
            elif not disposition.lower().startswith("attachment"):
                disposition = "attachment"
            response.headers["Content-Disposition"] = disposition
    else:
        policy = config.content_security_policy()
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
    return response


def _token_authenticated() -> bool:
    """Whether the request carries an API token (then nothing ambient can be forged)."""
    header = tk.config.get("apitoken_header_name") or "Authorization"
    return bool(request.headers.get(header)) and bool(g.get("login_via_auth_header"))


def check_csrf() -> None:
    """The CSRF token of a state-changing browser request, whatever views CKAN has exempted."""
    app_config = current_app.config
    if not app_config.get("WTF_CSRF_ENABLED", True):
        return
    if g.get("csrf_valid"):
        return
    if request.method not in app_config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
        return
    if _token_authenticated():
        return
    is_api = (request.endpoint or "").split(".")[0] == "api"
    if is_api and not current_user.is_authenticated:
        return
    try:
        csrf.protect()
    except CSRFError:
        tk.abort(
            400,
            tk._(
                "The form has expired or did not come from this portal (CSRF token missing or invalid). "
                "Reload the page and try again."
            ),
        )


def register(app: Flask) -> Any:
    """Hook :func:`check_csrf`, the API input check (``views/api_input.py``) and
    :func:`secure_headers` into CKAN's Flask app, and the answers to a service outage
    (``views/outage.py``)."""
    app.before_request(check_csrf)
    app.before_request(api_input.check)
    app.after_request(secure_headers)
    outage.register(app)  # after secure_headers: Flask runs after_request hooks last first
    return app


# --- failed logins -------------------------------------------------------------------------------


def _keys(login: str) -> tuple[str, str | None]:
    """The Redis keys counting failures of an account and of the caller's address (hashed:
    no personal data in Redis)."""
    site = tk.config.get("ckan.site_id") or "default"
    account = hashlib.sha256(login.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    address = caller_address()
    by_address = hashlib.sha256(address.encode()).hexdigest()[:32] if address else None
    return f"{site}:satudata:login:user:{account}", (
        f"{site}:satudata:login:addr:{by_address}" if by_address else None
    )


def authenticate(identity: dict[str, Any]) -> model.User | model.AnonymousUser | None:
    """CKAN's own password check, refused while the account or the address has failed too
    often (see the module's documentation).

    Returns the user; ``None`` for a wrong password (CKAN's login view then says so, in its
    words); a refused attempt is ``model.AnonymousUser``, the interface's "failed, ask no one
    else", so that CKAN does not check the password itself."""
    login = identity.get("login")
    if not isinstance(login, str) or not isinstance(identity.get("password"), str):
        return None
    limit, per_address, window = config.login_throttle()
    if limit <= 0:
        return authenticator.default_authenticate(identity) or None
    user_key, address_key = _keys(login)
    try:
        redis = connect_to_redis()
        counts = redis.mget([user_key, address_key or user_key])
        over = int(counts[0] or 0) >= limit or (
            address_key is not None and int(counts[1] or 0) >= per_address
        )
        wait = max(redis.ttl(user_key), redis.ttl(address_key) if address_key else 0, 60) if over else 0
    except RedisError:  # Redis down: not throttled rather than nobody let in
        log.warning("Satu Data: login throttling is off, Redis is not available", exc_info=True)
        return authenticator.default_authenticate(identity) or None
    if over:
        message = tk._("Too many failed logins. Try again in {minutes} minutes.")
        tk.h.flash_error(message.format(minutes=math.ceil(wait / 60)))
        return model.AnonymousUser()
    user = authenticator.default_authenticate(identity)
    if isinstance(user, model.User):
        redis.delete(user_key)
        return user
    pipe = redis.pipeline()
    for key in (user_key, address_key):
        if key:
            pipe.incr(key)
            pipe.expire(key, window * 60)
    pipe.execute()
    return None
