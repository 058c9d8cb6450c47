"""Handing an order over against its pickup code, with an audit record of who handed over what."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import Account
from app.codes import normalise_code
from app.db import utcnow
from app.errors import Conflict, DomainError, InvalidRequest, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import _, format_money
from app.notifications.messages import notify_order
from app.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from app.payments.models import Payment, PaymentStatus
from app.pickup.models import PickupAttempt, PickupEvent
from app.pickup_points.models import PickupPoint

NO_SYNC = {"synchronize_session": False}
MAX_ORDER_FAILURES = 5                      # wrong codes against one order before it locks
ORDER_LOCK = dt.timedelta(minutes=15)
COLLECTABLE = (Fulfilment.READY_FOR_PICKUP, Fulfilment.PARTIALLY_PICKED_UP)


class WrongCode(NotFound):
    code = "pickup_code_invalid"


class CodeLocked(Conflict):
    code = "pickup_code_locked"


@dataclass(frozen=True)
class Verifier:
    account_id: int
    leader_id: int | None     # None: merchant staff, who may verify at any point

    @property
    def role(self) -> str:
        return "staff" if self.leader_id is None else "leader"


def amount_due(order: Order) -> int:
    """What a pay-at-pickup shopper owes: the order less units that did not arrive or were cancelled."""
    return sum(ln.line_total_cents - ln.amount_of(ln.shorted_quantity + ln.refunded_quantity) for ln in order.lines)


def _find(code: str, order_number: str | None, verifier: Verifier) -> Order:
    normalised = normalise_code(code) or ""
    if order_number:
        order = db.session.scalar(sa.select(Order).where(Order.number == order_number.strip().upper()))
        # Another leader's order answers as if it did not exist, and their guesses never count
        # against it: only its own leader (and staff) can lock it (issue 20). Their guesses are
        # still counted by the per-leader rate limit on the route.
        if order is None or not _may_verify(order, verifier):
            raise WrongCode(_("No order with that number and code"))
        _check_lock(order)
        if order.pickup_code != normalised:
            _count_failure(order.id)
            raise WrongCode(_("That code does not match the order"))
        return order
    order = db.session.scalar(sa.select(Order).where(Order.pickup_code == normalised)) if normalised else None
    if order is None:
        raise WrongCode(_("No order has that pickup code"))
    _check_lock(order)
    return order


def _check_lock(order: Order) -> None:
    if order.code_locked_until and order.code_locked_until > utcnow():
        raise CodeLocked(_("Too many wrong codes for this order; ask the shopper to show the code again later"),
                         details={"locked_until": order.code_locked_until.isoformat()})


def _count_failure(order_id: int) -> None:
    """Counted in its own transaction: the failing request rolls back, the count must stay."""
    db.session.rollback()
    db.session.execute(sa.update(Order).where(Order.id == order_id).values(
        code_failures=Order.code_failures + 1,
        code_locked_until=sa.case((Order.code_failures + 1 >= MAX_ORDER_FAILURES, utcnow() + ORDER_LOCK),
                                  else_=Order.code_locked_until)).execution_options(**NO_SYNC))
    db.session.commit()


def _may_verify(order: Order, verifier: Verifier) -> bool:
    if verifier.leader_id is None:
        return True
    return db.session.get(PickupPoint, order.pickup_point_id).leader_id == verifier.leader_id


def _authorise(order: Order, verifier: Verifier) -> None:
    if not _may_verify(order, verifier):
        raise PermissionDenied(_("This order is collected at another leader's pickup point"),
                               code="not_your_pickup_point")


def _take(order: Order, lines: list[dict] | None) -> list[dict]:
    by_id = {ln.id: ln for ln in order.lines}
    wanted = {ln.id: ln.collectable_quantity for ln in order.lines} if lines is None else {}
    for entry in lines or []:
        if entry["order_line_id"] not in by_id:
            raise InvalidRequest(_("That line is not in this order"), code="unknown_order_line",
                                 details={"order_line_id": entry["order_line_id"]})
        wanted[entry["order_line_id"]] = wanted.get(entry["order_line_id"], 0) + entry["quantity"]
    taken = []
    for line_id, qty in sorted(wanted.items()):
        if qty <= 0:
            continue
        if qty > by_id[line_id].collectable_quantity or not db.session.execute(sa.update(OrderLine).where(
                OrderLine.id == line_id,
                OrderLine.shorted_quantity + OrderLine.picked_up_quantity + qty <= OrderLine.quantity)
                .values(picked_up_quantity=OrderLine.picked_up_quantity + qty).execution_options(**NO_SYNC)).rowcount:
            raise Conflict(_("More units than are waiting on a line"), code="pickup_exceeds_quantity",
                           details={"order_line_id": line_id})
        taken.append({"order_line_id": line_id, "quantity": qty})
    if not taken:
        raise Conflict(_("Nothing is waiting to be collected on this order"), code="nothing_to_collect")
    return taken


def _collect_payment(order: Order, collected_cents: int | None) -> int:
    """Pay at pickup: the money changes hands now, so the order becomes paid with what was collected."""
    if order.status is not OrderStatus.CONFIRMED:
        return 0
    due = amount_due(order)
    if collected_cents is None:
        raise InvalidRequest(_("Enter the amount collected: %(due)s is due", due=format_money(due)),
                             code="amount_required", details={"amount_due_cents": due})
    if collected_cents != due:
        raise InvalidRequest(_("Collect exactly the amount due"), code="wrong_amount_collected",
                             details={"amount_due_cents": due, "collected_cents": collected_cents})
    db.session.execute(sa.update(Payment).where(Payment.order_id == order.id, Payment.provider == "pay_at_pickup",
                                                Payment.status == PaymentStatus.PENDING)
                       .values(status=PaymentStatus.SUCCEEDED, amount_cents=due, succeeded_at=utcnow())
                       .execution_options(**NO_SYNC))
    db.session.execute(sa.update(Account).where(Account.id == order.account_id).values(
        lifetime_spend_cents=Account.lifetime_spend_cents + due).execution_options(**NO_SYNC))
    order.status, order.paid_cents, order.paid_at = OrderStatus.PAID, due, utcnow()
    from app.loyalty.services import on_order_paid, return_for_shortfall

    on_order_paid(order)
    return_for_shortfall(order, due)
    return due


def verify(code: str, verifier: Verifier, *, order_number: str | None = None, lines: list[dict] | None = None,
           collected_cents: int | None = None) -> Order:
    """Hand over an order (all waiting units, or the lines given) against its pickup code. Every
    attempt is audited: a refused one in its own transaction, since the request's is rolled back."""
    try:
        return _verify(code, verifier, order_number, lines, collected_cents)
    except DomainError as exc:
        db.session.rollback()
        _audit(verifier, _order_typed(code, order_number), order_number, exc.code)
        db.session.commit()
        raise


