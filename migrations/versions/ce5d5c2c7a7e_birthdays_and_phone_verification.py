"""birthdays and phone verification: account birthday and verified phone, phone codes, the
birthday coupon setting, the verified_phone admission rule

Revision ID: ce5d5c2c7a7e
Revises: 0be2748574b2
Create Date: 2026-11-24 01:57:11.522498

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ce5d5c2c7a7e'
down_revision = '0be2748574b2'
branch_labels = None
# store_settings.birthday_coupon_template_id references coupon_templates (the coupons migration).
depends_on = None

RULES_BEFORE = ('open', 'invitation_only', 'min_spend')
RULES_AFTER = RULES_BEFORE + ('verified_phone',)


@contextmanager
def sqlite_foreign_keys_off():
    """SQLite changes a CHECK by rebuilding the table (batch mode: copy, drop, rename), and dropping
    a table that other rows reference fails while foreign keys are enforced - even deferred, the
    violation is still counted at commit. The pragma is ignored inside a transaction, so this ends
    the migration's transaction, switches enforcement off, and checks every reference before
    switching it back on (sqlite.org/lang_altertable.html, "other kinds of table schema changes")."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    raw = bind.connection.driver_connection
    raw.execute('COMMIT')  # the migrations before this one, stamped: a consistent point to return to
    raw.execute('PRAGMA foreign_keys=OFF')
    raw.execute('BEGIN')
    before = set(map(tuple, raw.execute('PRAGMA foreign_key_check').fetchall()))  # orphans already there
    try:
        yield
        broken = set(map(tuple, raw.execute('PRAGMA foreign_key_check').fetchall())) - before
        if broken:
            raise RuntimeError(f'foreign keys broken by the table rebuild: {sorted(broken)[:5]}')
        raw.execute('COMMIT')
    except BaseException:
        raw.execute('ROLLBACK')
        raise
    finally:
        raw.execute('PRAGMA foreign_keys=ON')
        raw.execute('BEGIN')


def _admission_rules(values):
    # Autogenerate does not compare CHECK constraints: a new admission rule needs its CHECK re-created.
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_groups_admission_rule'), type_='check')
        batch_op.create_check_constraint(
            'admission_rule', sa.text('admission_rule IN (' + ', '.join(f"'{v}'" for v in values) + ')'))


def upgrade():
    with sqlite_foreign_keys_off():  # first: nothing of this migration before its COMMIT
        op.create_table('phone_verifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_phone_verifications_attempts_not_negative')),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_phone_verifications_account_id_accounts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_verifications'))
        )
        with op.batch_alter_table('phone_verifications', schema=None) as batch_op:
            batch_op.create_index('ix_phone_verifications_account_created', ['account_id', 'created_at'], unique=False)
            batch_op.create_index('ix_phone_verifications_phone_created', ['phone', 'created_at'], unique=False)

        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.add_column(sa.Column('birth_month', sa.SmallInteger(), nullable=True))
            batch_op.add_column(sa.Column('birth_day', sa.SmallInteger(), nullable=True))
            batch_op.add_column(sa.Column('birth_year', sa.SmallInteger(), nullable=True))
            batch_op.add_column(sa.Column('birthday_changed_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.create_index('ix_accounts_birthday', ['birth_month', 'birth_day'], unique=False)
            batch_op.create_check_constraint('birthday_whole', sa.text('(birth_month IS NULL) = (birth_day IS NULL)'))
            batch_op.create_check_constraint('birthday_range', sa.text(
                'birth_month IS NULL OR (birth_month BETWEEN 1 AND 12 AND birth_day BETWEEN 1 AND 31)'))
            batch_op.create_check_constraint('birth_year_range', sa.text(
                'birth_year IS NULL OR (birth_month IS NOT NULL AND birth_year BETWEEN 1900 AND 2100)'))
            batch_op.create_check_constraint('verified_phone_present', sa.text(
                'phone_verified_at IS NULL OR phone IS NOT NULL'))

        _admission_rules(RULES_AFTER)

        with op.batch_alter_table('store_settings', schema=None) as batch_op:
            batch_op.add_column(sa.Column('birthday_coupon_template_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_store_settings_birthday_coupon_template_id_coupon_templates'), 'coupon_templates', ['birthday_coupon_template_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with sqlite_foreign_keys_off():
        with op.batch_alter_table('store_settings', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_store_settings_birthday_coupon_template_id_coupon_templates'), type_='foreignkey')
            batch_op.drop_column('birthday_coupon_template_id')

        # Groups that required a verified phone fall back to invitation only (never to open).
        op.execute("UPDATE groups SET admission_rule = 'invitation_only' WHERE admission_rule = 'verified_phone'")
        _admission_rules(RULES_BEFORE)

        with op.batch_alter_table('accounts', schema=None) as batch_op:
            # SQLite's batch copy would otherwise keep CHECKs on columns that are gone.
            batch_op.drop_constraint(batch_op.f('ck_accounts_verified_phone_present'), type_='check')
            batch_op.drop_constraint(batch_op.f('ck_accounts_birth_year_range'), type_='check')
            batch_op.drop_constraint(batch_op.f('ck_accounts_birthday_range'), type_='check')
            batch_op.drop_constraint(batch_op.f('ck_accounts_birthday_whole'), type_='check')
            batch_op.drop_index('ix_accounts_birthday')
            batch_op.drop_column('phone_verified_at')
            batch_op.drop_column('birthday_changed_at')
            batch_op.drop_column('birth_year')
            batch_op.drop_column('birth_day')
            batch_op.drop_column('birth_month')

        with op.batch_alter_table('phone_verifications', schema=None) as batch_op:
            batch_op.drop_index('ix_phone_verifications_phone_created')
            batch_op.drop_index('ix_phone_verifications_account_created')

        op.drop_table('phone_verifications')
