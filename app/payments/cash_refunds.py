"""Giving back cash paid at pickup: there is no card to refund, so the merchant chooses (per refund,
`refunds.cash_refund_by`) between the leader paying it out of the cash they hold for the merchant
(what they owe falls by as much, leader cash ledger) and a credit to the shopper's wallet (wallet
ledger, principal: it is the shopper's money). Each is posted once per refund (the entries' refs),
so a repeated completion changes nothing."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.leader_cash.models import CashEntry, CashKind
from app.orders.models import Order
from app.payments.models import Refund

LEADER, WALLET = "leader", "wallet"
CHOICES = (LEADER, WALLET)


def collected_by(order_id: int) -> int | None:
    """The leader who took the order's cash at the handover."""
    return db.session.scalar(sa.select(CashEntry.leader_id).where(
        CashEntry.order_id == order_id, CashEntry.kind == CashKind.COLLECTED).order_by(CashEntry.id))


def pay_back(refund_id: int, amount: int) -> tuple[str | None, str]:
    """Post the cash refund's money movement and commit (providers run outside the caller's
    transaction). Returns (provider_ref, note)."""
    refund = db.session.get(Refund, refund_id)
    order = db.session.get(Order, refund.order_id)
    if refund.cash_refund_by == WALLET:
        from app.wallet.ledger import post
        from app.wallet.models import WalletKind

        entry = post(order.account_id, WalletKind.REFUND, amount, 0, ref=f"refund:{refund_id}", order_id=order.id,
                     payment_id=refund.payment_id, note="cash paid at pickup, returned as wallet credit")
        db.session.commit()
        return f"wallet-entry-{entry.id}", "credited to the shopper's wallet"
    leader_id = collected_by(order.id)
    if leader_id is not None:  # handovers before the cash ledger existed have no collection to lower
        from app.leader_cash.ledger import post

        post(CashKind.CASH_REFUND, f"cash_refund:{refund_id}", leader_id, -amount, order_id=order.id)
    db.session.commit()
    return None, "refunded in cash at the pickup point"