def _order_typed(code: str, order_number: str | None) -> Order | None:
    if order_number:
        return db.session.scalar(sa.select(Order).where(Order.number == order_number.strip().upper()))
    normalised = normalise_code(code)
    return db.session.scalar(sa.select(Order).where(Order.pickup_code == normalised)) if normalised else None


def _audit(verifier: Verifier, order: Order | None, order_number: str | None, outcome: str) -> None:
    db.session.add(PickupAttempt(account_id=verifier.account_id, verified_as=verifier.role,
                                 leader_id=verifier.leader_id, order_id=order.id if order else None,
                                 pickup_point_id=order.pickup_point_id if order else None,
                                 order_number=(order_number or "").strip().upper()[:16] or None, outcome=outcome))


def preview(code: str, verifier: Verifier, order_number: str | None = None) -> Order:
    """What the leader is about to hand over and the amount to collect, before confirming. A wrong
    code counts against the order and is audited like a handover attempt."""
    try:
        order = _find(code, order_number, verifier)
        _authorise(order, verifier)
    except DomainError as exc:
        db.session.rollback()
        _audit(verifier, _order_typed(code, order_number), order_number, exc.code)
        db.session.commit()
        raise
    _audit(verifier, order, order_number, "previewed")
    db.session.commit()
    return order


def _verify(code: str, verifier: Verifier, order_number: str | None, lines: list[dict] | None,
            collected_cents: int | None) -> Order:
    order = _find(code, order_number, verifier)
    _authorise(order, verifier)
    if order.fulfilment not in COLLECTABLE:
        raise Conflict(_("This order is not waiting at the pickup point"), code="order_not_ready",
                       details={"fulfilment": order.fulfilment.value})
    taken = _take(order, lines)
    collected = _collect_payment(order, collected_cents)
    db.session.refresh(order, ["lines"])
    done = not any(ln.collectable_quantity for ln in order.lines)
    order.fulfilment = Fulfilment.PICKED_UP if done else Fulfilment.PARTIALLY_PICKED_UP
    order.picked_up_at, order.code_failures, order.code_locked_until = utcnow(), 0, None
    event = PickupEvent(order_id=order.id, verified_by_id=verifier.account_id, verified_as=verifier.role,
                        lines=taken, collected_cents=collected)
    db.session.add(event)
    if collected and verifier.leader_id is not None:
        from app.leader_cash.ledger import record_collection

        db.session.flush()
        record_collection(verifier.leader_id, order.id, event.id, collected)  # the leader now owes it
    _audit(verifier, order, order_number, "handed_over")
    notify_order(order, "order.picked_up", _("Picked up") if done else _("Partly picked up"),
                 _("Order %(number)s was collected at %(point)s.", number=order.number, point=order.pickup_point_name),
                 lines=taken)
    db.session.commit()
    return order
