"""store setting: staff refunds above an amount need a second staff member (four-eyes); off by default

Revision ID: d9e3f5a70b22
Revises: c8d2e4f60a11
Create Date: 2026-12-03 17:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd9e3f5a70b22'
down_revision = 'c8d2e4f60a11'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, no default: existing merchants keep refunding as before until an owner sets an amount.
    op.add_column('store_settings', sa.Column('refund_approval_above_cents', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('store_settings') as batch_op:
        batch_op.drop_column('refund_approval_above_cents')
