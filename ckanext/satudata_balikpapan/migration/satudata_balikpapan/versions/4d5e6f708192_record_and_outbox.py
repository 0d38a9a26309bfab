"""A record that cannot be rewritten, and work that is not lost (issue #13).

* The verification history, the quality acknowledgements and the data request history get a
  keyed hash chain (``seq``, ``prev_hash``, ``row_hash``; ``model/chain.py``), computed here
  for the rows they already hold, oldest first.
* Triggers refuse UPDATE and DELETE on all three (the acknowledgements had none) and
  TRUNCATE (a statement trigger; only the table's owner can disable it, and the production
  role set-up in ``deploy/postgres/roles.sql`` keeps the app from owning the tables).
* ``satudata_outbox``: notifications written with the change they announce.
* ``satudata_resource_validation.attempts``: how often the sweeper queued a validation again.

Revision ID: 4d5e6f708192
Revises: 3c4d5e6f7081
Create Date: 2026-12-06

"""

import sqlalchemy as sa
from alembic import op

from ckanext.satudata_balikpapan.model import chain

revision = "4d5e6f708192"
down_revision = "3c4d5e6f7081"
branch_labels = None
depends_on = None

APPEND_ONLY = ("satudata_workflow_event", "satudata_quality_ack", "satudata_data_request_event")
ROW_TRIGGER = {
    "satudata_workflow_event": ("satudata_workflow_event_no_change", "satudata_workflow_event_append_only"),
    "satudata_data_request_event": (
        "satudata_data_request_event_no_change",
        "satudata_data_request_event_append_only",
    ),
    "satudata_quality_ack": ("satudata_quality_ack_no_change", "satudata_append_only"),
}


def _backfill(table_name: str) -> None:
    bind = op.get_bind()
    table = sa.Table(table_name, sa.MetaData(), autoload_with=bind)
    prev = chain.GENESIS
    rows = bind.execute(sa.select(table).order_by(table.c.created, table.c.id)).mappings().all()
    for seq, row in enumerate(rows, start=1):
        values = {k: v for k, v in row.items() if k not in chain.CHAIN_COLUMNS}
        values.update(seq=seq, prev_hash=prev)
        digest = chain.row_hash(table_name, prev, values)
        bind.execute(
            table.update().where(table.c.id == row["id"]).values(seq=seq, prev_hash=prev, row_hash=digest)
        )
        prev = digest


def upgrade():
    op.execute(
        """
        CREATE OR REPLACE FUNCTION satudata_append_only() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    for name in APPEND_ONLY:
        op.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
        op.add_column(name, sa.Column("seq", sa.BigInteger))
        op.add_column(name, sa.Column("prev_hash", sa.UnicodeText))
        op.add_column(name, sa.Column("row_hash", sa.UnicodeText))
        _backfill(name)
        op.create_unique_constraint(f"{name}_seq_key", name, ["seq"])
        op.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
        trigger, function = ROW_TRIGGER[name]
        op.execute(
            f"""
            DROP TRIGGER IF EXISTS {trigger} ON {name};
            CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {name}
              FOR EACH ROW EXECUTE FUNCTION {function}();
            CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name}
              FOR EACH STATEMENT EXECUTE FUNCTION satudata_append_only();
            """
        )
    op.create_table(
        "satudata_outbox",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("job", sa.UnicodeText, nullable=False),
        sa.Column("args", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText),
        sa.Column("status", sa.UnicodeText, nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("queued_at", sa.DateTime),
        sa.Column("done_at", sa.DateTime),
        sa.Column("error", sa.UnicodeText),
    )
    op.add_column(
        "satudata_resource_validation",
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_column("satudata_resource_validation", "attempts")
    op.drop_table("satudata_outbox")
    for name in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {name}")
        if name == "satudata_quality_ack":
            op.execute(f"DROP TRIGGER IF EXISTS satudata_quality_ack_no_change ON {name}")
        op.drop_constraint(f"{name}_seq_key", name)
        for column in ("row_hash", "prev_hash", "seq"):
            op.drop_column(name, column)
    op.execute("DROP FUNCTION IF EXISTS satudata_append_only()")
