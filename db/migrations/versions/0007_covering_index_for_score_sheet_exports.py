"""covering index for score sheet exports

Every sheet's levels, read from the index alone when a centre exports its score sheets.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:07:27.203348
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ['sitting_id', 'assessor_id', 'station_id', 'criterion_id', 'level']


def upgrade() -> None:
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index('ix_scores_sheet_levels', COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index('ix_scores_sheet_levels')
