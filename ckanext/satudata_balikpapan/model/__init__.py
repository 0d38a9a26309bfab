"""The extension's own tables, one module per entity (created by the alembic migrations in
``migration/satudata_balikpapan``):

* :mod:`.dataset_state` - the verification state of each dataset;
* :mod:`.workflow_event` - the append-only verification history;
* :mod:`.resource_validation` - the last validation of each CSV or spreadsheet file;
* :mod:`.quality_ack` - the warnings a walidata published past, with the reason;
* :mod:`.data_request` - the data requests (permohonan data) and their history;
* :mod:`.daftar_data` - the Daftar Data items of each year and the datasets that fulfil them;
* :mod:`.outbox` - background work that must happen once a change is durable;
* :mod:`.migrated_dataset` - the datasets that came from the former portal;
* :mod:`.chain` - the keyed hash chain over the append-only tables.

Each module owns its table and the queries on it; nothing else writes SQL on these tables.
"""

from __future__ import annotations

from ckanext.satudata_balikpapan.model import (
    daftar_data,
    data_request,
    dataset_state,
    migrated_dataset,
    outbox,
    quality_ack,
    resource_validation,
    workflow_event,
)

# Every table of the extension (what a test or a reset empties).
TABLES = (
    workflow_event.TABLE,
    dataset_state.TABLE,
    *data_request.TABLES,
    *daftar_data.TABLES,
    quality_ack.TABLE,
    resource_validation.TABLE,
    outbox.TABLE,
    migrated_dataset.TABLE,
)

# The append-only tables: triggers refuse UPDATE, DELETE and TRUNCATE; rows are hash-chained.
APPEND_ONLY = (workflow_event.workflow_event, quality_ack.quality_ack, data_request.data_request_event)
