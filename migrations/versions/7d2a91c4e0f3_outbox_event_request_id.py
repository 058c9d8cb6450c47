"""outbox events remember the request that emitted them (its id goes out with the webhook)

Revision ID: 7d2a91c4e0f3
Revises: b19c4a5e7d21
Create Date: 2026-12-03 19:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7d2a91c4e0f3'
down_revision = 'b19c4a5e7d21'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: events from sweeps and from before this revision have no request.
    op.add_column('outbox_events', sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_events') as batch_op:
        batch_op.drop_column('request_id')
