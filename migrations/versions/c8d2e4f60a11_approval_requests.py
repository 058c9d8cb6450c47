"""approval requests: four-eyes for commission rule and settings changes (and large refunds)

Revision ID: c8d2e4f60a11
Revises: b7a1c0de2020
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa



revision = 'c8d2e4f60a11'
down_revision = 'b7a1c0de2020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'approval_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='approval_status', native_enum=False,
                                    create_constraint=True, length=24), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('amount_cents', sa.Integer(), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rejection_reason', sa.String(length=200), nullable=True),
        sa.Column('result_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['requested_by_id'], ['accounts.id'],
                                name=op.f('fk_approval_requests_requested_by_id_accounts')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['accounts.id'],
                                name=op.f('fk_approval_requests_decided_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_requests')),
    )
    op.create_index('ix_approval_requests_kind_status', 'approval_requests', ['kind', 'status'])


def downgrade():
    op.drop_index('ix_approval_requests_kind_status', table_name='approval_requests')
    op.drop_table('approval_requests')
