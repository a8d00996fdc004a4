"""recordings consent and bookmarks

Role-play recordings (a folder per recording, its status and deletion), consent to
record given or withdrawn for a sitting, reviewers' bookmarks, the recording time of an
evidence note, and the centre's retention period for recordings.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 06:41:15.480190
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0012'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recording_consents',
    sa.Column('sitting_id', sa.String(length=36), nullable=False),
    sa.Column('station_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_recording_consents_actor_id_actors')),
    sa.ForeignKeyConstraint(['recorded_by'], ['accounts.id'], name=op.f('fk_recording_consents_recorded_by_accounts')),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_recording_consents_sitting_id_sittings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_consents'))
    )
    with op.batch_alter_table('recording_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_consents_sitting_id'), ['sitting_id'], unique=False)

    op.create_table('recordings',
    sa.Column('sitting_id', sa.String(length=36), nullable=False),
    sa.Column('station_id', sa.String(length=64), nullable=False),
    sa.Column('folder', sa.String(length=400), nullable=False),
    sa.Column('started_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_by', sa.String(length=36), nullable=False),
    sa.Column('deleted_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['deleted_by'], ['accounts.id'], name=op.f('fk_recordings_deleted_by_accounts')),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_recordings_sitting_id_sittings')),
    sa.ForeignKeyConstraint(['started_by'], ['accounts.id'], name=op.f('fk_recordings_started_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings'))
    )
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordings_sitting_id'), ['sitting_id'], unique=False)

    op.create_table('recording_bookmarks',
    sa.Column('recording_id', sa.String(length=36), nullable=False),
    sa.Column('position_ms', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('made_by', sa.String(length=36), nullable=False),
    sa.Column('made_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['made_by'], ['accounts.id'], name=op.f('fk_recording_bookmarks_made_by_accounts')),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_recording_bookmarks_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_bookmarks'))
    )
    with op.batch_alter_table('recording_bookmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_bookmarks_recording_id'), ['recording_id'], unique=False)

    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_retention_days', sa.Integer(), server_default='90', nullable=False))

    with op.batch_alter_table('evidence_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_ms', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('evidence_notes', schema=None) as batch_op:
        batch_op.drop_column('recording_ms')

    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.drop_column('recording_retention_days')

    with op.batch_alter_table('recording_bookmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_bookmarks_recording_id'))

    op.drop_table('recording_bookmarks')
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordings_sitting_id'))

    op.drop_table('recordings')
    with op.batch_alter_table('recording_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_consents_sitting_id'))

    op.drop_table('recording_consents')
