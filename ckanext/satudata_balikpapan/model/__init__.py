"""The extension's own tables, one module per entity (created by the alembic migrations in
``migration/satudata_balikpapan``):

* :mod:`.dataset_state` - the verification state of each dataset;
* :mod:`.workflow_event` - the append-only verification history;
* :mod:`.resource_validation` - the last validation of each CSV or spreadsheet file;
* :mod:`.quality_ack` - the warnings a walidata published past, with the reason;
* :mod:`.data_request` - the data requests (permohonan data) and their history.

Each module owns its table and the queries on it; nothing else writes SQL on these tables.
"""

from __future__ import annotations

from ckanext.satudata_balikpapan.model import (
    data_request,
    dataset_state,
    quality_ack,
    resource_validation,
    workflow_event,
)

# Every table of the extension (what a test or a reset empties).
TABLES = (
    workflow_event.TABLE,
    dataset_state.TABLE,
    *data_request.TABLES,
    quality_ack.TABLE,
    resource_validation.TABLE,
)
