"""audit chains: a chain id per database, each entry's place in its chain

The database is given its chain id, and every entry it holds is placed in that chain at
its own number, so every hash already written stays valid.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:48:25.682244
"""

from collections.abc import Sequence
from datetime import UTC, datetime
import uuid

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_chain',
    sa.Column('chain_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain')),
    sa.UniqueConstraint('chain_id', name=op.f('uq_audit_chain_chain_id'))
    )
    chain_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    chain = sa.table(
        'audit_chain',
        sa.column('id', sa.String), sa.column('created_at', db.base.UtcDateTime(timezone=True)),
        sa.column('updated_at', db.base.UtcDateTime(timezone=True)), sa.column('workstation_id', sa.String),
        sa.column('chain_id', sa.String),
    )
    op.get_bind().execute(chain.insert().values(
        id=str(uuid.uuid4()), created_at=now, updated_at=now, workstation_id='migration-0008',
        chain_id=chain_id,
    ))

    # Filled before they are made required: every entry so far was written here, in order.
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
    entries = sa.table('audit_entries', sa.column('seq', sa.Integer), sa.column('chain_id', sa.String),
                       sa.column('chain_seq', sa.Integer))
    op.get_bind().execute(entries.update().values(chain_id=chain_id, chain_seq=entries.c.seq))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('chain_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column('chain_seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_chain_id_chain_seq'), ['chain_id', 'chain_seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_chain_id_chain_seq'), type_='unique')
        batch_op.drop_column('chain_seq')
        batch_op.drop_column('chain_id')

    op.drop_table('audit_chain')
