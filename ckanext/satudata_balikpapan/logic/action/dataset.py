"""CKAN's dataset actions, chained: the workflow decides visibility and records edits; the data
quality checks validate the dataset's new or changed files."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.satudata_balikpapan.lib import outbox, resource_files
from ckanext.satudata_balikpapan.quality import service
from ckanext.satudata_balikpapan.workflow import service as workflow

# Keys package_show adds from the workflow state; they are never taken from input.
STATE_KEYS = workflow.SHOWN_KEYS


def _without_state(data_dict: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data_dict.items() if k not in STATE_KEYS}


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Every new dataset starts as a private draft of its OPD (visibility is the workflow's)."""
    data_dict = _without_state(data_dict)
    data_dict["private"] = True
    result = up_func(context, data_dict)
    package_id = result if isinstance(result, str) else result["id"]
    workflow.on_create(context, {"id": package_id})
    service.on_dataset_change(context, package_id)  # validate the CSV and spreadsheet files
    if isinstance(result, dict):
        result.update(workflow.public_view(workflow.state_of(model.Package.get(package_id))))
    return result


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Visibility follows the workflow state whatever the input says; edits of published
    datasets are recorded, and a produsen's edit puts the dataset back under review."""
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is None:
        return up_func(context, data_dict)
    before = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False}, {"id": pkg.id})
    data_dict = service.keep_schemas(_without_state(data_dict))  # a resource's schema is kept
    data_dict["private"] = not workflow.state_of(pkg)["published"]
    result = up_func(context, data_dict)
    after = (
        result
        if isinstance(result, dict)
        else tk.get_action("package_show")({"ignore_auth": True, "use_cache": False}, {"id": pkg.id})
    )
    event = workflow.on_update(context, before, after)
    if event is not None and not context.get("defer_commit"):
        # a produsen's edit put a published dataset back under review: notify, now that the
        # edit is committed (within resource_create, which commits later, the sweeper does)
        outbox.flush(event["outbox"])
    service.on_dataset_change(context, pkg.id)  # validate new or changed files, or a new satuan
    return result


@tk.chained_action
def dataset_purge(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """A purge is recorded in the history, and leaves no state row, validation row or stored
    file of the dataset behind (the record and the cleaning commit with CKAN's purge itself;
    the files are removed once it is committed)."""
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    if pkg is None:
        return up_func(context, data_dict)
    tk.check_access("dataset_purge", context, data_dict)
    uploads = workflow.on_purge(context, pkg)
    result = up_func(context, data_dict)
    for resource_id in uploads:
        resource_files.remove_upload(resource_id)
    return result


@tk.chained_action
def package_delete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Deleting a dataset is recorded in its history (which survives the deletion)."""
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    result = up_func(context, data_dict)
    if pkg is not None:
        workflow.on_delete(context, pkg)
    return result
