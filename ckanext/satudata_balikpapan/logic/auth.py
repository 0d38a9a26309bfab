"""Auth functions (registered by ``tk.blanket.auth_functions``)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.satudata_balikpapan.data_requests import service as requests
from ckanext.satudata_balikpapan.model import data_request as model_requests
from ckanext.satudata_balikpapan.portal import scorecards
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.workflow import service as workflow
from ckanext.satudata_balikpapan.workflow import states

__all__ = [
    "bulk_update_public",
    "group_create",
    "member_create",
    "package_delete",
    "satudata_daftar_data_create",
    "satudata_daftar_data_delete",
    "satudata_daftar_data_import",
    "satudata_daftar_data_list",
    "satudata_daftar_data_show",
    "satudata_daftar_data_update",
    "satudata_epss_evidence",
    "satudata_metadata_import",
    "satudata_notification_list",
    "satudata_opd_scorecard",
    "satudata_publish",
    "satudata_quality_report",
    "satudata_request_assign",
    "satudata_request_create",
    "satudata_request_list",
    "satudata_request_show",
    "satudata_request_update_state",
    "satudata_resource_validate",
    "satudata_resource_validation_show",
    "satudata_return",
    "satudata_review_note",
    "satudata_review_queue",
    "satudata_schema_confirm",
    "satudata_schema_infer",
    "satudata_submit",
    "satudata_verify",
    "satudata_withdraw",
    "satudata_workflow_history",
]


def _denied(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _transition_auth(name: str, context: Context, data_dict: DataDict) -> AuthResult:
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is None:
        return _denied(tk._("Dataset not found"))
    user = roles.actor(context)
    role = states.acting_role(roles.roles_of(user, pkg), states.TRANSITIONS[name])
    if role and (role != roles.PEMBINA or roles.may_read(user, pkg)):
        return {"success": True}
    messages = {
        "submit": tk._("Only the data producers of the dataset's OPD can submit it"),
        "return": tk._("Only the walidata can return a dataset"),
        "publish": tk._("Only the walidata can publish a dataset"),
        "withdraw": tk._("Only the walidata can withdraw a dataset"),
        "verify": tk._("Only the walidata can verify a dataset"),
        "review_note": tk._("Only the pembina data or the walidata can leave review notes"),
    }
    return _denied(messages[name])


def satudata_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _transition_auth("submit", context, data_dict)


def satudata_return(context: Context, data_dict: DataDict) -> AuthResult:
    return _transition_auth("return", context, data_dict)


def satudata_publish(context: Context, data_dict: DataDict) -> AuthResult:
    return _transition_auth("publish", context, data_dict)


def satudata_verify(context: Context, data_dict: DataDict) -> AuthResult:
    return _transition_auth("verify", context, data_dict)


def satudata_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    return _transition_auth("withdraw", context, data_dict)


def satudata_review_note(context: Context, data_dict: DataDict) -> AuthResult:
    return _transition_auth("review_note", context, data_dict)


@tk.auth_allow_anonymous_access
def satudata_workflow_history(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the dataset may read its history."""
    return tk.check_access("package_show", context, {"id": data_dict.get("id")}) and {"success": True}


