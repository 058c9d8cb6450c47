"""Read models: a party's balances and journal lines, every party's balances, the store's liability."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Account
from app.commissions.models import Bucket, JournalEntry, JournalLine
from app.extensions import db
from app.orders.models import Order, OrderLine


def balance_of(account_id: int) -> dict:
    from app.commissions.ledger import balances

    b = balances(account_id)
    name = db.session.scalar(sa.select(Account.name).where(Account.id == account_id))
    return {"account_id": account_id, "name": name, "pending_cents": b[Bucket.PENDING],
            "available_cents": b[Bucket.AVAILABLE], "withdrawing_cents": b.get(Bucket.WITHDRAWING, 0),
            "paid_out_cents": b[Bucket.PAID_OUT]}


def _sum(bucket: Bucket):
    return sa.func.coalesce(sa.func.sum(sa.case((JournalLine.bucket == bucket, JournalLine.amount_cents), else_=0)), 0)


def all_balances(negative_only: bool = False) -> sa.Select:
    query = (sa.select(JournalLine.account_id, Account.name, _sum(Bucket.PENDING).label("pending_cents"),
                       _sum(Bucket.AVAILABLE).label("available_cents"),
                       _sum(Bucket.WITHDRAWING).label("withdrawing_cents"),
                       _sum(Bucket.PAID_OUT).label("paid_out_cents"))
             .join(Account, Account.id == JournalLine.account_id).group_by(JournalLine.account_id, Account.name)
             .order_by(JournalLine.account_id))
    if negative_only:
        query = query.having(_sum(Bucket.AVAILABLE) < 0)
    return query


def liability() -> dict:
    row = db.session.execute(sa.select(_sum(Bucket.PENDING), _sum(Bucket.AVAILABLE), _sum(Bucket.WITHDRAWING),
                                       _sum(Bucket.PAID_OUT)).where(JournalLine.account_id.is_not(None))).one()
    pending, available, withdrawing, paid = (int(v) for v in row)
    return {"pending_cents": pending, "available_cents": available, "withdrawing_cents": withdrawing,
            "total_cents": pending + available + withdrawing, "paid_out_cents": paid}


def lines_of(account_id: int) -> sa.Select:
    """The party's journal lines with their entry, order and the rate that applied, newest first."""
    rate = sa.case((JournalLine.role == "referrer", OrderLine.referrer_rate_bps), else_=OrderLine.leader_rate_bps)
    return (sa.select(JournalLine.id, JournalEntry.kind, JournalLine.role, JournalLine.bucket,
                      JournalLine.amount_cents, JournalEntry.order_id, Order.number.label("order_number"),
                      JournalLine.order_line_id, OrderLine.product_name, JournalLine.rule_id,
                      rate.label("rate_bps"), JournalEntry.refund_id, JournalEntry.created_at)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .outerjoin(Order, Order.id == JournalEntry.order_id)
            .outerjoin(OrderLine, OrderLine.id == JournalLine.order_line_id)
            .where(JournalLine.account_id == account_id).order_by(JournalLine.id.desc()))
