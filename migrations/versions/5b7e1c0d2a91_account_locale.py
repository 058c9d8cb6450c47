"""accounts: the language the person chose (locale, null until chosen)

Revision ID: 5b7e1c0d2a91
Revises: d9e3f5a70b22
Create Date: 2026-12-03 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e1c0d2a91'
down_revision = 'd9e3f5a70b22'
branch_labels = None
depends_on = None


def upgrade():
    # A plain nullable column: no table rebuild on SQLite; the API accepts only app.i18n.LOCALES.
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('locale')
