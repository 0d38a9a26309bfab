"""The states of the verification workflow and the steps between them, read from
``data/workflow.yaml`` (the rules are data: a change of who may do what is a change of that
file, reviewed like code).

The names below are the states the code refers to; loading checks that the file declares
exactly these, and that every step names known states and roles, so a broken file stops the
portal at start-up instead of misrouting a dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ckanext.satudata_balikpapan.registry.roles import PEMBINA, PRODUSEN, SYSADMIN, WALIDATA

DRAFT, DIAJUKAN, DIKEMBALIKAN, TERBIT, DITARIK = (
    "draft",
    "diajukan",
    "dikembalikan",
    "terbit",
    "ditarik",
)
STATES = (DRAFT, DIAJUKAN, DIKEMBALIKAN, TERBIT, DITARIK)
ROLES = frozenset({PRODUSEN, WALIDATA, PEMBINA})


class WorkflowDefinitionError(ValueError):
    """``data/workflow.yaml`` does not describe a workflow the code can run."""


@dataclass(frozen=True)
class Transition:
    """A workflow step: who may take it, from which states, and where it leads."""

    name: str
    roles: frozenset[str]
    sources: frozenset[str]
    target: str | None  # None: the state does not change (a review note)
    note_required: bool = False
    only_published: bool = False
    # only a dataset migrated from the former portal as published there and not yet verified
    # here (``workflow.service.migration_view``): the walidata confirms it as it came
    only_unverified_migration: bool = False


def parse(raw: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Transition]]:
    """``(under_review, transitions)`` of a workflow definition; raises
    :class:`WorkflowDefinitionError` naming what is wrong."""
    if tuple(raw.get("states") or ()) != STATES:
        raise WorkflowDefinitionError(f"states must be {list(STATES)}")
    under_review = tuple(raw.get("under_review") or ())
    if not set(under_review) <= set(STATES):
        raise WorkflowDefinitionError(f"under_review names unknown states: {under_review}")
    transitions: dict[str, Transition] = {}
    for name, spec in (raw.get("transitions") or {}).items():
        roles = frozenset(spec.get("roles") or ())
        sources = frozenset(STATES) if spec.get("from") == "all" else frozenset(spec.get("from") or ())
        target = spec.get("to")
        if not roles or not roles <= ROLES:
            raise WorkflowDefinitionError(f"{name}: roles must be among {sorted(ROLES)}")
        if not sources or not sources <= set(STATES) or (target is not None and target not in STATES):
            raise WorkflowDefinitionError(f"{name}: from/to must name states of {list(STATES)}")
        transitions[name] = Transition(
            name=name,
            roles=roles,
            sources=sources,
            target=target,
            note_required=bool(spec.get("note_required")),
            only_published=bool(spec.get("only_published")),
            only_unverified_migration=bool(spec.get("only_unverified_migration")),
        )
    return under_review, transitions


@cache
def _definition() -> tuple[tuple[str, ...], dict[str, Transition]]:
    path = resources.files("ckanext.satudata_balikpapan").joinpath("data/workflow.yaml")
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


UNDER_REVIEW, TRANSITIONS = _definition()


def acting_role(roles: set[str], transition: Transition) -> str | None:
    """The role under which a user holding ``roles`` may take ``transition`` (a sysadmin may
    take every step, recorded as such when holding no other fitting role), or None."""
    for role in (WALIDATA, PEMBINA, PRODUSEN):
        if role in transition.roles and role in roles:
            return role
    return SYSADMIN if SYSADMIN in roles else None


def default_state(public: bool) -> dict[str, Any]:
    """The state of a dataset that predates the workflow (it has no state row): published
    when CKAN shows it publicly, a draft otherwise."""
    return {
        "status": TERBIT if public else DRAFT,
        "published": public,
        "first_published": None,
        "last_published": None,
        "last_note": None,
    }
