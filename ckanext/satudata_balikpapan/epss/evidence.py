"""The EPSS evidence of an OPD for a year: what the portal can show BPS of its statistical work.

BPS evaluates every region's statistical work yearly (EPSS, Peraturan BPS Nomor 3 Tahun 2022)
on evidence; the Proses Bisnis domain has four aspects: perencanaan, pengumpulan, pemeriksaan
and penyebarluasan. The portal records the evidence of each as it happens; this module
collects it per OPD and year, from:

* the Daftar Data (the plan, its fulfilment and timeliness);
* the verification record (submissions, returns with their notes, publications);
* the quality scorecard (metadata completeness, open findings);
* the data requests assigned to the OPD.

The figures, the aspect each is evidence of and how each is computed are data
(``data/epss.yaml``, with the source and its certainty): which figure counts for which aspect is
the portal's reading (inferred), not an official BPS mapping, and the export says so.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml
from ckan import model

from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.model import data_request, workflow_event
from ckanext.satudata_balikpapan.portal import scorecards
from ckanext.satudata_balikpapan.registry import roles

# The verification steps the record of the export lists.
HISTORY_ACTIONS = ("submit", "return", "publish", "withdraw", "verify")
REQUEST_STATES = ("baru", "diproses", "dipenuhi", "ditolak")


@cache
def definition() -> dict[str, Any]:
    """``data/epss.yaml``, read once; every figure names a known aspect and a computed key."""
    text = (
        resources.files("ckanext.satudata_balikpapan").joinpath("data/epss.yaml").read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    aspects = {a["code"] for a in raw["aspects"]}
    for spec in raw["figures"]:
        if spec["aspect"] not in aspects or spec["key"] not in COMPUTED:
            raise ValueError(f"data/epss.yaml: figure {spec['key']!r} has an unknown aspect or key")
    return raw


@dataclass
class Figure:
    """One figure of the evidence: its aspect, label, value and how it was computed."""

    key: str
    aspect: str
    label: dict[str, str]
    value: Any
    how: dict[str, str]


@dataclass
class Evidence:
    """The evidence of one OPD for one year, on the day it was collected."""

    organization: dict[str, Any]
    year: int
    generated: str
    figures: list[Figure] = field(default_factory=list)
    items: list[daftar.Entry] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)


@dataclass
class _Facts:
    """What the figures are computed from."""

    counts: dict[str, Any]
    items: list[daftar.Entry]
    actions: Counter
    card: dict[str, Any]
    requests: Counter


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _standard(f: _Facts) -> float | None:
    full = sum(1 for e in f.items if e.item.get("konsep") and e.item.get("definisi") and e.item.get("satuan"))
    return _share(full, f.counts["promised"])


def _linked(f: _Facts) -> float | None:
    return _share(sum(1 for e in f.items if e.progress.stage != status.BELUM_ADA), f.counts["promised"])


# How each figure of data/epss.yaml is computed.
COMPUTED: dict[str, Callable[[_Facts], Any]] = {
    "promised": lambda f: f.counts["promised"],
    "prioritas": lambda f: f.counts["prioritas"],
    "standard_share": _standard,
    "linked_share": _linked,
    "completeness": lambda f: (f.card.get("parts") or {}).get("kelengkapan"),
    "submitted": lambda f: f.actions["submit"],
    "returned": lambda f: f.actions["return"],
    "open_errors": lambda f: f.card.get("errors"),
    "open_warnings": lambda f: f.card.get("warnings"),
    "published": lambda f: f.counts["published"],
    "fulfilment": lambda f: f.counts["fulfilment"],
    "on_time_share": lambda f: f.counts["on_time_share"],
    "late": lambda f: f.counts["late"],
    "publications": lambda f: f.actions["publish"],
    "requests_answered": lambda f: f.requests["dipenuhi"] + f.requests["ditolak"],
}


def collect(group: model.Group, year: int, today: dt.date) -> Evidence:
    """The evidence of OPD ``group`` for ``year``, judged on ``today`` (the scorecard's
    figures are of that day; the record's and the requests' of the year)."""
    items = [
        e for e in daftar.entries(daftar.items_of_year(year), today) if e.item["organization_id"] == group.id
    ]
    since, until = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    history = [
        e
        for e in workflow_event.events(owner_org=group.id, since=since, until=until)
        if e["action"] in HISTORY_ACTIONS
    ]
    card = scorecards.scorecard(roles.site_context(), group, full=True, today=today)
    _count, assigned = data_request.list_requests(organization_id=group.id, limit=100_000)
    requests = Counter(r["state"] for r in assigned if r["year"] == year)
    facts = _Facts(
        counts=daftar.summary(items)["total"],
        items=items,
        actions=Counter(e["action"] for e in history),
        card=card.get("all") or card["published"],
        requests=requests,
    )
    figures = [
        Figure(spec["key"], spec["aspect"], spec["label"], COMPUTED[spec["key"]](facts), spec["how"])
        for spec in definition()["figures"]
    ]
    return Evidence(
        organization={"id": group.id, "name": group.name, "title": group.display_name},
        year=year,
        generated=today.isoformat(),
        figures=figures,
        items=items,
        history=history,
        requests={"assigned": sum(requests.values()), **{s: requests[s] for s in REQUEST_STATES}},
    )
