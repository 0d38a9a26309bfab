"""The shape of an action API call, checked before CKAN runs the action (issue #14).

CKAN's core actions trust the types of their input: ``{"id": 1}`` reaches PostgreSQL as
``text = integer``, ``{"groups": null}`` a ``for`` loop in ``package_create``'s auth, a
negative ``offset`` PostgreSQL's ``OFFSET``, a NUL character psycopg2: each a server error.
The rules live in ``data/api_input.yaml`` (which keys are lookup keys, texts, lists of objects
and bounded whole numbers, and how deep a request may nest). :func:`problems` walks a request
without recursion (a request nested 100,000 levels deep is just refused) and returns what is
wrong, as codes the web layer translates; it never raises on any input.

NUL characters and lone surrogates anywhere in a text are refused only for actions the
portal does not own (``strict_text``): the portal's own actions and its dataset schema clean
such texts (``lib/text.clean_text``: a NUL pasted from a PDF is dropped, not an error).
The portal's ``satudata_*`` actions are held to the depth rule only (``types=False``): their
own schemas check every field's type and name it in their own words ("Nama: isikan teks").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

# what a problem is: the field, a code, and the numbers its message names
NESTED, NOT_TEXT, NOT_OBJECTS, NOT_INTEGER, NUL, SURROGATE = (
    "nested",
    "not_text",
    "not_objects",
    "not_integer",
    "nul",
    "surrogate",
)


@dataclass(frozen=True)
class Rules:
    """The rules of ``data/api_input.yaml``."""

    max_depth: int
    keys: frozenset[str]
    texts: frozenset[str]
    objects: frozenset[str]
    integers: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: ``field`` is the top-level key it sits under."""

    field: str
    code: str
    low: int = 0
    high: int = 0


@cache
def rules() -> Rules:
    """The rules shipped with the extension."""
    path = resources.files("ckanext.satudata_balikpapan").joinpath("data/api_input.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Rules(
        max_depth=int(raw["max_depth"]),
        keys=frozenset(raw["keys"]),
        texts=frozenset(raw["texts"]),
        objects=frozenset(raw["objects"]),
        integers={k: (int(v[0]), int(v[1])) for k, v in raw["integers"].items()},
    )


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE
    return None


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) <= 20:
        return int(value)
    return None


def _check_value(name: str, value: Any, top: str, rules_: Rules, strict_text: bool) -> Problem | None:
    """The problem of one ``name: value`` pair, if any (the type rules of its key)."""
    if name in rules_.keys or name in rules_.texts:
        if value is not None and not isinstance(value, str):
            return Problem(top, NOT_TEXT)
        if isinstance(value, str) and (name in rules_.keys or strict_text):
            code = _bad_text(value)
            if code:
                return Problem(top, code)
    elif name in rules_.objects:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            return Problem(top, NOT_OBJECTS)
    elif name in rules_.integers and value is not None:
        low, high = rules_.integers[name]
        number = _whole_number(value)
        if number is None or not low <= number <= high:
            return Problem(top, NOT_INTEGER, low, high)
    return None


def _check_node(name: str | None, value: Any, top: str, rules_: Rules, strict_text: bool) -> Problem | None:
    """The problem of one value met in the walk: its key's text, its key's type rule, and
    (``strict_text``) its own text."""
    if strict_text and name is not None:
        code = _bad_text(name)
        if code:
            return Problem(top, code)
    problem = _check_value(name, value, top, rules_, strict_text) if name is not None else None
    if problem is None and strict_text and isinstance(value, str):
        code = _bad_text(value)
        problem = Problem(top, code) if code else None
    return problem


def problems(
    data: Any, strict_text: bool = False, rules_: Rules | None = None, types: bool = True
) -> list[Problem]:
    """What is wrong with the request ``data`` (a parsed JSON body or the query's dict): at most
    one problem per top-level field, in the order met. ``strict_text`` also refuses NUL
    characters and lone surrogates in every text and key (for actions CKAN core owns);
    ``types=False`` checks the nesting depth only (for actions whose schemas check types)."""
    rules_ = rules_ or rules()
    if not isinstance(data, dict):
        return []
    found: dict[str, Problem] = {}
    # (top-level field, key of this value in its object or None in a list, value, depth)
    stack: list[tuple[str, str | None, Any, int]] = [(str(k), str(k), v, 1) for k, v in data.items()]
    while stack:
        top, name, value, depth = stack.pop()
        if top in found:
            continue
        if depth > rules_.max_depth:
            found[top] = Problem(top, NESTED, rules_.max_depth, rules_.max_depth)
            continue
        problem = _check_node(name, value, top, rules_, strict_text) if types else None
        if problem is not None:
            found[top] = problem
            continue
        if isinstance(value, dict):
            stack.extend((top, str(k), v, depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((top, None, v, depth + 1) for v in value)
    return list(found.values())