def satudata_review_queue(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the queue holds what awaits them (nothing for the public)."""
    if not context.get("user"):
        return _denied(tk._("Log in to see what awaits you"))
    return {"success": True}


def satudata_notification_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user reads their own notices."""
    return satudata_review_queue(context, data_dict)


@tk.chained_auth_function
@tk.auth_sysadmins_check
def bulk_update_public(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Datasets become public only through satudata_publish, never in bulk (not even for a
    sysadmin: publication must be recorded)."""
    return _denied(tk._("Datasets are published one by one by the walidata (satudata_publish)"))


@tk.chained_auth_function
def package_delete(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """A published dataset is taken down by the walidata (withdraw or delete), not by its OPD.

    The walidata curates the whole catalogue: they may delete any OPD's dataset, published
    or not (every deletion is recorded in the history with their role). An OPD's editors
    delete their own unpublished datasets, as CKAN decides."""
    pkg = model.Package.get(data_dict.get("id") or "")
    actor = roles.actor(context)
    if pkg is not None and roles.is_walidata(actor):
        return {"success": True}
    if pkg is not None and workflow.state_of(pkg)["published"]:
        return _denied(tk._("A published dataset can only be withdrawn or deleted by the walidata"))
    return next_auth(context, data_dict)


@tk.chained_auth_function
def group_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Groups (topics) are the walidata's to curate: a group's title is shown on the official
    page of every dataset in it, so a member of the public who could create one could write on
    the city's pages. OPDs are organizations, created from the registry, not groups."""
    user = roles.actor(context)
    if user is not None and (user.sysadmin or roles.is_walidata(user)):
        return next_auth(context, data_dict)
    return _denied(tk._("Groups (topics) are created by the walidata"))


@tk.chained_auth_function
def member_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Only a published dataset may be put in a group: a group is public, and listing a draft
    in it by id would announce data the city has not released."""
    if data_dict.get("object_type") == "package":
        group_key, pkg_key = data_dict.get("id"), data_dict.get("object")
        group = model.Group.get(group_key) if isinstance(group_key, str) and group_key else None
        pkg = model.Package.get(pkg_key) if isinstance(pkg_key, str) and pkg_key else None
        in_group = group is not None and not group.is_organization and pkg is not None
        if in_group and not workflow.state_of(pkg)["published"]:
            return _denied(tk._("Only a published dataset can be put in a group"))
    return next_auth(context, data_dict)


# --- data quality (#5) -----------------------------------------------------------------------


@tk.auth_allow_anonymous_access
def satudata_quality_report(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the dataset may read its quality report."""
    return tk.check_access("package_show", context, {"id": data_dict.get("id")}) and {"success": True}


@tk.auth_allow_anonymous_access
def satudata_opd_scorecard(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone may read the public scorecards. The full variant (``full=true``: every
    dataset, counts by state) is for the walidata and sysadmins, and for an OPD's members on
    their own OPD."""

    if str(data_dict.get("full", "")).strip().lower() not in ("true", "1", "yes", "ya", "on"):
        return {"success": True}
    org_id = data_dict.get("id")
    group = model.Group.get(org_id) if isinstance(org_id, str) and org_id else None
    if scorecards.may_see_full(context, group):
        return {"success": True}
    return _denied(tk._("Only the walidata and the OPD itself can see the full scorecard"))


# --- resource validation (#5) ----------------------------------------------------------------


@tk.auth_allow_anonymous_access
def satudata_resource_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the resource may read its validation."""
    return tk.check_access("resource_show", context, {"id": data_dict.get("id")}) and {"success": True}


def _may_edit_resource(context: Context, data_dict: DataDict) -> AuthResult:
    try:
        tk.check_access("resource_update", dict(context), {"id": data_dict.get("id")})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return _denied(tk._("Only those who may edit the resource can check it or its column schema"))
    return {"success": True}


def satudata_resource_validate(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the resource may run its validation again."""
    return _may_edit_resource(context, data_dict)


def satudata_schema_infer(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the resource may have its schema inferred (the file is read)."""
    return _may_edit_resource(context, data_dict)


def satudata_schema_confirm(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the resource may confirm its schema."""
    return _may_edit_resource(context, data_dict)


# --- data requests (permohonan data) ----------------------------------------------------------


@tk.auth_allow_anonymous_access
def satudata_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may ask for data, without an account."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may read a request; the action leaves the personal data out unless the caller
    handles it or holds the private link."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may list the requests, without personal data."""
    return {"success": True}


def satudata_request_assign(context: Context, data_dict: DataDict) -> AuthResult:
    """Only the walidata sends a request to an OPD."""

    if roles.is_reviewer(roles.actor(context)):
        return {"success": True}
    return _denied(tk._("Only the walidata can assign a data request to an OPD"))


def satudata_request_update_state(context: Context, data_dict: DataDict) -> AuthResult:
    """The walidata, or the editors and admins of the OPD the request is assigned to."""

    row = model_requests.get_request(data_dict.get("id") if isinstance(data_dict.get("id"), str) else "")
    user = roles.actor(context)
    if row is not None and requests.may_manage(user, row):
        return {"success": True}
    if row is None and requests.is_reviewer(user):
        return {"success": True}  # the action says the request does not exist
    return _denied(tk._("Only the walidata or the OPD the request is assigned to can change its status"))


def satudata_metadata_import(context: Context, data_dict: DataDict) -> AuthResult:
    """Who may fill in an OPD's datasets from its template: whoever may create datasets in
    that OPD (its produsen, the walidata through the organisation, sysadmins)."""
    org = (
        model.Group.get(data_dict.get("organization") or "")
        if isinstance(data_dict.get("organization"), str)
        else None
    )
    if org is None or not org.is_organization:
        return _denied(tk._("Organization does not exist"))
    try:
        tk.check_access("package_create", dict(context), {"owner_org": org.id})
    except tk.NotAuthorized:
        return _denied(tk._("Only the data producers of this OPD can fill in its datasets"))
    return {"success": True}


# --- Daftar Data: the plan is public; the walidata enters and changes it ------------------------


def _daftar_data_manage(context: Context) -> AuthResult:
    if roles.is_reviewer(roles.actor(context)):
        return {"success": True}
    return _denied(tk._("Only the walidata can change the Daftar Data"))


def satudata_daftar_data_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _daftar_data_manage(context)


def satudata_daftar_data_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _daftar_data_manage(context)


def satudata_daftar_data_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _daftar_data_manage(context)


def satudata_daftar_data_import(context: Context, data_dict: DataDict) -> AuthResult:
    return _daftar_data_manage(context)


@tk.auth_allow_anonymous_access
def satudata_daftar_data_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_daftar_data_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def satudata_epss_evidence(context: Context, data_dict: DataDict) -> AuthResult:
    """The walidata, the pembina data (BPS evaluates the EPSS) and the OPD's own editors and
    admins: the evidence names draft datasets and the record's notes."""
    user = roles.actor(context)
    org_id = data_dict.get("id")
    if user is not None and (roles.is_reviewer(user) or roles.is_pembina(user)):
        return {"success": True}
    if user is not None and isinstance(org_id, str) and user.name in roles.org_editors(org_id):
        return {"success": True}
    return _denied(tk._("Only the walidata, the pembina data and the OPD itself can see its EPSS evidence"))
