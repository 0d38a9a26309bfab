"""Template helpers (registered by ``tk.blanket.helpers``)."""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.satudata_balikpapan.daftar_data import reminders
from ckanext.satudata_balikpapan.daftar_data import service as daftar_data
from ckanext.satudata_balikpapan.data_api import read as data_api
from ckanext.satudata_balikpapan.data_requests import service as requests
from ckanext.satudata_balikpapan.legacy import service as legacy
from ckanext.satudata_balikpapan.lib import clock, language
from ckanext.satudata_balikpapan.portal import branding, charts, scorecards
from ckanext.satudata_balikpapan.portal import pages as portal
from ckanext.satudata_balikpapan.quality.engine import scores
from ckanext.satudata_balikpapan.registry import vocabularies
from ckanext.satudata_balikpapan.views import validation
from ckanext.satudata_balikpapan.workflow import states

__all__ = [
    "satudata_action_label",
    "satudata_brand",
    "satudata_daftar_data_due",
    "satudata_daftar_data_item",
    "satudata_daftar_data_options",
    "satudata_daftar_data_prefill",
    "satudata_data_api",
    "satudata_dataset_preview",
    "satudata_date",
    "satudata_field_labels",
    "satudata_home",
    "satudata_migration",
    "satudata_number",
    "satudata_opd_profile",
    "satudata_opd_scorecard",
    "satudata_preview_message",
    "satudata_publish_quality",
    "satudata_quality",
    "satudata_quality_explain",
    "satudata_quality_parts",
    "satudata_quality_weights",
    "satudata_request_new_count",
    "satudata_request_state_label",
    "satudata_resource_preview",
    "satudata_resource_validation",
    "satudata_series_chart",
    "satudata_state_label",
    "satudata_vocabulary_choices",
    "satudata_wilayah_choices",
    "satudata_workflow",
]


def satudata_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the choices of the vocabulary named by the field's
    ``vocabulary`` key, with bilingual labels; ``allow_other`` adds "Lainnya" (other, specify)."""
    choices = vocabularies.vocabulary(field["vocabulary"]).choices()
    if field.get("allow_other"):
        choices.append(
            {
                "value": vocabularies.OTHER,
                "label": {"id": "Lainnya (sebutkan)", "en": "Other (specify)"},
            }
        )
    return choices


def satudata_date(value: Any) -> str:
    """A day in the reader's language: "30 Juni 2026", "30 June 2026"."""
    return clock.format_date(value, language.ui_lang())


def satudata_number(value: Any, decimals: int | None = None) -> str:
    """A number as the reader's language writes it: "12,5" (Indonesian), "12.5" (English)."""
    return charts.format_number(value, decimals=decimals) if isinstance(value, (int, float)) else ""


def satudata_daftar_data_options(current: Any = None) -> list[dict[str, str]]:
    """The dataset form's choices of Daftar Data item: the open items of the OPDs the user
    edits (this year's and last year's, the unpublished first), each as "year · OPD · title";
    the item the dataset names already is always among them, so that saving the form never
    drops a link the list no longer offers."""
    items = daftar_data.open_items_for(tk.g.userobj)
    if isinstance(current, str) and current and all(i["id"] != current for i in items):
        linked = daftar_data.find(current)
        items = [linked, *items] if linked else items
    return [{"value": i["id"], "text": daftar_data.item_label(i)} for i in items]


def satudata_daftar_data_due() -> list[dict[str, Any]]:
    """The notices of the logged-in produsen: the unpublished Daftar Data items of the OPDs
    they edit that are late or due within 30 days, the earliest first."""
    user = tk.g.userobj
    return [daftar_data.view(e, user, language.ui_lang()) for e in reminders.open_for(user)]


def satudata_daftar_data_item(item_id: Any) -> dict[str, Any] | None:
    """A Daftar Data item for the dataset page: its id, year, title and the OPD's name."""
    item = daftar_data.find(item_id)
    return dict(item, label=daftar_data.item_label(item)) if item else None


def satudata_daftar_data_prefill(data: dict[str, Any]) -> str:
    """A new dataset started from a Daftar Data item (``/dataset/new?daftar_data=<id>``):
    the fields the item knows (title, OPD, sector, frequency, the standar data) filled in
    where the form has nothing yet. Returns "" (called for its effect in the template)."""
    if data.get("id") or not isinstance(data, dict):
        return ""
    key = tk.request.args.get("daftar_data") if tk.request else None
    for field, value in daftar_data.prefill(key, tk.g.userobj).items():
        if not data.get(field):
            data[field] = value
    return ""


