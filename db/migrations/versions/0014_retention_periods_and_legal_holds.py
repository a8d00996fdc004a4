"""retention periods and legal holds

The centre's retention period per kind of personal data (months), and legal holds on a
candidate's data (an appeal in progress) that stop retention and erasure.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 06:56:33.845174
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retention_periods',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_periods')),
    sa.UniqueConstraint('kind', name=op.f('uq_retention_periods_kind'))
    )
    op.create_table('legal_holds',
    sa.Column('candidate_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by', sa.String(length=36), nullable=False),
    sa.Column('placed_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('released_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.String(length=36), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_legal_holds_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['placed_by'], ['accounts.id'], name=op.f('fk_legal_holds_placed_by_accounts')),
    sa.ForeignKeyConstraint(['released_by'], ['accounts.id'], name=op.f('fk_legal_holds_released_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_candidate_id'), ['candidate_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_candidate_id'))

    op.drop_table('legal_holds')
    op.drop_table('retention_periods')
