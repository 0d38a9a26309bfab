"""Quality reports, OPD scorecards and the quality dashboard (issue #5): the CKAN side of
:mod:`.quality.scores`.

The datasets counted are exactly those the caller may read, found with ``package_search`` as
the caller: the public variant searches without private datasets, so it is built from
published datasets only and cannot reveal anything else. The full variant (``full=True``:
the walidata and sysadmins for every OPD, an OPD's own members for that OPD) searches with
them. Findings come from the validation pipeline (:mod:`.quality.service`), workflow states
and publication dates from the workflow record.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata_balikpapan.lib.cache import TTLCache
from ckanext.satudata_balikpapan.model import dataset_state, quality_ack, workflow_event
from ckanext.satudata_balikpapan.model import resource_validation as validations
from ckanext.satudata_balikpapan.quality import service
from ckanext.satudata_balikpapan.quality.engine import scores
from ckanext.satudata_balikpapan.quality.engine.findings import ERROR
from ckanext.satudata_balikpapan.registry import opd, roles
from ckanext.satudata_balikpapan.workflow import states

log = logging.getLogger(__name__)

PAGE = 500
# Statuses of a resource's validation (model_quality) that hold no result: waiting for the
# background job (menunggu), or the check could not run (gagal).
UNCHECKED = {None, "", "menunggu", "gagal"}


# --- who sees what --------------------------------------------------------------------------


def may_see_full(context: dict[str, Any], org: model.Group | None = None) -> bool:
    """Whether the caller may see the full scorecard (every dataset, counts by state): the
    walidata and sysadmins for every OPD; for one OPD, also its own members."""
    user = roles.actor(context)
    if user is None:
        return False
    if user.sysadmin or roles.is_walidata(user):
        return True
    return org is not None and authz.has_user_permission_for_group_or_org(org.id, user.name, "read")


def organization(id_or_name: str) -> model.Group:
    """The active organisation (OPD) ``id_or_name``; ObjectNotFound otherwise."""
    group = opd.organization(id_or_name)
    if group is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return group


# --- one dataset ----------------------------------------------------------------------------


def validated(summary: dict[str, Any] | None) -> bool:
    """Whether any file of the dataset has a validation result."""
    statuses = (summary or {}).get("resources") or {}
    return any((s.get("status") if isinstance(s, dict) else s) not in UNCHECKED for s in statuses.values())


def file_periods(package_ids: list[str]) -> dict[str, list[str]]:
    """The periods found in the content of each dataset's checked files (the validation
    profiles), as the ``stale`` check reads them: ``{package_id: [period, ...]}``."""

    v, r = validations.resource_validation, model.resource_table
    periods = sa.func.json_object_keys(
        sa.func.coalesce(v.c.profile.op("->")("periods"), sa.text("'{}'::json"))
    )
    out: dict[str, list[str]] = {}
    for start in range(0, len(package_ids), 1000):
        query = (
            sa.select(v.c.package_id, periods.label("period"))
            .select_from(v.join(r, r.c.id == v.c.resource_id))
            .where(
                v.c.package_id.in_(package_ids[start : start + 1000]),
                v.c.status.in_((validations.VALID, validations.TIDAK_VALID)),
                r.c.state == "active",
                sa.func.json_typeof(v.c.profile.op("->")("periods")) == "object",
            )
        )
        for row in model.Session.execute(query):
            out.setdefault(row.package_id, []).append(row.period)
    return out


def _score(
    pkg: dict[str, Any], today: dt.date, periods: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The score of a dataset (:func:`.quality.scores.dataset_score`) and its findings. The
    counts of open findings are the pipeline's, of every occurrence (the findings list keeps
    at most 100 per code); on another day than today, those of the findings listed. The
    dataset's validation rows are read once, for both."""
    snap = service.snapshot(pkg["id"])
    findings = list(service.dataset_findings(pkg["id"], today=today, snap=snap) or [])
    summary = service.validation_summary(pkg["id"], snap=snap)  # its stale check is for today
    result = scores.dataset_score(
        pkg, findings, today=today, validated=validated(summary), file_periods=periods
    )
    if today == dt.date.today():
        result["findings"] = {"errors": int(summary["errors"]), "warnings": int(summary["warnings"])}
    return result, findings


