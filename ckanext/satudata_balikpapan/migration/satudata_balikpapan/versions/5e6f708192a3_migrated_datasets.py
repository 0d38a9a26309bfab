"""Moving in (issue #18): the record of each dataset migrated from the city's former portal.

Revision ID: 5e6f708192a3
Revises: 4d5e6f708192
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "5e6f708192a3"
down_revision = "4d5e6f708192"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_migrated_dataset",
        # no foreign key: a purged dataset's record is dropped with it (dataset_purge)
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("source", sa.UnicodeText, nullable=False),  # the old portal's URL or dump file
        sa.Column("source_name", sa.UnicodeText, nullable=False),
        sa.Column("source_org", sa.UnicodeText),
        sa.Column("source_state", sa.UnicodeText, nullable=False),  # publik | privat | draft
        sa.Column("source_hash", sa.UnicodeText, nullable=False),  # what was migrated (idempotence)
        sa.Column("owner_org", sa.UnicodeText, index=True),
        sa.Column("arrived_as", sa.UnicodeText, nullable=False),  # terbit | draft
        sa.Column("files", sa.JSON),  # {resource_id: {sha256, bytes}} of the copied files
        sa.Column("missing", sa.JSON),  # required Satu Data fields still to complete
        sa.Column("unmapped", sa.JSON),  # old values no rule placed, by their old key
        sa.Column("problems", sa.JSON),
        sa.Column("migrated_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("satudata_migrated_dataset")
