"""Who is calling: the one rule for a caller's network address, used to count data requests
and failed logins per address."""

from __future__ import annotations

from flask import has_request_context, request

from ckanext.satudata_balikpapan import config


def client_ip(remote_addr: str | None, forwarded_for: str | None, trusted_hops: int = 0) -> str | None:
    """The client's network address. Behind ``trusted_hops`` reverse proxies (nginx), each
    appending to ``X-Forwarded-For``, it is that header's entry added by the outermost trusted
    proxy; without proxies, the socket's peer. Entries a client could forge are never used."""
    if trusted_hops > 0 and forwarded_for:
        parts = [p.strip() for p in forwarded_for.split(",") if p.strip()]
        if len(parts) >= trusted_hops:
            return parts[-trusted_hops]
    return remote_addr or None


def caller_address() -> str | None:
    """The network address of the current web request's caller (behind the configured
    ``ckanext.satudata.requests.trusted_proxy_hops``); None outside a web request."""
    if not has_request_context():
        return None
    hops = config.requests_trusted_proxy_hops()
    return client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"), hops)
