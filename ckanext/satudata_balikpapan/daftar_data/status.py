"""The status of a Daftar Data item, derived from its datasets, never typed by hand.

An item is what the Forum Satu Data agreed an OPD owes in a year. Its *stage* is the
furthest any of its linked datasets reached in the verification workflow (``belum_ada`` with
none linked, ``draft``, ``diajukan``, ``terbit``); its *status* is that stage, except that an
item not published once its planned release date has passed (on the portal's clock, WITA) is
``terlambat`` whatever stage it reached. A published item is on time when its first
publication came on or before the planned date. The stages, their labels and the workflow
states behind them are data (``data/daftar_data.yaml``), checked when first read.

A typed status would drift from the truth the day a dataset moves; derived, the public page,
the scorecard and the EPSS evidence all tell the same story as the workflow's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ckanext.satudata_balikpapan.workflow import states as workflow_states

BELUM_ADA, DRAFT, DIAJUKAN, TERBIT = "belum_ada", "draft", "diajukan", "terbit"
STAGES = (BELUM_ADA, DRAFT, DIAJUKAN, TERBIT)
TERLAMBAT = "terlambat"
STATUSES = (*STAGES, TERLAMBAT)


class DaftarDataDefinitionError(ValueError):
    """``data/daftar_data.yaml`` does not describe the stages the code derives."""


@dataclass(frozen=True)
class Label:
    """A code with its label and help text in Indonesian and English."""

    code: str
    label: dict[str, str]
    help: dict[str, str]

    def text(self, lang: str = "id") -> str:
        return self.label.get(lang) or self.label["id"]


@dataclass(frozen=True)
class Reminders:
    """When an OPD is reminded of an item: days before its release date, then every so many
    days while late; and the weekday of the walidata's digest (0 = Monday)."""

    before_days: tuple[int, ...] = (14, 3)
    late_every_days: int = 7
    digest_weekday: int = 0


@dataclass(frozen=True)
class Rules:
    """The stages (in order), the workflow state of each, the late status, the priority
    criteria and the reminders."""

    stages: tuple[Label, ...]
    stage_of_state: dict[str, str]
    late: Label
    criteria: tuple[Label, ...]
    reminders: Reminders = Reminders()

    def label(self, code: str) -> Label | None:
        return next((s for s in (*self.stages, self.late, *self.criteria) if s.code == code), None)


def _label(raw: dict[str, Any]) -> Label:
    return Label(str(raw["code"]), dict(raw["label"]), dict(raw.get("help") or raw["label"]))


def parse(raw: dict[str, Any]) -> Rules:
    """The rules of a definition; raises :class:`DaftarDataDefinitionError` naming what is
    wrong (unknown stages, a workflow state in two stages or in none)."""
    stages = tuple(_label(s) for s in raw.get("stages") or ())
    if tuple(s.code for s in stages) != STAGES:
        raise DaftarDataDefinitionError(f"stages must be {list(STAGES)}")
    stage_of_state: dict[str, str] = {}
    for spec in raw["stages"]:
        for state in spec.get("workflow") or ():
            if state not in workflow_states.STATES or state in stage_of_state:
                message = f"{spec['code']}: workflow state {state!r} unknown or repeated"
                raise DaftarDataDefinitionError(message)
            stage_of_state[state] = spec["code"]
    if set(stage_of_state) != set(workflow_states.STATES):
        missing = sorted(set(workflow_states.STATES) - set(stage_of_state))
        raise DaftarDataDefinitionError(f"workflow states in no stage: {missing}")
    late = _label(raw["late"])
    if late.code != TERLAMBAT:
        raise DaftarDataDefinitionError(f"late must be {TERLAMBAT!r}")
    criteria = tuple(_label(c) for c in raw.get("priority_criteria") or ())
    spec = raw.get("reminders") or {}
    try:
        reminders = Reminders(
            before_days=tuple(sorted({int(d) for d in spec.get("before_days", (14, 3))}, reverse=True)),
            late_every_days=int(spec.get("late_every_days", 7)),
            digest_weekday=int(spec.get("digest_weekday", 0)),
        )
    except (TypeError, ValueError) as error:
        raise DaftarDataDefinitionError(f"reminders: {error}") from error
    if any(d < 1 for d in reminders.before_days) or reminders.late_every_days < 1:
        raise DaftarDataDefinitionError("reminders: days must be 1 or more")
    if not 0 <= reminders.digest_weekday <= 6:
        raise DaftarDataDefinitionError("reminders: digest_weekday must be 0 (Monday) to 6 (Sunday)")
    return Rules(stages, stage_of_state, late, criteria, reminders)


@cache
def rules() -> Rules:
    """The rules shipped with the package, read once."""
    text = resources.files("ckanext.satudata_balikpapan").joinpath("data/daftar_data.yaml").read_text()
    return parse(yaml.safe_load(text))


@dataclass(frozen=True)
class Linked:
    """What the status needs of one linked dataset: its workflow status, whether it is public
    now, and the day (WITA) it was first published, if ever."""

    workflow: str
    published: bool = False
    first_published: dt.date | None = None


@dataclass(frozen=True)
class Progress:
    """An item's derived progress: ``status`` (a stage or ``terlambat``), ``stage`` (the
    furthest stage reached), the day it was first published, and whether that was on time
    (None: not published, or no planned date)."""

    status: str
    stage: str
    published_on: dt.date | None
    on_time: bool | None

    @property
    def late(self) -> bool:
        """Late now (not published past the date), or published after the date."""
        return self.status == TERLAMBAT or self.on_time is False


def derive(planned: dt.date | None, linked: Iterable[Linked], today: dt.date) -> Progress:
    """The progress of an item planned for ``planned`` (its jadwal rilis; None: no date)
    with the ``linked`` datasets, on ``today`` (the portal's date, WITA).

    A dataset published once and public now counts as published: a withdrawn one does not,
    and the item's first publication is the earliest of those still public. A published
    dataset that is being revised (an edit under review) is public, so the item stays
    ``terbit``."""
    order = {code: i for i, code in enumerate(STAGES)}
    stage_of = rules().stage_of_state
    stage = BELUM_ADA
    published_on: dt.date | None = None
    for item in linked:
        reached = TERBIT if item.published else stage_of.get(item.workflow, DRAFT)
        if reached == TERBIT and not item.published:
            reached = DRAFT  # "terbit" in the history but no longer public
        if order[reached] > order[stage]:
            stage = reached
        if item.published and item.first_published is not None:
            published_on = min(published_on or item.first_published, item.first_published)
    if stage == TERBIT:
        on_time = None if planned is None or published_on is None else published_on <= planned
        return Progress(TERBIT, stage, published_on, on_time)
    late = planned is not None and today > planned
    return Progress(TERLAMBAT if late else stage, stage, None, None)
