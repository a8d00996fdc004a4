"""calibration

Calibration exercises: a consented recording of a station with the levels a panel agreed
for each criterion, each assessor's one attempt at it, and their levels.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:44:13.901915
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calibration_exercises',
    sa.Column('recording_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('made_by', sa.String(length=36), nullable=False),
    sa.Column('made_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['made_by'], ['accounts.id'], name=op.f('fk_calibration_exercises_made_by_accounts')),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_calibration_exercises_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_exercises'))
    )
    with op.batch_alter_table('calibration_exercises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_exercises_recording_id'), ['recording_id'], unique=False)

    op.create_table('calibration_agreed_levels',
    sa.Column('exercise_id', sa.String(length=36), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['calibration_exercises.id'], name=op.f('fk_calibration_agreed_levels_exercise_id_calibration_exercises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_agreed_levels')),
    sa.UniqueConstraint('exercise_id', 'criterion_id', name='uq_calibration_agreed_levels_exercise_criterion')
    )
    with op.batch_alter_table('calibration_agreed_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_agreed_levels_exercise_id'), ['exercise_id'], unique=False)

    op.create_table('calibration_attempts',
    sa.Column('exercise_id', sa.String(length=36), nullable=False),
    sa.Column('assessor_id', sa.String(length=36), nullable=False),
    sa.Column('started_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['accounts.id'], name=op.f('fk_calibration_attempts_assessor_id_accounts')),
    sa.ForeignKeyConstraint(['exercise_id'], ['calibration_exercises.id'], name=op.f('fk_calibration_attempts_exercise_id_calibration_exercises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_attempts')),
    sa.UniqueConstraint('exercise_id', 'assessor_id', name='uq_calibration_attempts_exercise_assessor')
    )
    with op.batch_alter_table('calibration_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_attempts_assessor_id'), ['assessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_attempts_exercise_id'), ['exercise_id'], unique=False)

    op.create_table('calibration_levels',
    sa.Column('attempt_id', sa.String(length=36), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['calibration_attempts.id'], name=op.f('fk_calibration_levels_attempt_id_calibration_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_levels')),
    sa.UniqueConstraint('attempt_id', 'criterion_id', name='uq_calibration_levels_attempt_criterion')
    )
    with op.batch_alter_table('calibration_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_levels_attempt_id'), ['attempt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('calibration_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_levels_attempt_id'))

    op.drop_table('calibration_levels')
    with op.batch_alter_table('calibration_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_attempts_exercise_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_attempts_assessor_id'))

    op.drop_table('calibration_attempts')
    with op.batch_alter_table('calibration_agreed_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_agreed_levels_exercise_id'))

    op.drop_table('calibration_agreed_levels')
    with op.batch_alter_table('calibration_exercises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_exercises_recording_id'))

    op.drop_table('calibration_exercises')
