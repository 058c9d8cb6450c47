"""merchant content in other languages: translations JSON on categories, products, SKUs and campaigns

Revision ID: e1f2a3b4c5d6
Revises: c2403c3262bd
Create Date: 2026-12-03 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e1f2a3b4c5d6'
down_revision = 'c2403c3262bd'
branch_labels = None
depends_on = None

TABLES = ('categories', 'products', 'skus', 'campaigns')


def upgrade():
    # Nullable, no default: existing rows simply have no translation and read as written.
    for table in TABLES:
        op.add_column(table, sa.Column('translations', sa.JSON(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('translations')
