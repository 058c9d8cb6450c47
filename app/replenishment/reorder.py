"""The one-step reorder from a reminder: the same lines again, through the normal checkout.

One order per reminder. The reminder remembers its order (set in the same transaction that creates
it), so a second tap returns that order, however much later. The checkout runs under an
Idempotency-Key derived from the reminder and the order it replaces, so two taps at once make one
order. Only when the earlier order ended unpaid (expired or cancelled) may the reminder be used again.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.idempotency import service as idempotency
from app.orders.checkout import build_order
from app.orders.models import Order, OrderStatus
from app.payments import services as payments
from app.replenishment.models import ReplenishmentReminder
from app.replenishment.services import own_reminder

ENDED_UNPAID = (OrderStatus.EXPIRED.value, OrderStatus.CANCELLED.value)


def reorder(account_id: int, reminder_id: int, payment_method: str,
            render: Callable[[int], tuple[int, dict]]) -> idempotency.Outcome:
    """Place the reminder's lines again for the shopper, once per reminder (payment as in checkout)."""
    reminder = own_reminder(account_id, reminder_id)
    previous, lines = reminder.order_id, reminder.lines
    if previous is not None and db.session.get(Order, previous).effective_status not in ENDED_UNPAID:
        return idempotency.Outcome(*render(previous), replayed=True)
    db.session.rollback()

    def create() -> int:
        order = build_order(account_id, lines, payment_method)
        # Guarded: only the request that saw the reminder in this state links its order.
        claimed = db.session.execute(
            sa.update(ReplenishmentReminder)
            .where(ReplenishmentReminder.id == reminder_id, _is(ReplenishmentReminder.order_id, previous))
            .values(order_id=order.id).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            raise Conflict(_("This reminder was just used to reorder; reload it"), code="reminder_already_used")
        return order.id

    def complete(order_id: int) -> None:
        payment = payments.online_payment_of(order_id)
        if payment is not None:
            payments.start(payment.id)  # a no-op for wallet and pay-at-pickup payments

    # The method is left out of the request's fingerprint: a double tap with another method gets
    # the first order back instead of an error about a key the shopper never chose.
    return idempotency.run(account_id=account_id, key=f"replenishment:{reminder_id}:{previous or 0}",
                           scope="replenishment_reorder", payload={"reminder_id": reminder_id, "after": previous},
                           create=create, complete=complete, render=render)


def _is(column, value: int | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value
