"""Actions of the extension (registered by ``tk.blanket.actions`` through :func:`get_actions`)."""

from typing import Any

import ckan.plugins as p

from ckanext.satudata_balikpapan.logic.action.bulk import satudata_metadata_import
from ckanext.satudata_balikpapan.logic.action.daftar_data import (
    satudata_daftar_data_create,
    satudata_daftar_data_delete,
    satudata_daftar_data_import,
    satudata_daftar_data_list,
    satudata_daftar_data_show,
    satudata_daftar_data_update,
    satudata_epss_evidence,
)
from ckanext.satudata_balikpapan.logic.action.dataset import (
    dataset_purge,
    package_create,
    package_delete,
    package_update,
)
from ckanext.satudata_balikpapan.logic.action.dcat import (
    dcat_catalog_search,
    dcat_catalog_show,
    dcat_dataset_show,
    dcat_datasets_list,
)
from ckanext.satudata_balikpapan.logic.action.listings import member_list, tag_autocomplete, tag_list
from ckanext.satudata_balikpapan.logic.action.quality import (
    resource_create,
    resource_update,
    satudata_resource_validate,
    satudata_resource_validation_show,
    satudata_schema_confirm,
    satudata_schema_infer,
)
from ckanext.satudata_balikpapan.logic.action.quality_report import (
    satudata_opd_scorecard,
    satudata_quality_report,
)
from ckanext.satudata_balikpapan.logic.action.requests import (
    satudata_request_assign,
    satudata_request_create,
    satudata_request_list,
    satudata_request_show,
    satudata_request_update_state,
)
from ckanext.satudata_balikpapan.logic.action.workflow import (
    satudata_notification_list,
    satudata_publish,
    satudata_return,
    satudata_review_note,
    satudata_review_queue,
    satudata_submit,
    satudata_verify,
    satudata_withdraw,
    satudata_workflow_history,
)

__all__ = [
    "dataset_purge",
    "dcat_catalog_search",
    "dcat_catalog_show",
    "dcat_dataset_show",
    "dcat_datasets_list",
    "member_list",
    "package_create",
    "package_delete",
    "package_update",
    "resource_create",
    "resource_update",
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
    "tag_autocomplete",
    "tag_list",
]

# Chains of actions another plugin provides, registered only when that plugin is loaded: a
# chained action without its parent stops every action call of the site.
OPTIONAL_PARENTS = {"dcat_datasets_list": "dcat_json_interface"}


def get_actions() -> dict[str, Any]:
    """The actions of ``__all__``, leaving out a chain whose parent plugin is not loaded."""
    return {
        name: globals()[name]
        for name in __all__
        if name not in OPTIONAL_PARENTS or p.plugin_loaded(OPTIONAL_PARENTS[name])
    }
