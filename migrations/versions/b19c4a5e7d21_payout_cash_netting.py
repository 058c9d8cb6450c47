"""payout cash netting: pickup cash a leader owes withheld from their approved payout; one pending
four-eyes approval per payout; pay-at-pickup refunds by the leader's cash or as wallet credit

Revision ID: b19c4a5e7d21
Revises: a21b0c7e5d01
Create Date: 2026-12-03 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b19c4a5e7d21'
down_revision = 'a21b0c7e5d01'
branch_labels = None
depends_on = None

KINDS = "kind IN ('collected', 'remitted', 'cash_refund'"
BUCKETS = "bucket IN ('owed', 'cash_sales', 'received'"
PENDING_PAYOUT = "kind = 'payout' AND status = 'pending'"


def upgrade():
    with op.batch_alter_table('commission_payouts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_netted_cents', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            'netting_valid', sa.text('cash_netted_cents >= 0 AND fee_cents + cash_netted_cents <= amount_cents'))

    # Autogenerate does not compare CHECK constraints: the new kinds and bucket need theirs re-created.
    with op.batch_alter_table('leader_cash_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payout_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_leader_cash_entries_payout_id'), ['payout_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_leader_cash_entries_payout_id_commission_payouts'),
                                    'commission_payouts', ['payout_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_leader_cash_entries_leader_cash_kind'), type_='check')
        batch_op.create_check_constraint('leader_cash_kind', sa.text(KINDS + ", 'netted', 'netting_reversed')"))

    with op.batch_alter_table('leader_cash_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_leader_cash_lines_leader_cash_bucket'), type_='check')
        batch_op.create_check_constraint('leader_cash_bucket', sa.text(BUCKETS + ", 'netted')"))

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_refund_by', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint('cash_refund_by_known', sa.text("cash_refund_by IN ('leader', 'wallet')"))
    # Cash refunds made before this were paid by the leader (the only way there was).
    op.execute("UPDATE refunds SET cash_refund_by = 'leader' WHERE payment_id IN "
               "(SELECT id FROM payments WHERE provider = 'pay_at_pickup')")

    with op.batch_alter_table('aftersale_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_refund_by', sa.String(length=10), server_default='leader',
                                      nullable=False))
        batch_op.create_check_constraint('cash_refund_by_known', sa.text("cash_refund_by IN ('leader', 'wallet')"))

    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.create_index('uq_approval_requests_pending_payout', ['subject_id'], unique=True,
                              postgresql_where=sa.text(PENDING_PAYOUT), sqlite_where=sa.text(PENDING_PAYOUT))


def downgrade():
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_approval_requests_pending_payout', postgresql_where=sa.text(PENDING_PAYOUT),
                            sqlite_where=sa.text(PENDING_PAYOUT))

    for table in ('aftersale_rules', 'refunds'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_cash_refund_by_known'), type_='check')
            batch_op.drop_column('cash_refund_by')

    with op.batch_alter_table('leader_cash_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_leader_cash_lines_leader_cash_bucket'), type_='check')
        batch_op.create_check_constraint('leader_cash_bucket', sa.text(BUCKETS + ")"))

    with op.batch_alter_table('leader_cash_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_leader_cash_entries_leader_cash_kind'), type_='check')
        batch_op.create_check_constraint('leader_cash_kind', sa.text(KINDS + ")"))
        batch_op.drop_constraint(batch_op.f('fk_leader_cash_entries_payout_id_commission_payouts'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_leader_cash_entries_payout_id'))
        batch_op.drop_column('payout_id')

    with op.batch_alter_table('commission_payouts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_commission_payouts_netting_valid'), type_='check')
        batch_op.drop_column('cash_netted_cents')
