"""Quality actions (#5): a dataset's quality report and the OPD scorecards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.portal import scorecards


def _today(data_dict: DataDict) -> dt.date:
    """The day timeliness is judged on: ``date`` (validated ISO text), else today."""
    value = data_dict.get("date")
    return dt.date.fromisoformat(value) if value else dt.date.today()


@tk.side_effect_free
@validate(schema.quality_report_schema)
def satudata_quality_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The quality report of a dataset: its score (0-100), the breakdown into kelengkapan,
    ketepatan_waktu, keterbukaan and validitas (each with score, weight and detail), the
    open findings by severity (``counts``) and every finding, errors first, each with
    ``code``, ``severity``, ``title``, ``location`` (``resource`` {id, name}, ``sheet``,
    ``row``, ``column``) and ``message`` ({``id``, ``en``}).

    Whoever may read the dataset may read its report.

    :param id: the dataset's id or name
    :param date: the day timeliness is judged on (ISO date, default today)
    """
    package_id = data_dict["id"]
    tk.check_access("satudata_quality_report", context, {"id": package_id})
    pkg = tk.get_action("package_show")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}, {"id": package_id}
    )
    return scorecards.dataset_report(pkg, _today(data_dict))


@tk.side_effect_free
@validate(schema.opd_scorecard_schema)
def satudata_opd_scorecard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The scorecard of one OPD, or of every OPD ranked best first.

    A scorecard holds ``published``: the number of published datasets, their mean score,
    the mean of each part, late datasets and open findings (errors, warnings); and
    ``daftar_data``: what the OPD owes this year by the Daftar Data and what it delivered
    (``promised``, ``published``, ``on_time``, ``late``, ``fulfilment`` and
    ``on_time_share`` in per cent; None when nothing is promised). The public
    variant (everyone) counts published datasets only and names no other. The full variant
    adds ``all`` (the same over every dataset) and ``by_state`` (datasets per workflow
    state): the walidata and sysadmins get it for every OPD, an OPD's members for their own.

    :param id: the OPD (organisation id or name); without it, every OPD: ``{"variant",
        "count", "summary" (the city's totals), "results" (ranked scorecards, each with
        ``rank``)}``. One OPD's scorecard also lists its datasets (``datasets``), lowest
        score first.
    :param full: ``false`` for the public variant; ``true`` to require the full one (403
        for those who may not see it); default: the fullest the caller may see
    :param date: the day timeliness is judged on (ISO date, default today)
    """
    full = data_dict.get("full")
    org_id = data_dict.get("id")
    group = scorecards.organization(org_id) if org_id else None
    tk.check_access("satudata_opd_scorecard", context, data_dict)
    allowed = scorecards.may_see_full(context, group)
    full = allowed if full is None else full and allowed
    today = _today(data_dict)
    plan = daftar.year_counts(today.year, today)
    if group is not None:
        card = scorecards.scorecard(context, group, full, today)
        card["daftar_data"] = _plan_of(plan, group.id)
        return card
    cards = scorecards.scorecards(context, full, today)
    for card in cards["results"]:
        card["daftar_data"] = _plan_of(plan, card["id"])
    cards["daftar_data"] = {"year": plan["year"], **plan["total"]}
    return cards


def _plan_of(plan: dict[str, Any], org_id: str) -> dict[str, Any] | None:
    """An OPD's Daftar Data counts of the year (None: nothing promised), as the scorecard
    shows them: promised, published, on time, late, fulfilment and on-time share (per cent)."""
    counts = plan["by_organization"].get(org_id)
    return {"year": plan["year"], **counts} if counts else None
