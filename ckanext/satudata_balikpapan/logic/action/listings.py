"""CKAN's lists that name datasets or their tags, chained: they show only what the dataset
pages show (#14).

CKAN's ``tag_list`` and ``tag_autocomplete`` return every free tag in the database, and
``member_list`` every dataset id of an OPD or a group, although ``package_show`` refuses the
unpublished ones: a draft's tags ("rahasia", a person's name) and its id leaked through them.
Each list now keeps a tag only when a dataset the caller may read carries it, and a dataset
member only when the caller may read it (``registry.roles.may_read``, the one rule of every
list). Tags of a vocabulary are the portal's controlled words, public by nature: untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.satudata_balikpapan.registry import roles


def _reader(context: Context) -> Callable[[model.Package], bool]:
    """Whether the caller may read a dataset: anyone a public active one; a private one as
    ``package_show`` decides (``roles.may_read``), asked once per dataset."""
    user = context.get("auth_user_obj") or context.get("user")
    decided: dict[str, bool] = {}

    def may_read(pkg: model.Package) -> bool:
        if not pkg.private and pkg.state == "active":
            return True
        if not user:
            return False
        if pkg.id not in decided:
            decided[pkg.id] = roles.may_read(user, pkg)
        return decided[pkg.id]

    return may_read


def _readable_tags(context: Context, names: set[str]) -> set[str]:
    """Of the free tags ``names``, those an active dataset the caller may read carries."""
    if not names:
        return set()
    rows = (
        model.Session.query(model.Tag.name, model.Package)
        .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
        .join(model.Package, model.Package.id == model.PackageTag.package_id)
        .filter(model.Tag.vocabulary_id.is_(None), model.Tag.name.in_(sorted(names)))
        .filter(model.PackageTag.state == "active", model.Package.state == "active")
        .order_by(model.Package.private)  # public ones first: most tags end there
    )
    may_read = _reader(context)
    readable: set[str] = set()
    for name, pkg in rows:
        if name not in readable and may_read(pkg):
            readable.add(name)
    return readable


def _without_hidden_tags(context: Context, data_dict: DataDict, tags: Any) -> Any:
    """``tags`` (names, or dicts with a name) without the free tags the caller may not see."""
    if data_dict.get("vocabulary_id") or not isinstance(tags, list):
        return tags

    def name(tag: Any) -> str:
        return tag["name"] if isinstance(tag, dict) else tag

    keep = _readable_tags(context, {name(tag) for tag in tags})
    return [tag for tag in tags if name(tag) in keep]


@tk.chained_action
@tk.side_effect_free
def tag_list(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's tag list, without the free tags only unpublished datasets carry."""
    return _without_hidden_tags(context, data_dict, up_func(context, data_dict))


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's tag completion, without the free tags only unpublished datasets carry."""
    return _without_hidden_tags(context, data_dict, up_func(context, data_dict))


@tk.chained_action
@tk.side_effect_free
def member_list(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's member list of an OPD or a group, without the datasets the caller may not read."""
    members = up_func(context, data_dict)
    ids = [member[0] for member in members if member[1] == "package"]
    if not ids:
        return members
    packages = {pkg.id: pkg for pkg in model.Session.query(model.Package).filter(model.Package.id.in_(ids))}
    may_read = _reader(context)

    def readable(package_id: str) -> bool:
        pkg = packages.get(package_id)
        return pkg is not None and may_read(pkg)

    return [member for member in members if member[1] != "package" or readable(member[0])]


__all__ = ["member_list", "tag_autocomplete", "tag_list"]
