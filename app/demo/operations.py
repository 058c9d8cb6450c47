"""The daily work behind the orders, as the merchant's staff, the leaders and the scheduled sweeps
do it: close, dispatch and receive each point's batch, hand orders over against their codes,
refund after-sale complaints, settle commission, pay leaders out, renew subscriptions."""
from __future__ import annotations

import random

import sqlalchemy as sa

from app.commissions import payouts
from app.commissions import services as commissions
from app.commissions.ledger import balances
from app.commissions.models import Bucket, Payout, PayoutStatus
from app.demo.store import Store
from app.errors import DomainError
from app.extensions import db
from app.idempotency import service as idempotency
from app.leaders.models import Leader
from app.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from app.payments import refunds
from app.pickup import arrival, batches, uncollected, verification
from app.pickup.models import BatchStatus, DeliveryBatch

COMPLAINTS = ["草莓有几颗压坏了", "鸡蛋碎了一个", "香蕉太熟了", "包装漏了", "少了一袋，团长已核实"]


class Operations:
    def __init__(self, store: Store, rng: random.Random):
        self.store, self.rng = store, rng
        self.leader_of_point = {h.point_id: (h.leader_account_id, h.leader_id) for h in store.hoods}
        self.refunds = self.shortages = self.payouts = 0

    # --- batches --------------------------------------------------------------------------------

    def _batches(self, *, delivery_date, status: BatchStatus) -> list[int]:
        return list(db.session.scalars(sa.select(DeliveryBatch.id).where(
            DeliveryBatch.delivery_date <= delivery_date, DeliveryBatch.status == status)
            .order_by(DeliveryBatch.id)))

    def close(self, delivery_date) -> None:
        """At the cut-off: tomorrow's batches freeze for picking."""
        for batch_id in self._batches(delivery_date=delivery_date, status=BatchStatus.OPEN):
            batches.close(batch_id)

    def dispatch(self, delivery_date) -> None:
        for batch_id in self._batches(delivery_date=delivery_date, status=BatchStatus.CLOSED):
            batches.dispatch(batch_id)

    def arrive(self, delivery_date) -> None:
        """Each leader confirms the day's delivery; now and then a unit arrives damaged or missing."""
        for batch_id in self._batches(delivery_date=delivery_date, status=BatchStatus.DISPATCHED):
            batch = db.session.get(DeliveryBatch, batch_id)
            account_id, _ = self.leader_of_point[batch.pickup_point_id]
            shortages = []
            if self.rng.random() < 0.04:
                line_id = db.session.scalar(sa.select(OrderLine.id).join(Order).where(
                    Order.batch_id == batch_id, Order.status.in_(batches.IN_BATCH)).order_by(OrderLine.id).limit(1))
                if line_id is not None:
                    shortages = [{"order_line_id": line_id, "quantity": 1,
                                  "reason": self.rng.choice(["damaged", "missing"])}]
                    self.shortages += 1
            arrival.confirm_arrival(batch_id, account_id, shortages)

    def waiting(self, delivery_date) -> list[Order]:
        return list(db.session.scalars(sa.select(Order).where(
            Order.pickup_date <= delivery_date,
            Order.fulfilment.in_((Fulfilment.READY_FOR_PICKUP, Fulfilment.PARTIALLY_PICKED_UP)))
            .order_by(Order.id)))

    def hand_over(self, order_id: int) -> bool:
        """The shopper shows the code; the leader of the point verifies it (and takes the cash)."""
        order = db.session.get(Order, order_id)
        if order is None or order.fulfilment not in (Fulfilment.READY_FOR_PICKUP, Fulfilment.PARTIALLY_PICKED_UP):
            return False
        account_id, leader_id = self.leader_of_point[order.pickup_point_id]
        due = verification.amount_due(order) if order.status is OrderStatus.CONFIRMED else None
        verification.verify(order.pickup_code, verification.Verifier(account_id, leader_id), collected_cents=due)
        return True

    # --- after-sales and sweeps -------------------------------------------------------------------

    def refund_complaint(self, order_id: int) -> None:
        """Staff refund one unit of the dearest line after a shopper's complaint (no restock: spoiled)."""
        order = db.session.get(Order, order_id)
        line = max(order.lines, key=lambda ln: ln.unit_price_cents)
        data = {"lines": [{"line_id": line.id, "quantity": 1}], "reason": self.rng.choice(COMPLAINTS),
                "restock": False}
        try:
            idempotency.run(account_id=self.store.staff_id, key=f"demo-refund-{order_id}", scope=f"refund:{order_id}",
                            payload=data,
                            create=lambda: refunds.create_refund(order_id, staff_id=self.store.staff_id,
                                                                 lines=data["lines"], reason=data["reason"],
                                                                 restock=False).id,
                            complete=refunds.complete_refund, render=lambda refund_id: (201, {"id": refund_id}))
            self.refunds += 1
        except DomainError:
            db.session.rollback()

    def nightly(self) -> None:
        """What cron runs every night: reminders and the uncollected policy, commission settlement."""
        uncollected.sweep()
        commissions.settle_due()

    # --- payouts ----------------------------------------------------------------------------------

    def request_payouts(self, tag: str, only_richest: bool = False) -> None:
        """Leaders withdraw what has settled (at least the ¥50 minimum)."""
        leaders = list(db.session.scalars(sa.select(Leader).order_by(Leader.id)))
        available = {leader.id: balances(leader.account_id)[Bucket.AVAILABLE] for leader in leaders}
        if only_richest:
            leaders = sorted(leaders, key=lambda leader: -available[leader.id])[:1]
        for leader in leaders:
            if available[leader.id] >= 5000:
                payouts.request(leader, available[leader.id], f"demo-payout-{tag}-{leader.id}")
                self.payouts += 1

    def approve_payouts(self) -> None:
        """The owner proposes, the operations colleague approves (four-eyes)."""
        from app.accounts.models import Account
        from app.commissions import payout_approvals
        from app.demo.store import REVIEWER

        reviewer = db.session.scalar(sa.select(Account.id).where(Account.email == REVIEWER[0]))
        for payout_id in list(db.session.scalars(sa.select(Payout.id).where(Payout.status == PayoutStatus.REQUESTED))):
            payout_approvals.approve(payout_approvals.propose(payout_id, self.store.staff_id), reviewer)

    def pay_payouts(self, reference: str) -> None:
        """Finance downloads the bank file, the bank pays, finance marks each one paid."""
        for row in payouts.export_rows():
            payouts.mark_paid(row[0], f"{reference}-{row[0]}")
