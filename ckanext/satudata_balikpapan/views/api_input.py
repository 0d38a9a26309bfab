"""The action API's input shape, checked before any action runs (issue #14).

A ``before_request`` hook on CKAN's Flask app (registered with the security hooks by the
plugin's ``IMiddleware``): a call to ``/api/<ver>/action/<name>`` whose data break the rules
of ``data/api_input.yaml`` (``lib/api_input.py``) gets CKAN's own answer to invalid input, a
409 ``Validation Error`` naming each field, in the user's language, and the action never runs.
So a number as an id, ``groups: null``, a negative ``offset`` or a request nested 100,000 levels
deep, which CKAN core would answer with a server error, is a clear refusal, for CKAN's actions
as for the portal's.

The data are read as CKAN's API view reads them: the form of a POST with form fields or
files, else the body as JSON, and the query string of a GET. A body that is not JSON at all is
left to CKAN (it answers 400 itself).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response, request

from ckanext.satudata_balikpapan.lib import api_input
from ckanext.satudata_balikpapan.logic import action

_UNREADABLE = object()


def _flat(pairs: Any) -> dict[str, Any]:
    return {k: (v[0] if len(v) == 1 else v) for k, v in pairs.lists()}


def _request_data() -> Any:
    """The call's data as CKAN's API view will read them; ``_UNREADABLE`` for a body nested
    beyond what the JSON parser can follow."""
    if request.method == "GET":
        return _flat(request.args)
    if request.form or request.files:
        return _flat(request.form)
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except RecursionError:
        return _UNREADABLE
    except ValueError:
        return None  # not JSON: CKAN answers it


def _message(problem: api_input.Problem) -> str:
    name = problem.field
    messages = {
        api_input.NESTED: tk._("{field}: nested too deeply (at most {n} levels)"),
        api_input.NOT_TEXT: tk._("{field}: must be text"),
        api_input.NOT_OBJECTS: tk._("{field}: must be a list of objects"),
        api_input.NOT_INTEGER: tk._("{field}: must be a whole number from {low} to {high}"),
        api_input.NUL: tk._("{field}: must not contain a NUL character"),
        api_input.SURROGATE: tk._("{field}: is not valid text (a lone surrogate character)"),
    }
    return messages[problem.code].format(field=name, n=problem.high, low=problem.low, high=problem.high)


def check() -> Response | None:
    """Refuse an action API call whose data break the rules, before the action runs."""
    if request.endpoint != "api.action":
        return None
    name = str((request.view_args or {}).get("logic_function") or "")
    data = _request_data()
    if data is _UNREADABLE:
        rules = api_input.rules()
        found = [api_input.Problem("request", api_input.NESTED, rules.max_depth, rules.max_depth)]
    else:
        # the portal's own actions: depth only, their schemas name each field in their words
        found = api_input.problems(
            data, strict_text=name not in action.__all__, types=not name.startswith("satudata_")
        )
    if not found:
        return None
    error: dict[str, Any] = {"__type": "Validation Error"}
    for problem in found:
        error[problem.field] = [_message(problem)]
    body = {
        "help": f"{request.url_root}api/3/action/help_show?name={name}",
        "success": False,
        "error": error,
    }
    return Response(json.dumps(body), status=409, content_type="application/json;charset=utf-8")
