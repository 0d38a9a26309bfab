"""Data requests (permohonan data): the requests and their append-only history.

Revision ID: 2b3c4d5e6f70
Revises: 1a2b3c4d5e6f
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "2b3c4d5e6f70"
down_revision = "1a2b3c4d5e6f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_data_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("reference", sa.UnicodeText, nullable=False, unique=True),  # PD-2026-0001
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        # personal data (UU 27/2022): the walidata, the assigned OPD and the private link only
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("email", sa.UnicodeText, nullable=False),
        sa.Column("institution", sa.UnicodeText),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("data_description", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText),
        sa.Column("area", sa.UnicodeText),  # a Kemendagri region code under 64.71
        # no foreign keys: a request outlives a retired OPD or a purged dataset
        sa.Column("organization_id", sa.UnicodeText, index=True),
        sa.Column("state", sa.UnicodeText, nullable=False, index=True),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("dataset_id", sa.UnicodeText),
        sa.Column("token_hash", sa.UnicodeText, nullable=False),  # SHA-256 of the private link's token
        sa.Column("ip_hash", sa.UnicodeText),  # keyed hash of the network address (rate limit)
        sa.Column("created", sa.DateTime, nullable=False, index=True),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.UniqueConstraint("year", "number", name="satudata_data_request_year_number_key"),
    )
    op.create_index(
        "ix_satudata_data_request_email_lower", "satudata_data_request", [sa.text("lower(email)")]
    )
    op.create_index("ix_satudata_data_request_ip_hash", "satudata_data_request", ["ip_hash"])
    op.create_table(
        "satudata_data_request_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("request_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText),
        sa.Column("to_state", sa.UnicodeText),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("dataset_id", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("actor_name", sa.UnicodeText),
        sa.Column("role", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION satudata_data_request_event_append_only() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION 'satudata_data_request_event is append-only';
        END;
        $$ LANGUAGE plpgsql;
        DROP TRIGGER IF EXISTS satudata_data_request_event_no_change ON satudata_data_request_event;
        CREATE TRIGGER satudata_data_request_event_no_change
          BEFORE UPDATE OR DELETE ON satudata_data_request_event
          FOR EACH ROW EXECUTE FUNCTION satudata_data_request_event_append_only();
        """
    )


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS satudata_data_request_event_no_change ON satudata_data_request_event")
    op.execute("DROP FUNCTION IF EXISTS satudata_data_request_event_append_only()")
    op.drop_table("satudata_data_request_event")
    op.drop_table("satudata_data_request")