def satudata_wilayah_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper`` for Kemendagri region codes: the city, its kecamatan and
    kelurahan, each labelled with its code and name (kelurahan with their kecamatan)."""
    regions = vocabularies.regions()
    out = []
    for code, region in regions.items():
        if region.level == "kelurahan":
            parent = regions[region.parent].name if region.parent else ""
            text = f"{code} Kel. {region.name} ({parent})"
        elif region.level == "kecamatan":
            text = f"{code} Kec. {region.name}"
        else:
            text = f"{code} {region.name}"
        out.append({"value": code, "label": text})
    return out


def satudata_state_label(state: str | None) -> str:
    """The verification state in the user's language."""

    labels = {
        "draft": tk._("Draft"),
        "diajukan": tk._("Submitted"),
        "dikembalikan": tk._("Returned"),
        "terbit": tk._("Published"),
        "ditarik": tk._("Withdrawn"),
    }
    return labels.get(state or "", state or "")


def satudata_action_label(action: str) -> str:
    """A workflow step (action) in the user's language."""

    labels = {
        "create": tk._("Created"),
        "submit": tk._("Submit for verification"),
        "return": tk._("Return to producer"),
        "publish": tk._("Publish"),
        "withdraw": tk._("Withdraw"),
        "verify": tk._("Verify as is"),
        "review_note": tk._("Review note"),
        "update": tk._("Edited"),
        "delete": tk._("Deleted"),
        "purge": tk._("Purged"),
        "migrate": tk._("Migrated from the former portal"),
    }
    return labels.get(action, action)


