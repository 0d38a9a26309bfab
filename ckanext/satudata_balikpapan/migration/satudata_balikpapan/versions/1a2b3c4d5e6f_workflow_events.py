"""Verification workflow: the state of each dataset and its append-only history.

Revision ID: 1a2b3c4d5e6f
Revises:
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

revision = "1a2b3c4d5e6f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_dataset_state",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        # a published version is public (also while a later edit is under review)
        sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("first_published", sa.DateTime),
        sa.Column("last_published", sa.DateTime),
        sa.Column("changed", sa.DateTime, nullable=False),
        sa.Column("last_note", sa.UnicodeText),
    )
    op.create_table(
        "satudata_workflow_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        # no foreign key: the history survives the dataset's deletion and purge
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("package_name", sa.UnicodeText, nullable=False),
        sa.Column("package_title", sa.UnicodeText),
        sa.Column("owner_org", sa.UnicodeText, index=True),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText),
        sa.Column("to_state", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("actor_name", sa.UnicodeText),
        sa.Column("role", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText),
        sa.Column("changed_fields", sa.UnicodeText),  # JSON list
        sa.Column("created", sa.DateTime, nullable=False, index=True),
    )
    # Append-only at the database level too: rows can be inserted, never changed or removed.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION satudata_workflow_event_append_only() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION 'satudata_workflow_event is append-only';
        END;
        $$ LANGUAGE plpgsql;
        DROP TRIGGER IF EXISTS satudata_workflow_event_no_change ON satudata_workflow_event;
        CREATE TRIGGER satudata_workflow_event_no_change
          BEFORE UPDATE OR DELETE ON satudata_workflow_event
          FOR EACH ROW EXECUTE FUNCTION satudata_workflow_event_append_only();
        """
    )


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS satudata_workflow_event_no_change ON satudata_workflow_event")
    op.execute("DROP FUNCTION IF EXISTS satudata_workflow_event_append_only()")
    op.drop_table("satudata_workflow_event")
    op.drop_table("satudata_dataset_state")