def finding_out(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding as the quality report shows it: code, severity, title, location, message."""
    return {
        "code": finding.get("code"),
        "severity": finding.get("severity"),
        "title": finding.get("title"),
        "location": {
            "resource": (
                {"id": finding.get("resource_id"), "name": finding.get("resource_name")}
                if finding.get("resource_id")
                else None
            ),
            "sheet": finding.get("sheet"),
            "row": finding.get("row"),
            "column": finding.get("column"),
        },
        "message": finding.get("message"),
        "value": finding.get("value"),
        "details": finding.get("details") or {},
        "acknowledged": not scores.is_open(finding),
    }


def _finding_order(f: dict[str, Any]) -> tuple[Any, ...]:
    loc = f["location"]
    return (
        f["acknowledged"],
        f["severity"] != ERROR,
        (loc["resource"] or {}).get("name") or "",
        loc["sheet"] or "",
        loc["row"] if loc["row"] is not None else -1,
        loc["column"] or "",
    )


def dataset_report(pkg: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """The quality report of a dataset dict the caller may read: the score, its breakdown and
    the findings (open errors first)."""
    today = today or dt.date.today()
    result, findings = _score(pkg, today, file_periods([pkg["id"]]).get(pkg["id"], []))
    out = [finding_out(f) for f in findings]
    out.sort(key=_finding_order)
    return {
        "id": pkg["id"],
        "name": pkg.get("name"),
        "title": pkg.get("title"),
        "date": today.isoformat(),
        "score": result["score"],
        "breakdown": result["breakdown"],
        "counts": result["findings"],
        "findings": out,
    }


# --- many datasets --------------------------------------------------------------------------


def _search(context: dict[str, Any], full: bool, owner_id: str | None) -> list[dict[str, Any]]:
    """Every dataset the caller may read (published only unless ``full``), of one OPD or all."""
    out: list[dict[str, Any]] = []
    fq = f'+owner_org:"{owner_id}"' if owner_id else ""
    while True:
        result = tk.get_action("package_search")(
            {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
            {"q": "*:*", "fq": fq, "rows": PAGE, "start": len(out), "sort": "name asc",
             "include_private": full, "include_drafts": False},
        )  # fmt: skip
        out += result["results"]
        if len(result["results"]) < PAGE or len(out) >= result["count"]:
            return out


def _states(pkgs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids = [p["id"] for p in pkgs]
    rows: dict[str, dict[str, Any]] = {}
    table = dataset_state.dataset_state
    for start in range(0, len(ids), 1000):
        query = sa.select(table).where(table.c.package_id.in_(ids[start : start + 1000]))
        rows.update({r["package_id"]: dict(r) for r in model.Session.execute(query).mappings()})
    out = {}
    for p in pkgs:
        row = rows.get(p["id"])
        if row is None:  # predates the workflow
            row = states.default_state(not p.get("private"))
        out[p["id"]] = row
    return out


def dataset_rows(pkgs: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Each dataset scored, as :func:`.quality.scores.opd_scorecard` counts it."""
    by_id = _states(pkgs)
    periods = file_periods([p["id"] for p in pkgs])
    rows = []
    for pkg in pkgs:
        result, _findings = _score(pkg, today, periods.get(pkg["id"], []))
        state = by_id[pkg["id"]]
        row = scores.dataset_row(pkg, state["status"], state["published"], result)
        row["owner_org"] = pkg.get("owner_org")
        rows.append(row)
    return rows


def _org_dict(group: model.Group) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def scorecard(context: dict[str, Any], group: model.Group, full: bool, today: dt.date | None = None):
    """The scorecard of one OPD (see :func:`.quality.scores.opd_scorecard`)."""
    today = today or dt.date.today()
    rows = dataset_rows(_search(context, full, group.id), today)
    return dict(scores.opd_scorecard(_org_dict(group), rows, full=full), id=group.id, date=today.isoformat())


def stamp() -> tuple[Any, ...]:
    """What changes when any score may change: the datasets (count, newest modification),
    the workflow record, the validations and the acknowledgements, and the OPDs."""

    p, e, g = model.package_table, workflow_event.workflow_event, model.group_table
    v, a = validations.resource_validation, quality_ack.quality_ack
    parts = [
        sa.select(sa.func.count(), sa.func.max(p.c.metadata_modified)).select_from(p),
        sa.select(sa.func.count(), sa.func.max(e.c.created)).select_from(e),
        sa.select(
            sa.func.count(), sa.func.max(sa.func.greatest(v.c.validated_at, v.c.queued_at))
        ).select_from(v),
        sa.select(sa.func.count(), sa.func.max(a.c.created)).select_from(a),
        sa.select(sa.func.count(), sa.func.max(g.c.created)).select_from(g),
    ]
    return tuple(tuple(model.Session.execute(q).one()) for q in parts)


# The ranking of every OPD is the same for everyone who sees a variant (the public; the
# walidata and sysadmins, who see every dataset): it is kept for CACHE_SECONDS, and computed
# afresh as soon as the stamp changes.
CACHE_SECONDS = 300
cache = TTLCache(16, CACHE_SECONDS)


def scorecards(context: dict[str, Any], full: bool, today: dt.date | None = None) -> dict[str, Any]:
    """Every OPD's scorecard, ranked (:func:`.quality.scores.rank`), without the dataset
    lists, plus the city's totals (``summary``) and ``variant`` (``lengkap`` or ``publik``)."""
    today = today or dt.date.today()
    key = (full, today, stamp())
    hit, value = cache.get(key)
    if hit:
        return copy.deepcopy(value)
    value = _scorecards(context, full, today)
    cache.put(key, value)
    return copy.deepcopy(value)


def _scorecards(context: dict[str, Any], full: bool, today: dt.date) -> dict[str, Any]:
    rows = dataset_rows(_search(context, full, None), today)
    by_org: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_org.setdefault(row["owner_org"] or "", []).append(row)
    cards = []
    for group in opd.organizations():
        card = scores.opd_scorecard(_org_dict(group), by_org.get(group.id, []), full=full)
        card.pop("datasets")
        card["id"] = group.id
        cards.append(card)
    summary = scores.opd_scorecard({"name": None, "title": None}, rows, full=full)
    summary.pop("datasets")
    return {
        "variant": "lengkap" if full else "publik",
        "date": today.isoformat(),
        "count": len(cards),
        "summary": {k: v for k, v in summary.items() if k not in ("name", "title")},
        "results": scores.rank(cards),
    }


# --- publications per month -----------------------------------------------------------------


def month_labels(today: dt.date, months: int = 12) -> list[str]:
    """The last ``months`` months up to ``today``'s, oldest first, as ``YYYY-MM``."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def published_per_month(
    *, full: bool, today: dt.date | None = None, months: int = 12, owner_id: str | None = None
) -> list[tuple[str, int]]:
    """How many datasets were published in each of the last ``months`` months, from the
    publication events of the workflow record (a dataset published twice in a month counts
    once). The public count (``full=False``) counts only datasets that are published now."""
    today = today or dt.date.today()
    labels = month_labels(today, months)
    since = dt.datetime.strptime(labels[0] + "-01", "%Y-%m-%d")
    event = workflow_event.workflow_event
    month = sa.func.to_char(event.c.created, "YYYY-MM")
    query = (
        sa.select(month.label("month"), sa.func.count(sa.distinct(event.c.package_id)).label("n"))
        .where(event.c.action == "publish", event.c.created >= since)
        .group_by(month)
    )
    if owner_id:
        query = query.where(event.c.owner_org == owner_id)
    if not full:
        state, pkg = dataset_state.dataset_state, model.package_table
        query = (
            query.join(state, state.c.package_id == event.c.package_id)
            .join(pkg, pkg.c.id == event.c.package_id)
            .where(state.c.published.is_(True), pkg.c.state == "active", pkg.c.private.is_(False))
        )
    counts = {r.month: r.n for r in model.Session.execute(query)}
    return [(label, int(counts.get(label, 0))) for label in labels]