def satudata_workflow(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the dataset page shows of the workflow to the current user: the state, the steps
    the user may take now (with whether a note is required) and the history."""

    context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
    state = pkg.get("publishing_status") or states.DRAFT
    allowed = []
    for name, spec in states.TRANSITIONS.items():
        if state not in spec.sources or (spec.only_published and not pkg.get("satudata_terbit")):
            continue
        if spec.only_unverified_migration and not pkg.get("satudata_belum_diverifikasi"):
            continue
        try:
            tk.check_access(f"satudata_{name}", dict(context), {"id": pkg["id"]})
        except tk.NotAuthorized:
            continue
        allowed.append({"name": name, "note_required": spec.note_required})
    try:
        history = tk.get_action("satudata_workflow_history")(dict(context), {"id": pkg["id"]})["events"]
    except (tk.NotAuthorized, tk.ObjectNotFound):
        history = []
    return {"state": state, "allowed": allowed, "history": history}


def satudata_request_state_label(state: str | None) -> str:
    """A data request's state (baru, diproses, dipenuhi, ditolak) in the user's language."""

    return requests.state_label(state)


def satudata_request_new_count() -> int | None:
    """How many data requests await the walidata (state "baru"); None for anyone else."""

    if not requests.is_reviewer(tk.g.userobj):
        return None
    context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
    return tk.get_action("satudata_request_list")(context, {"state": requests.BARU, "limit": 0})["count"]


# --- portal pages (#7): thin wrappers of portal.py and branding.py ---------------------------


def satudata_brand() -> dict[str, Any]:
    """The city's branding: ``city_name``, ``logo_url`` and ``css`` (the colour variables)."""

    return {
        "city_name": branding.city_name(),
        "logo_url": tk.h.url_for_static_or_external(branding.logo_url()),
        "css": Markup(branding.css_variables()),
    }


def satudata_home() -> dict[str, Any]:
    """The home page's blocks, as the viewer may see them (see ``portal.home``)."""

    return portal.home()


def satudata_opd_profile(org: dict[str, Any]) -> dict[str, Any]:
    """An OPD's profile from the registry (see ``portal.opd_profile``)."""

    return portal.opd_profile(org)


def satudata_resource_preview(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The first rows of a CSV or spreadsheet resource, or None for other formats."""

    return portal.preview(resource)


def satudata_data_api(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The "Data API" panel of a resource whose rows are in the DataStore (endpoints, data
    dictionary, curl and Python examples), or None."""

    return data_api.panel(resource, tk.config.get("ckan.site_url") or "")


def satudata_dataset_preview(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The preview of the dataset's latest CSV or spreadsheet resource, or None."""

    resource = portal.preview_resource(pkg)
    return portal.preview(resource) if resource else None


def satudata_series_chart(pkg: dict[str, Any]) -> Any:
    """The line chart (SVG) of the dataset's figures over the years, or None."""

    return portal.series_chart(pkg)


def satudata_preview_message(reason: str | None) -> str:
    """Why a table preview cannot be shown, politely, in the user's language."""

    messages = {
        "too_large": tk._("This file is too large to preview here. Please download it to see its contents."),
        "unavailable": tk._(
            "The file cannot be fetched for a preview right now. Please try the download link."
        ),
        "empty": tk._("This file is empty."),
    }
    return messages.get(
        reason or "",
        tk._("Sorry, the contents of this file cannot be shown as a table. Please download it to open it."),
    )


# --- data quality (#5): scores and scorecards ---------------------------------------------------


def satudata_quality(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The dataset's quality report as the viewer may read it (``satudata_quality_report``),
    or None when it cannot be computed: the dataset page never fails because of it."""

    try:
        context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
        tk.check_access("satudata_quality_report", context, {"id": pkg["id"]})
        return scorecards.dataset_report(pkg)  # the page's own dataset dict: no second package_show
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    except Exception:  # the score must never break the dataset page
        logging.getLogger(__name__).exception("quality report of %s failed", pkg.get("id"))
        return None


def satudata_opd_scorecard(org: dict[str, Any]) -> dict[str, Any] | None:
    """The OPD's scorecard as the viewer may see it (``satudata_opd_scorecard``), or None."""

    try:
        context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
        return tk.get_action("satudata_opd_scorecard")(context, {"id": org["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    except Exception:  # the scorecard must never break the OPD page
        logging.getLogger(__name__).exception("scorecard of %s failed", org.get("name"))
        return None


def satudata_quality_parts() -> list[dict[str, str]]:
    """The four parts of the quality score, in order: ``key``, ``label`` and what it
    measures (``help``), in the user's language."""

    validity = scores.weights()["validity"]
    return [
        {
            "key": "kelengkapan",
            "label": tk._("Completeness"),
            "help": tk._(
                "How completely the metadata follow the four Satu Data principles: data standard "
                "(concept, definition, classification, measure, unit), metadata, interoperability "
                "(machine-readable files with a column schema) and reference codes."
            ),
        },
        {
            "key": "ketepatan_waktu",
            "label": tk._("Timeliness"),
            "help": tk._(
                "Whether the next period has been published on time for the release frequency. "
                "Late data lose points until they are one release interval late."
            ),
        },
        {
            "key": "keterbukaan",
            "label": tk._("Openness"),
            "help": tk._(
                "Whether the files are in open formats a computer can read (CSV, JSON, XLSX, ODS) "
                "rather than PDF, Word documents or images."
            ),
        },
        {
            "key": "validitas",
            "label": tk._("Validity"),
            "help": tk._(
                "The problems the content checks found in the files and that are still open: each "
                "error costs {error} points, each warning {warning}."
            ).format(error=_points(validity["error_penalty"]), warning=_points(validity["warning_penalty"])),
        },
    ]


def _points(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def satudata_field_labels(names: list[str]) -> list[str]:
    """The labels of dataset fields, in the user's language (field names it does not know are
    shown as they are)."""
    schema = tk.h.scheming_get_dataset_schema("dataset") or {}
    fields = {f["field_name"]: f for f in schema.get("dataset_fields", [])}
    return [_item_label(name, fields) for name in names or []]


def satudata_migration(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """For those who may edit it, what a dataset migrated from the former portal still needs:
    the required fields still empty, and the old values no field took over. None for anyone
    else, and for a dataset made on this portal."""
    try:
        tk.check_access(
            "package_update", {"user": tk.g.user, "auth_user_obj": tk.g.userobj}, {"id": pkg["id"]}
        )
    except tk.NotAuthorized:
        return None
    return legacy.todo(pkg["id"])


def _item_label(key: str, fields: dict[str, Any]) -> str:

    resource_checks = {
        "resources.machine_readable": tk._("a file a computer can read"),
        "resources.schema": tk._("a confirmed column schema (Table Schema) for each CSV or spreadsheet file"),
        "resources.format": tk._("the format of each file"),
        "resources.periode": tk._("the period of each file"),
    }
    if key in resource_checks:
        return resource_checks[key]
    field = fields.get("tag_string" if key == "tags" else key)
    if field is None:
        return key
    # request-safe (an action called from the CLI or a job names fields too): lib/language
    label = field.get("label")
    if isinstance(label, dict):
        return language.text_of(label) or key
    return language.gettext(label) if label else key


def satudata_quality_explain(breakdown: dict[str, Any]) -> dict[str, str]:
    """One sentence per part of the score saying, in the user's language, why it has that
    score: what is missing, when the next period is due, which files are open, how many
    problems are open."""

    schema = tk.h.scheming_get_dataset_schema("dataset") or {}
    fields = {f["field_name"]: f for f in schema.get("dataset_fields", [])}
    out: dict[str, str] = {}

    detail = breakdown["kelengkapan"]["detail"]["principles"]
    names = {
        "standar_data": tk._("data standard"),
        "metadata": tk._("metadata"),
        "interoperabilitas": tk._("interoperability"),
        "kode_referensi": tk._("reference codes"),
    }
    scores_text = ", ".join(f"{names.get(k, k)} {round(v['score'])}" for k, v in detail.items())
    missing = [_item_label(key, fields) for v in detail.values() for key in v["missing"]]
    text = tk._("By principle: {scores}.").format(scores=scores_text)
    if missing:
        text += " " + tk._("Not yet complete: {items}.").format(items=", ".join(missing))
    else:
        text += " " + tk._("Everything is filled in.")
    out["kelengkapan"] = text

    timely = breakdown["ketepatan_waktu"]["detail"]
    due = tk.h.render_datetime(timely.get("expected_by")) if timely.get("expected_by") else ""
    if timely["status"] == "one_off":
        out["ketepatan_waktu"] = tk._("A one-off dataset: no update is expected.")
    elif timely["status"] == "on_time":
        out["ketepatan_waktu"] = tk._("The latest period is {period}; the next one is due by {date}.").format(
            period=timely["last_period"], date=due
        )
    elif timely["status"] == "late":
        out["ketepatan_waktu"] = tk._(
            "The latest period is {period}; the next one was due by {date}: {days} days late."
        ).format(period=timely["last_period"], date=due, days=timely["days_late"])
    else:
        out["ketepatan_waktu"] = tk._(
            "The release frequency or the period of the data is missing, so timeliness cannot be judged."
        )

    openness = breakdown["keterbukaan"]["detail"]
    if not openness["total"]:
        out["keterbukaan"] = tk._("The dataset has no files yet.")
    else:
        formats = sorted({r["format"] or "?" for r in openness["resources"]})
        out["keterbukaan"] = tk._(
            "{open} of {total} files in open formats a computer can read ({formats})."
        ).format(open=openness["open"], total=openness["total"], formats=", ".join(formats))

    validity = breakdown["validitas"]["detail"]
    if not validity["validated"]:
        out["validitas"] = tk._(
            "No file has been checked yet (only CSV and spreadsheet files are checked), so this part "
            "does not count for now."
        )
    elif validity["errors"] or validity["warnings"]:
        out["validitas"] = tk._(
            "Open problems: {errors} errors and {warnings} warnings (a problem is one kind of finding "
            "in one column of one file)."
        ).format(errors=validity["errors"], warnings=validity["warnings"])
    else:
        out["validitas"] = tk._("The checks found no open problem in the files.")
    return out


def satudata_quality_weights() -> dict[str, Any]:
    """The weights the page explains: ``parts`` (percent of the total, whole numbers) and
    ``openness`` (points per format class), from ``data/quality_weights.yaml``."""

    config = scores.weights()
    total = sum(float(w) for w in config["parts"].values())
    return {
        "parts": {k: scores.round_half_up(100 * float(w) / total) for k, w in config["parts"].items()},
        "openness": {k: _points(v) for k, v in config["openness"]["points"].items()},
    }


# --- resource validation and the publish gate (#5): thin wrappers of views/validation.py -----


def satudata_resource_validation(res: dict[str, Any]) -> dict[str, Any] | None:
    """The resource page's validation panel: status, counts, findings in the user's language,
    the column schema as a table, and whether the viewer may check again or confirm."""

    return validation.resource_validation(res)


def satudata_publish_quality(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """What stands between the dataset and its publication: files being checked, errors,
    and warnings that need the walidata's reason. None when nothing does."""

    return validation.publish_quality(pkg)
