"""Actions of the extension (registered by ``tk.blanket.actions``)."""

from ckanext.satudata_balikpapan.logic.action.dataset import (
    package_create,
    package_delete,
    package_update,
)
from ckanext.satudata_balikpapan.logic.action.workflow import (
    satudata_notification_list,
    satudata_publish,
    satudata_return,
    satudata_review_note,
    satudata_review_queue,
    satudata_submit,
    satudata_withdraw,
    satudata_workflow_history,
)

__all__ = [
    "package_create",
    "package_delete",
    "package_update",
    "satudata_notification_list",
    "satudata_publish",
    "satudata_return",
    "satudata_review_note",
    "satudata_review_queue",
    "satudata_submit",
    "satudata_withdraw",
    "satudata_workflow_history",
]
