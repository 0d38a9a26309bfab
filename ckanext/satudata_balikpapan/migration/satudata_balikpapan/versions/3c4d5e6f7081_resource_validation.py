"""Data quality: the validation of each CSV or XLSX resource (status, findings, hash, profile),
and the warnings the walidata published past (with the reason).

Revision ID: 3c4d5e6f7081
Revises: 2b3c4d5e6f70
Create Date: 2026-12-15

"""

import sqlalchemy as sa
from alembic import op

revision = "3c4d5e6f7081"
down_revision = "2b3c4d5e6f70"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_resource_validation",
        # no foreign keys: rows of deleted resources are ignored, never cascaded
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("status", sa.UnicodeText, nullable=False),  # menunggu | valid | tidak_valid | gagal
        sa.Column("sha256", sa.UnicodeText, index=True),  # identical_file across datasets
        sa.Column("rows", sa.Integer),
        sa.Column("findings", sa.JSON),  # [Finding.to_dict()], at most 100 per code
        sa.Column("counts", sa.JSON),  # every occurrence per code
        sa.Column("profile", sa.JSON),  # compared with the dataset's later resources
        sa.Column("schema_hash", sa.UnicodeText),
        sa.Column("fingerprint", sa.UnicodeText),  # what was validated (file, schema, satuan)
        sa.Column("format", sa.UnicodeText),
        sa.Column("validated_at", sa.DateTime),
        sa.Column("queued_at", sa.DateTime),
        sa.Column("error", sa.UnicodeText),  # why the check could not run (status gagal)
    )
    op.create_table(
        "satudata_quality_ack",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("resource_id", sa.UnicodeText),  # null: a dataset-level finding (stale)
        sa.Column("code", sa.UnicodeText, nullable=False),
        sa.Column("target", sa.UnicodeText, nullable=False),  # the file and schema, or the period seen
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("actor_name", sa.UnicodeText),
        sa.Column("event_id", sa.UnicodeText),  # the publication event that recorded the reason
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("satudata_quality_ack")
    op.drop_table("satudata_resource_validation")
