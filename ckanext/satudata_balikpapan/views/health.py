"""``GET /health``: the load balancer's check of this web node (:mod:`..ops.health`).

200 ``{"status": "ok", ...}`` when PostgreSQL, Solr, Redis and a jobs worker answer; 503 with
the failing parts otherwise (and ``Retry-After``), never cached. It reads no user and renders no
template, so it answers even when the database is what is down.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from ckanext.satudata_balikpapan.ops import health as node_health

health = Blueprint("satudata_health", __name__)


@health.route("/health")
def show() -> Response:
    # CKAN's own cache headers: private (it would otherwise add "public" to every answer)
    request.environ["__no_cache__"] = True
    report = node_health.check()
    status = 200 if report["status"] == node_health.OK else 503
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = "30"
    return Response(json.dumps(report), status, headers, mimetype="application/json")
