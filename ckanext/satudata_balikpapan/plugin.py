"""The ``satudata_balikpapan`` CKAN plugin: a thin shell that registers the extension's parts."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.satudata_balikpapan import translations
from ckanext.satudata_balikpapan.daftar_data import service as daftar_data
from ckanext.satudata_balikpapan.logic import action
from ckanext.satudata_balikpapan.portal import search
from ckanext.satudata_balikpapan.views import security
from ckanext.satudata_balikpapan.workflow import permissions


@tk.blanket.actions(action.get_actions)
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
class SatudataBalikpapanPlugin(p.SingletonPlugin, DefaultTranslation):
    """Satu Data Balikpapan: schema, workflow, quality and DCAT for the city's OPD data."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IAuthenticator, inherit=True)

    # IConfigurer

    def update_config(self, config_: Any) -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")
        tk.add_resource("assets", "satudata_balikpapan")
        # CKAN core, scheming and dcat messages in Indonesian, unless the site names its own folder
        translations.use_override_catalogue(config_)

    # IMiddleware

    def make_middleware(self, app: Any, config_: Any) -> Any:
        return security.register(app)

    # IAuthenticator

    def authenticate(self, identity: dict[str, Any]) -> Any:
        return security.authenticate(identity)

    # IFacets

    def dataset_facets(self, facets_dict: OrderedDict, package_type: str) -> OrderedDict:
        return search.dataset_facets(facets_dict)

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.before_dataset_index(pkg_dict)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        daftar_data.sync_link(pkg_dict.get("id") or getattr(context.get("package"), "id", ""))

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        daftar_data.sync_link(pkg_dict.get("id") or getattr(context.get("package"), "id", ""))

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.with_workflow_state(pkg_dict)

    # IPermissionLabels

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return permissions.dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return permissions.user_labels(user_obj)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        return search.after_dataset_search(search_results)
