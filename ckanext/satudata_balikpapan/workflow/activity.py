"""The public activity of a publication: what the dataset's public activity stream shows.

The activities of a dataset's unpublished versions keep their private permission labels, so
the public stream starts at the first verified version; each publication adds a public
"changed package" activity carrying the version the walidata published. Called by the
``satudata_publish`` action once the publication is committed.
"""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import get_permission_labels


def publication_activity(pkg: model.Package, actor: model.User | None) -> None:
    """Add the public "changed package" activity of a publication, in the publication's own
    transaction (nothing without the activity plugin)."""
    if not p.plugin_loaded("activity"):
        return
    user = actor or model.User.get(tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"])
    shown = tk.get_action("package_show")({"ignore_auth": True, "for_view": False}, {"id": pkg.id})
    tk.get_action("activity_create")(
        {"ignore_auth": True, "user": user.name, "defer_commit": True},  # part of the step
        {
            "user_id": user.id,
            "object_id": pkg.id,
            "activity_type": "changed package",
            "data": {"package": shown, "actor": user.name},
            "permission_labels": get_permission_labels().get_dataset_labels(pkg),
        },
    )
