"""borderline judgements and adopted station pass marks

An assessor's overall judgement of a station can be marked borderline ("only just" met
or not met), the grade standard setting needs; and the station pass marks a centre
adopts, each a new version per pack and station, never edited.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 05:59:48.566325
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('station_pass_marks',
    sa.Column('pack_name', sa.String(length=64), nullable=False),
    sa.Column('pack_version', sa.String(length=32), nullable=False),
    sa.Column('station_id', sa.String(length=64), nullable=False),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('r_squared', sa.Float(), nullable=True),
    sa.Column('se', sa.Float(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('adopted_by', sa.String(length=36), nullable=False),
    sa.Column('adopted_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by'], ['accounts.id'], name=op.f('fk_station_pass_marks_adopted_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_pass_marks')),
    sa.UniqueConstraint('pack_name', 'pack_version', 'station_id', 'version', name='uq_station_pass_marks_version')
    )
    with op.batch_alter_table('judgements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('borderline', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('judgements', schema=None) as batch_op:
        batch_op.drop_column('borderline')

    op.drop_table('station_pass_marks')
