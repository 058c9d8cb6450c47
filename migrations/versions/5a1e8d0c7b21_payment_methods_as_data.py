"""payment methods as data: store settings for methods, the Stripe method and next action on payments and top-ups

Revision ID: 5a1e8d0c7b21
Revises: 3e3d2108a3c5
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1e8d0c7b21'
down_revision = '3e3d2108a3c5'
branch_labels = None
depends_on = None

ONLINE = '["card", "wechat_pay", "alipay"]'
CAMPAIGNS = '{"flash_sale": ["online"], "group_buy": ["online"], "pre_sale": ["online"]}'


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('next_action', sa.JSON(), nullable=True))
    with op.batch_alter_table('wallet_top_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('next_action', sa.JSON(), nullable=True))
    with op.batch_alter_table('store_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_methods', sa.JSON(), nullable=False, server_default=ONLINE))
        batch_op.add_column(sa.Column('wallet_enabled', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('campaign_methods', sa.JSON(), nullable=False, server_default=CAMPAIGNS))


def downgrade():
    with op.batch_alter_table('store_settings', schema=None) as batch_op:
        batch_op.drop_column('campaign_methods')
        batch_op.drop_column('wallet_enabled')
        batch_op.drop_column('online_methods')
    with op.batch_alter_table('wallet_top_ups', schema=None) as batch_op:
        batch_op.drop_column('next_action')
        batch_op.drop_column('method')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('next_action')
        batch_op.drop_column('method')
