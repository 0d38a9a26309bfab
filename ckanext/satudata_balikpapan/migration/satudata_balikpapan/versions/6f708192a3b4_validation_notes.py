"""Quality on office files (issue #15): the note lines read below a table ("Sumber: ...",
"Keterangan: ...", a signature block), kept with the file's validation to be shown as
catatan, not checked as data; and which checks ran on the file and which could not.

Revision ID: 6f708192a3b4
Revises: 5e6f708192a3
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "6f708192a3b4"
down_revision = "5e6f708192a3"
branch_labels = None
depends_on = None


def upgrade():
    # [{row, sheet, text}], at most 50 lines of 300 characters (quality.engine.validator)
    op.add_column("satudata_resource_validation", sa.Column("notes", sa.JSON))
    # {ran: [code], not_run: [{check, why: {id, en}}], roles_given: [{field, role}]}
    op.add_column("satudata_resource_validation", sa.Column("checks", sa.JSON))


def downgrade():
    op.drop_column("satudata_resource_validation", "checks")
    op.drop_column("satudata_resource_validation", "notes")
