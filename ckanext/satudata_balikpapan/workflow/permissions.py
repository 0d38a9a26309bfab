"""Who may read a dataset that is not published (CKAN permission labels).

A published, active dataset carries CKAN's ``public`` label and is readable by everyone.
Any other dataset is readable by its OPD's members (CKAN's ``member-<org>``), by the walidata
(``satudata-walidata``) and, while a statistical dataset is under review, by the pembina data
(``satudata-pembina``). Labels govern package_show, resource_show (so downloads), package_search
(so every listing and the DCAT feed) and the activity streams.
"""

from __future__ import annotations

from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.workflow import service
from ckanext.satudata_balikpapan.workflow.states import UNDER_REVIEW

WALIDATA_LABEL = "satudata-walidata"
PEMBINA_LABEL = "satudata-pembina"

_default = DefaultPermissionLabels()


def dataset_labels(dataset: model.Package) -> list[str]:
    """The labels of a dataset: CKAN's, plus the walidata's on anything not public, plus the
    pembina's on a statistical dataset under review."""
    labels = _default.get_dataset_labels(dataset)
    if labels == ["public"]:
        return labels
    labels.append(WALIDATA_LABEL)
    extras = dataset.extras or {}
    statistical = extras.get("jenis") == "statistik"
    if statistical and service.state_of(dataset)["status"] in UNDER_REVIEW:
        labels.append(PEMBINA_LABEL)
    return labels


def user_labels(user: model.User | str | None) -> list[str]:
    """The labels a user reads: CKAN's, plus the walidata's or the pembina's role label."""
    if isinstance(user, str):  # some CKAN 2.11 code paths pass the user name
        user = model.User.get(user)
    labels = _default.get_user_dataset_labels(user)
    if user is None or user.is_anonymous:
        return labels
    if roles.is_walidata(user):
        labels.append(WALIDATA_LABEL)
    if roles.is_pembina(user):
        labels.append(PEMBINA_LABEL)
    return labels
