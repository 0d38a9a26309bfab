"""Data quality actions (#5): each CSV or spreadsheet resource is validated when it is created
or changed, and its validation and Table Schema can be read, re-run and confirmed.

``resource_create`` and ``resource_update`` are chained: once CKAN has stored the resource
and its file, :func:`~ckanext.satudata_balikpapan.quality.service.check_resource` validates
it (at once, or by a background job for a large file). A failing check never fails the
action: it is stored as ``gagal``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Action, Context, DataDict

from ckanext.satudata_balikpapan.lib import language, resource_files
from ckanext.satudata_balikpapan.logic import schema as schemas
from ckanext.satudata_balikpapan.quality import service
from ckanext.satudata_balikpapan.quality.engine import tableschema


def _after_change(context: Context, result: Any) -> Any:
    """Validate the resource the action just stored; return it with a draft schema the
    validation inferred."""
    if not isinstance(result, dict) or not result.get("id"):
        return result
    if context.get("defer_commit") or context.get(service.INTERNAL_WRITE):
        return result  # the caller commits later: the dataset hook or the publish gate validates
    validation = service.check_resource(result["id"])
    if validation is not None and service.parse_schema(result.get("schema")) is None:
        try:
            return tk.get_action("resource_show")({"ignore_auth": True}, {"id": result["id"]})
        except tk.ObjectNotFound:
            return result
    return result


@tk.chained_action
def resource_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``resource_create``, then the validation of a CSV or spreadsheet file.

    CKAN writes an uploaded file before it commits; should the commit fail (Solr down: the
    user gets a 503 and nothing is created), the file would stay behind in storage with no
    resource. The new resource's id is therefore chosen here, so that its file can be
    removed when the creation did not land."""
    uploading = data_dict.get("upload") is not None  # CKAN's uploader pops it from the dict
    if uploading and not data_dict.get("id"):
        data_dict = dict(data_dict, id=str(uuid.uuid4()))
    try:
        result = up_func(context, data_dict)
    except Exception:
        resource_id = data_dict.get("id")
        if uploading and resource_id:
            model.Session.rollback()
            if model.Resource.get(resource_id) is None:
                resource_files.remove_upload(resource_id)
        raise
    return _after_change(context, result)


@tk.chained_action
def resource_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``resource_update``, then the validation of a changed CSV or spreadsheet file.

    The resource's Table Schema is kept when the input leaves ``schema`` out (the chained
    ``package_update`` sees to it, like CKAN keeps ``datastore_active``): an edit of the name
    or the file must not lose the columns a person described. Send ``schema`` empty to drop
    it (a new draft is then inferred)."""
    return _after_change(context, up_func(context, data_dict))


def _resource(data_dict: DataDict) -> model.Resource:
    res = model.Resource.get(data_dict["id"])
    if res is None or res.state != "active":
        raise tk.ObjectNotFound(tk._("Resource was not found."))
    return res


def _schema_out(res: model.Resource) -> dict[str, Any]:
    schema = service.parse_schema((res.extras or {}).get("schema"))
    return {"schema": schema, "schema_draft": bool(schema and schema.get(service.DRAFT_KEY))}


@tk.side_effect_free
@validate(schemas.dataset_id_schema)
def satudata_resource_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The last validation of a CSV or spreadsheet resource: ``status`` (``menunggu``,
    ``valid``, ``tidak_valid``, ``gagal``, or None when never validated), ``findings`` (code,
    severity, sheet, row, column, value, details, and ``title`` and ``message`` in ``id``
    and ``en``), ``counts`` per code, ``errors``, ``warnings``, ``rows``, ``sha256``,
    ``validated_at``, ``error`` (why a check could not run, and ``error_message``), and the
    resource's ``schema`` with ``schema_draft``. Whoever may read the resource.

    :param id: the resource's id
    """
    res = _resource(data_dict)
    tk.check_access("satudata_resource_validation_show", context, data_dict)
    out = service.validation_of(res.id) or {
        "resource_id": res.id,
        "package_id": res.package_id,
        "status": None,
        "findings": [],
        "counts": {},
        "errors": 0,
        "warnings": 0,
    }
    if out.get("error"):
        out["error_message"] = service.failure_message(out["error"])
    return dict(out, **_schema_out(res))


@validate(schemas.dataset_id_schema)
def satudata_resource_validate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Validate a CSV or spreadsheet resource again now (a large file by a background job:
    the status is then ``menunggu``). Whoever may edit the resource.

    :param id: the resource's id
    :returns: the validation, as ``satudata_resource_validation_show``
    """
    res = _resource(data_dict)
    tk.check_access("satudata_resource_validate", context, data_dict)
    result = service.check_resource(res.id, force=True)
    if result is None:
        raise tk.ValidationError({"format": [tk._("Only CSV and spreadsheet files have a column schema")]})
    return satudata_resource_validation_show(dict(context, ignore_auth=True), {"id": res.id})


@tk.side_effect_free
@validate(schemas.dataset_id_schema)
def satudata_schema_infer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A Table Schema inferred from the resource's file, for a person to check: column names,
    types, units, required columns, ranges and codes, the key columns (kode wilayah + tahun)
    and declared totals. Nothing is stored. Whoever may edit the resource.

    :param id: the resource's id
    :returns: the Table Schema descriptor
    """
    res = _resource(data_dict)
    tk.check_access("satudata_schema_infer", context, data_dict)
    return service.schema_of_file(res.id)


@validate(schemas.resource_schema_confirm_schema)
def satudata_schema_confirm(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Confirm a resource's Table Schema: the draft the portal inferred, or the ``schema``
    given (a JSON object or its text). It is checked, stored without the draft flag, and the
    file validated against it. Whoever may edit the resource.

    :param id: the resource's id
    :param schema: the schema to store (optional: the resource's current one)
    :returns: ``{"resource_id", "schema", "validation"}``
    """
    res = _resource(data_dict)
    tk.check_access("satudata_schema_confirm", context, data_dict)
    given = data_dict.get("schema")
    if given not in (None, ""):
        if isinstance(given, str):
            try:
                given = json.loads(given)
            except ValueError:
                raise tk.ValidationError({"schema": [tk._("The schema is not valid JSON")]}) from None
        if not isinstance(given, dict):
            raise tk.ValidationError({"schema": [tk._("The schema must be a JSON object")]})
        schema = given
    else:
        schema = service.parse_schema((res.extras or {}).get("schema"))
    if not schema:
        raise tk.ValidationError({"schema": [tk._("This resource has no column schema to confirm")]})
    clean = service.without_draft(schema)
    problems = tableschema.validate_schema(clean, language.ui_lang())
    if problems:
        raise tk.ValidationError({"schema": problems})
    patch_context = {k: context[k] for k in ("user", "auth_user_obj", "ignore_auth") if k in context}
    tk.get_action("resource_patch")(
        patch_context, {"id": res.id, "schema": json.dumps(clean, ensure_ascii=False)}
    )
    return {"resource_id": res.id, "schema": clean, "validation": service.validation_of(res.id)}
