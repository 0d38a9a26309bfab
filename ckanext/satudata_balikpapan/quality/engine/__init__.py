"""Data quality of tabular resources (issue #5): a pure validation engine, without CKAN.

* :mod:`.tableschema` - infer, check and load a resource's Table Schema;
* :mod:`.engine` - :func:`~.engine.validate` a CSV or XLSX file against it, streamed,
  into a :class:`~.engine.Report` of :class:`~.findings.Finding` s;
* :mod:`.profile` - the per-period summary of a file and the checks across resources
  (:func:`~.profile.check_copied`, :func:`~.profile.check_extreme`,
  :func:`~.profile.check_total_mismatch`);
* :mod:`.periods` - periods and :func:`~.periods.stale_check`;
* :mod:`.limits` - the bounds a file's reading may not pass, measured before it starts.

The CKAN integration (resource hooks, jobs, publish gate) builds on this interface.
"""

from ckanext.satudata_balikpapan.quality.engine.findings import CODES, ERROR, WARNING, Finding
from ckanext.satudata_balikpapan.quality.engine.limits import LimitExceeded, Limits, measure
from ckanext.satudata_balikpapan.quality.engine.periods import expected_by, parse_period, stale_check
from ckanext.satudata_balikpapan.quality.engine.profile import (
    check_copied,
    check_extreme,
    check_total_mismatch,
)
from ckanext.satudata_balikpapan.quality.engine.tableschema import (
    SchemaError,
    infer,
    is_valid_descriptor,
    load,
    validate_schema,
)
from ckanext.satudata_balikpapan.quality.engine.validator import (
    Report,
    ValidationContext,
    same_unit,
    validate,
)

__all__ = [
    "CODES",
    "ERROR",
    "WARNING",
    "Finding",
    "LimitExceeded",
    "Limits",
    "Report",
    "SchemaError",
    "ValidationContext",
    "check_copied",
    "check_extreme",
    "check_total_mismatch",
    "expected_by",
    "infer",
    "is_valid_descriptor",
    "load",
    "measure",
    "parse_period",
    "same_unit",
    "stale_check",
    "validate",
    "validate_schema",
]
