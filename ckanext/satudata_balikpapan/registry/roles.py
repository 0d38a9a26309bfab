"""Who is who in Satu Data: the walidata, the pembina data, an OPD's produsen, the public.

Roles are not CKAN roles. They are read from CKAN's memberships and from the settings, every
time, so a change of membership takes effect at once:

* **walidata** (Diskominfo): listed in ``ckanext.satudata.walidata_users``, or an editor or
  admin of the walidata OPD (``ckanext.satudata.walidata_org``, else the registry's);
* **pembina** (BPS): listed in ``ckanext.satudata.pembina_users``;
* **produsen** of a dataset: an editor or admin of the dataset's OPD;
* **sysadmin**: CKAN's own; **publik**: everyone, logged in or not.

This module is also the one home of "which user is acting": CKAN hands a user as a name, an
id, a ``model.User``, an ``AnonymousUser`` proxy or in the context (``auth_user_obj`` or
``user``), and every rule starts from :func:`user_obj` or :func:`actor`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.registry import opd

PRODUSEN, WALIDATA, PEMBINA, SYSADMIN, PUBLIC = (
    "produsen",
    "walidata",
    "pembina",
    "sysadmin",
    "publik",
)


def user_obj(user: Any) -> model.User | None:
    """A user object from a name, an id or a user object; None for the anonymous user (CKAN
    passes an ``AnonymousUser`` proxy for anonymous web requests) and for anything else."""
    if user is None or getattr(user, "is_anonymous", False):
        return None
    if isinstance(user, model.User):
        return user
    if isinstance(user, str) and user and "\x00" not in user:
        return model.User.get(user)
    return None


def actor(context: Mapping[str, Any]) -> model.User | None:
    """The user an action runs as (None: anonymous): ``auth_user_obj``, else ``user``."""
    return user_obj(context.get("auth_user_obj")) or user_obj(context.get("user"))


def may_read(user: Any, pkg: model.Package) -> bool:
    """Whether ``user`` may read ``pkg`` as ``package_show`` decides (permission labels and the
    workflow's rules). Every list that names datasets to a user filters through this, so no
    list shows a title, state or note the dataset page itself would refuse."""
    obj = user_obj(user)
    context = {"user": obj.name if obj else "", "auth_user_obj": obj}
    try:
        tk.check_access("package_show", context, {"id": pkg.id})
    except tk.NotAuthorized:
        return False
    return True


def walidata_org() -> str:
    """The code of the walidata OPD: configured, or the registry's walidata (Diskominfo)."""
    return config.walidata_org() or opd.default_registry().walidata


def is_walidata(user: Any) -> bool:
    """Walidata: listed in ``ckanext.satudata.walidata_users``, or an admin or editor of the
    walidata OPD."""
    obj = user_obj(user)
    if obj is None:
        return False
    if obj.name in config.walidata_users():
        return True
    return authz.has_user_permission_for_group_or_org(walidata_org(), obj.name, "update_dataset")


def is_pembina(user: Any) -> bool:
    """Pembina data (BPS): listed in ``ckanext.satudata.pembina_users``."""
    obj = user_obj(user)
    return bool(obj and obj.name in config.pembina_users())


def is_produsen(user: Any, pkg: model.Package) -> bool:
    """Produsen: may edit datasets of the dataset's OPD (an editor or admin of it)."""
    obj = user_obj(user)
    if obj is None or not pkg.owner_org:
        return False
    return authz.has_user_permission_for_group_or_org(pkg.owner_org, obj.name, "update_dataset")


def is_reviewer(user: Any) -> bool:
    """The walidata or a sysadmin: sees and steers every OPD's work."""
    obj = user_obj(user)
    return bool(obj and (obj.sysadmin or is_walidata(obj)))


def roles_of(user: Any, pkg: model.Package) -> set[str]:
    """Every role ``user`` holds for ``pkg``."""
    obj = user_obj(user)
    roles = {PUBLIC}
    if obj is None:
        return roles
    if obj.sysadmin:
        roles.add(SYSADMIN)
    if is_walidata(obj):
        roles.add(WALIDATA)
    if is_pembina(obj):
        roles.add(PEMBINA)
    if is_produsen(obj, pkg):
        roles.add(PRODUSEN)
    return roles


def org_editors(org: str | None) -> set[str]:
    """The names of the active editors and admins of an organisation (OPD)."""
    if not org or not isinstance(org, str):
        return set()
    group = model.Group.get(org)
    if group is None:
        return set()
    members = (
        model.Session.query(model.User.name)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(
            model.Member.group_id == group.id,
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(["admin", "editor"]),
        )
    )
    return {name for (name,) in members}


def walidata_names() -> set[str]:
    """The names of every walidata: the listed users and the walidata OPD's editors."""
    return config.walidata_users() | org_editors(walidata_org())


def pembina_names() -> set[str]:
    """The names of every pembina data."""
    return config.pembina_users()


def site_context() -> dict[str, Any]:
    """An action context of the site user (CKAN's own sysadmin), for the work the extension
    does on nobody's behalf: syncing the OPD registry, seeding the demo, loading the DataStore."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def site_user_name() -> str:
    """The site user's name (``ckan.site_id``): the admin of every organisation CKAN created,
    never a person to notify."""
    return str(tk.config.get("ckan.site_id") or "")
