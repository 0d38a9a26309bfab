"""The DCAT endpoints serve only published data (chained ckanext-dcat actions).

The public sees only published datasets anyway (IPermissionLabels); these chains make the feed
the same for every caller, a sysadmin's harvester included, so that a harvester never copies
a draft or a dataset the walidata has withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import rdflib.plugin
import rdflib.serializer
from ckan import model
from ckan.lib.search import SearchError
from ckan.types import Action, Context, DataDict
from ckanext.dcat.utils import url_to_rdflib_format

from ckanext.satudata_balikpapan.dcat import PUBLISHED_FQ, cache, fragments, national, upstream
from ckanext.satudata_balikpapan.workflow import service as workflow


def _readable_query(call: Callable[[], Any]) -> Any:
    """``call()``, with a query or filter Solr cannot parse (``q="``, ``fq=(((``) refused as
    bad input (ckanext-dcat's view answers 409 with the message) instead of a server error."""

    try:
        return call()
    except SearchError as error:
        message = tk._("The search query or filter (q, fq) cannot be read")
        raise tk.ValidationError({"q": [message]}) from error


def _known_format(data_dict: dict[str, Any]) -> None:
    """A ``format`` rdflib can write (ckanext-dcat's names: ttl, rdf, xml, jsonld, n3, and
    rdflib's own), else a 409 naming it: rdflib would raise on an unknown one."""
    fmt = data_dict.get("format")
    if fmt in (None, ""):
        return
    try:
        rdflib.plugin.get(url_to_rdflib_format(fmt), rdflib.serializer.Serializer)
    except (rdflib.plugin.PluginException, TypeError):
        message = tk._("Unknown format: {format}; use ttl, rdf, xml, jsonld or n3")
        raise tk.ValidationError({"format": [message.format(format=str(fmt)[:40])]}) from None


def _published_only(data_dict: dict[str, Any]) -> dict[str, Any]:
    _known_format(data_dict)
    data_dict = dict(data_dict)
    fq = (data_dict.get("fq") or "").strip()
    data_dict["fq"] = f"{PUBLISHED_FQ} +({fq})" if fq else PUBLISHED_FQ
    return data_dict


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """The catalogue (``/catalog.{ttl,rdf,jsonld,xml}``): published datasets only, served from
    the page cache while the published catalogue is unchanged (``dcat/cache.py``), and
    otherwise joined from per-dataset fragments rendered once (``dcat/fragments.py``)."""

    tk.check_access("dcat_catalog_show", context, data_dict)
    published = _published_only(data_dict)

    def render() -> Any:
        page = fragments.render_catalog(context, published)
        return page if page is not None else up_func(context, published)

    return _readable_query(lambda: cache.cached_page(published, render))


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Catalogue search: published datasets only."""
    return _readable_query(lambda: up_func(context, _published_only(data_dict)))


@tk.chained_action
@tk.side_effect_free
def dcat_datasets_list(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """``/dcat.json``: one page of published datasets (``page``, ``modified_since``, pages of
    ``ckanext.dcat.datasets_per_page``, newest change first, as the other catalogue
    endpoints), each in the keys the national portal's harvester reads (``dcat/national.py``).

    Replaces ckanext-dcat's list rather than wrapping it: its objects carry only the standard
    keys, and the national ones need the dataset's OPD and workflow state."""

    tk.check_access("dcat_datasets_list", context, data_dict)
    published = _published_only({k: data_dict.get(k) for k in ("page", "modified_since", "q", "fq")})
    query = _readable_query(lambda: upstream.search_datasets(context, published))
    show = tk.get_action("organization_show")

    def organisation(org_id: str) -> dict[str, Any]:
        try:
            return show({"ignore_auth": True}, {"id": org_id, "include_datasets": False})
        except tk.ObjectNotFound:
            return {}

    return national.dataset_objects(query["results"], organisation)


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """One dataset as RDF (``/dataset/<id>.ttl``): not found unless published."""

    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is None or pkg.state != "active" or not workflow.state_of(pkg)["published"]:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    _known_format(data_dict)
    return up_func(context, data_dict)
