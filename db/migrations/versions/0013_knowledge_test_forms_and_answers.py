"""knowledge test forms and answers

A knowledge-test form per sitting and blueprint (its seed, the items with their
versions and option order as shown, when it started, the time allowed with extra time,
when it was submitted and its marks), and an answer per item of a form (the options
chosen, flagged, when, and the write that set it).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 06:43:19.128579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('knowledge_forms',
    sa.Column('sitting_id', sa.String(length=36), nullable=False),
    sa.Column('pack_id', sa.String(length=36), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('started_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('allowed_ms', sa.Integer(), nullable=False),
    sa.Column('submitted_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('submitted_how', sa.String(length=20), nullable=True),
    sa.Column('marks', sa.String(length=20), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['pack_id'], ['packs.id'], name=op.f('fk_knowledge_forms_pack_id_packs')),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_knowledge_forms_sitting_id_sittings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_forms')),
    sa.UniqueConstraint('sitting_id', 'form_id', name='uq_knowledge_forms_sitting_form')
    )
    with op.batch_alter_table('knowledge_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_forms_sitting_id'), ['sitting_id'], unique=False)

    op.create_table('knowledge_answers',
    sa.Column('knowledge_form_id', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('item_version', sa.Integer(), nullable=False),
    sa.Column('chosen', sa.Text(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('answered_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('write_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['knowledge_form_id'], ['knowledge_forms.id'], name=op.f('fk_knowledge_answers_knowledge_form_id_knowledge_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_answers')),
    sa.UniqueConstraint('knowledge_form_id', 'item_id', name='uq_knowledge_answers_form_item')
    )
    with op.batch_alter_table('knowledge_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_answers_knowledge_form_id'), ['knowledge_form_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('knowledge_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_answers_knowledge_form_id'))

    op.drop_table('knowledge_answers')
    with op.batch_alter_table('knowledge_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_forms_sitting_id'))

    op.drop_table('knowledge_forms')
