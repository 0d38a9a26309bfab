"""Template helpers (registered by ``tk.blanket.helpers``)."""

from __future__ import annotations

from typing import Any

from ckanext.satudata_balikpapan import vocabularies

__all__ = [
    "satudata_action_label",
    "satudata_brand",
    "satudata_dataset_preview",
    "satudata_home",
    "satudata_opd_profile",
    "satudata_preview_message",
    "satudata_request_new_count",
    "satudata_request_state_label",
    "satudata_resource_preview",
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
    import ckan.plugins.toolkit as tk

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
    import ckan.plugins.toolkit as tk

    labels = {
        "create": tk._("Created"),
        "submit": tk._("Submit for verification"),
        "return": tk._("Return to producer"),
        "publish": tk._("Publish"),
        "withdraw": tk._("Withdraw"),
        "review_note": tk._("Review note"),
        "update": tk._("Edited"),
        "delete": tk._("Deleted"),
    }
    return labels.get(action, action)


def satudata_workflow(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the dataset page shows of the workflow to the current user: the state, the steps
    the user may take now (with whether a note is required) and the history."""
    import ckan.plugins.toolkit as tk

    from ckanext.satudata_balikpapan import workflow

    context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
    state = pkg.get("publishing_status") or workflow.DRAFT
    allowed = []
    for name, spec in workflow.TRANSITIONS.items():
        if state not in spec.sources or (spec.only_published and not pkg.get("satudata_terbit")):
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
    from ckanext.satudata_balikpapan import requests

    return requests.state_label(state)


def satudata_request_new_count() -> int | None:
    """How many data requests await the walidata (state "baru"); None for anyone else."""
    import ckan.plugins.toolkit as tk

    from ckanext.satudata_balikpapan import requests

    if not requests.is_reviewer(tk.g.userobj):
        return None
    context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
    return tk.get_action("satudata_request_list")(context, {"state": requests.BARU, "limit": 0})["count"]


# --- portal pages (#7): thin wrappers of portal.py and branding.py ---------------------------


def satudata_brand() -> dict[str, Any]:
    """The city's branding: ``city_name``, ``logo_url`` and ``css`` (the colour variables)."""
    import ckan.plugins.toolkit as tk
    from markupsafe import Markup

    from ckanext.satudata_balikpapan import branding

    return {
        "city_name": branding.city_name(),
        "logo_url": tk.h.url_for_static_or_external(branding.logo_url()),
        "css": Markup(branding.css_variables()),
    }


def satudata_home() -> dict[str, Any]:
    """The home page's blocks, as the viewer may see them (see ``portal.home``)."""
    from ckanext.satudata_balikpapan import portal

    return portal.home()


def satudata_opd_profile(org: dict[str, Any]) -> dict[str, Any]:
    """An OPD's profile from the registry (see ``portal.opd_profile``)."""
    from ckanext.satudata_balikpapan import portal

    return portal.opd_profile(org)


def satudata_resource_preview(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The first rows of a CSV or spreadsheet resource, or None for other formats."""
    from ckanext.satudata_balikpapan import portal

    return portal.preview(resource)


def satudata_dataset_preview(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The preview of the dataset's latest CSV or spreadsheet resource, or None."""
    from ckanext.satudata_balikpapan import portal

    resource = portal.preview_resource(pkg)
    return portal.preview(resource) if resource else None


def satudata_series_chart(pkg: dict[str, Any]) -> Any:
    """The line chart (SVG) of the dataset's figures over the years, or None."""
    from ckanext.satudata_balikpapan import portal

    return portal.series_chart(pkg)


def satudata_preview_message(reason: str | None) -> str:
    """Why a table preview cannot be shown, politely, in the user's language."""
    import ckan.plugins.toolkit as tk

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
