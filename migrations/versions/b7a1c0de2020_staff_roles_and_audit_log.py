"""staff roles (existing staff become owners), custom roles, the append-only audit log

Revision ID: b7a1c0de2020
Revises: 5a1e8d0c7b21
Create Date: 2026-12-03 16:40:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = 'b7a1c0de2020'
down_revision = '5a1e8d0c7b21'
branch_labels = None
depends_on = None


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


def upgrade():
    with sqlite_foreign_keys_off():
        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.add_column(sa.Column('staff_role', sa.String(length=40), nullable=True))
        # Every staff account could do everything until now: they keep that as owners.
        op.execute("UPDATE accounts SET staff_role = 'owner' WHERE kind = 'staff'")
        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.create_check_constraint('staff_have_a_role', sa.text("(kind = 'staff') = (staff_role IS NOT NULL)"))

    op.create_table(
        'staff_roles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('permissions', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_roles')),
        sa.UniqueConstraint('key', name=op.f('uq_staff_roles_key')),
    )
    op.create_table(
        'audit_log',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('actor_name', sa.String(length=80), nullable=False),
        sa.Column('actor_role', sa.String(length=40), nullable=False),
        sa.Column('action', sa.String(length=120), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=False),
        sa.Column('path', sa.String(length=400), nullable=False),
        sa.Column('object_type', sa.String(length=60), nullable=True),
        sa.Column('object_id', sa.String(length=60), nullable=True),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=True),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_actor_at', 'audit_log', ['actor_id', 'at'])
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id'])
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    if op.get_bind().dialect.name == 'postgresql':
        # forbid_ledger_change() comes from the commission journal's migration.
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION forbid_ledger_change()")
    else:
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only" + (" ON audit_log" if postgres else ""))
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    op.drop_index('ix_audit_log_actor_at', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('staff_roles')
    with sqlite_foreign_keys_off():
        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_accounts_staff_have_a_role'), type_='check')
            batch_op.drop_column('staff_role')
