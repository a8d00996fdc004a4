"""exchange sent rows and conflicts

What each bundle sent out (or took in), row by row with its content hash: the base a
merge compares both sides with; and the rows found changed on both sides, kept until a
centre manager resolves them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:52:09.985992
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_sent',
    sa.Column('bundle_id', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('sent_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_sent'))
    )
    with op.batch_alter_table('exchange_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_sent_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index('ix_exchange_sent_row', ['table_name', 'row_id', 'sent_at'], unique=False)

    op.create_table('exchange_conflicts',
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('local_content', sa.Text(), nullable=False),
    sa.Column('local_hash', sa.String(length=64), nullable=False),
    sa.Column('incoming_content', sa.Text(), nullable=False),
    sa.Column('incoming_hash', sa.String(length=64), nullable=False),
    sa.Column('bundle_id', sa.String(length=36), nullable=False),
    sa.Column('origin_workstation', sa.String(length=36), nullable=False),
    sa.Column('found_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.Column('kept', sa.String(length=10), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['resolved_by'], ['accounts.id'], name=op.f('fk_exchange_conflicts_resolved_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_conflicts')),
    sa.UniqueConstraint('table_name', 'row_id', 'local_hash', 'incoming_hash', name='uq_exchange_conflicts_pair')
    )
    with op.batch_alter_table('exchange_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_conflicts_row_id'), ['row_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exchange_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_conflicts_row_id'))

    op.drop_table('exchange_conflicts')
    with op.batch_alter_table('exchange_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_sent_row')
        batch_op.drop_index(batch_op.f('ix_exchange_sent_bundle_id'))

    op.drop_table('exchange_sent')