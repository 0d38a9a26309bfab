"""Quality actions (#5): a dataset's quality report and the OPD scorecards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_balikpapan import scorecards


def _today(data_dict: dict[str, Any]) -> dt.date:
    value = data_dict.get("date")
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise tk.ValidationError({"date": [tk._("Invalid date: {value}").format(value=value)]}) from None


def _id(data_dict: dict[str, Any], required: bool) -> str | None:
    value = data_dict.get("id")
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise tk.ValidationError({"id": [tk._("Give one id or name")]})
    return value.strip()


def _flag(data_dict: dict[str, Any], key: str) -> bool | None:
    value = data_dict.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "ya", "on"):
        return True
    if text in ("false", "0", "no", "tidak", "off"):
        return False
    raise tk.ValidationError({key: [tk._("Please enter true or false")]})


@tk.side_effect_free
def satudata_quality_report(context, data_dict):
    """The quality report of a dataset: its score (0-100), the breakdown into kelengkapan,
    ketepatan_waktu, keterbukaan and validitas (each with score, weight and detail), the
    open findings by severity (``counts``) and every finding, errors first, each with
    ``code``, ``severity``, ``title``, ``location`` (``resource`` {id, name}, ``sheet``,
    ``row``, ``column``) and ``message`` ({``id``, ``en``}).

    Whoever may read the dataset may read its report.

    :param id: the dataset's id or name
    :param date: the day timeliness is judged on (ISO date, default today)
    """
    package_id = _id(data_dict, required=True)
    tk.check_access("satudata_quality_report", context, {"id": package_id})
    pkg = tk.get_action("package_show")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}, {"id": package_id}
    )
    return scorecards.dataset_report(pkg, _today(data_dict))


@tk.side_effect_free
def satudata_opd_scorecard(context, data_dict):
    """The scorecard of one OPD, or of every OPD ranked best first.

    A scorecard holds ``published``: the number of published datasets, their mean score,
    the mean of each part, late datasets and open findings (errors, warnings). The public
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
    full = _flag(data_dict, "full")
    org_id = _id(data_dict, required=False)
    group = scorecards.organization(org_id) if org_id else None
    tk.check_access("satudata_opd_scorecard", context, data_dict)
    allowed = scorecards.may_see_full(context, group)
    full = allowed if full is None else full and allowed
    today = _today(data_dict)
    if group is not None:
        return scorecards.scorecard(context, group, full, today)
    return scorecards.scorecards(context, full, today)
