"""Daftar Data (issue #19): the items the Forum Satu Data agreed for a year, the datasets that
fulfil them, and the reminders sent about them.

Revision ID: 708192a3b4c5
Revises: 6f708192a3b4
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "708192a3b4c5"
down_revision = "6f708192a3b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_daftar_data",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        # no foreign keys: an item outlives a retired OPD
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("prioritas", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("kriteria_prioritas", sa.UnicodeText),
        sa.Column("sektor_kegiatan", sa.UnicodeText),
        sa.Column("frekuensi", sa.UnicodeText),
        sa.Column("jadwal_rilis", sa.Date),
        sa.Column("konsep", sa.UnicodeText),
        sa.Column("definisi", sa.UnicodeText),
        sa.Column("satuan", sa.UnicodeText),
        sa.Column("kodereferensi", sa.UnicodeText),
        sa.Column("catatan", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.UnicodeText),
    )
    # one title per OPD and year, whatever the case: the Forum lists an item once
    op.create_index(
        "ux_satudata_daftar_data_title",
        "satudata_daftar_data",
        ["year", "organization_id", sa.text("lower(title)")],
        unique=True,
    )
    op.create_table(
        "satudata_daftar_data_dataset",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("item_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("linked", sa.DateTime, nullable=False),
    )
    # the reminders sent: one per kind, item and day (the digest has item "")
    op.create_table(
        "satudata_daftar_data_reminder",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("item_id", sa.UnicodeText, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("kind", "item_id", "day", name="satudata_daftar_data_reminder_once"),
    )


def downgrade():
    op.drop_table("satudata_daftar_data_reminder")
    op.drop_table("satudata_daftar_data_dataset")
    op.drop_index("ux_satudata_daftar_data_title", table_name="satudata_daftar_data")
    op.drop_table("satudata_daftar_data")
