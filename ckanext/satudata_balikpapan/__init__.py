"""ckanext-satudata_balikpapan: the Satu Data portal of Kota Balikpapan on CKAN.

One folder per Satu Data concept (``docs/architecture.md``): ``registry`` (vocabularies, the
OPD registry, roles), ``workflow`` (verification), ``quality`` (the pure checks and their CKAN
side), ``dcat`` (the feed), ``data_requests`` (permohonan data), ``portal`` (pages), ``demo``;
``model`` holds the tables, ``lib`` what all share; ``logic``, ``views``, ``plugin``, ``cli``
and ``helpers`` are CKAN's places.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

# Background jobs are stored in Redis under their function's dotted path. Jobs queued before
# the package was laid out by domain (0.1.0, CHANGELOG) name two modules that have moved; rq
# resolves ``ckanext.satudata_balikpapan.notify.send_event_mail`` by importing this package and
# reading its attribute ``notify``, so each old module name answers with its new home until
# those queues are drained. (``quality.service.run_validation_job`` kept its path.)
_MOVED_JOB_MODULES = {
    "notify": "ckanext.satudata_balikpapan.workflow.notify",
    "requests": "ckanext.satudata_balikpapan.data_requests.mail",
}


def __getattr__(name: str) -> ModuleType:
    if name in _MOVED_JOB_MODULES:
        return importlib.import_module(_MOVED_JOB_MODULES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
