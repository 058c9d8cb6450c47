"""Group-buy thresholds (成团): the deal happens only if enough neighbours join before the deadline.

Payment is taken (captured) at join; if the deal fails, everything is refunded. We capture rather
than authorise because a card hold lasts about 7 days (less for merchant-initiated captures), a
deadline may be further away, and localstripe/Stripe refunds are simpler to make exactly once than
captures at a deadline. Orders of a group buy wait (fulfilment `pending`) until the deal is reached,
then join their delivery batch.

The outcome is derived: reached as soon as the paid participants (or units) reach the threshold;
failed once the deadline has passed without it — whether or not the settlement job has run. The job
records it and, on failure, writes one refund request per order in a single transaction.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import sqlalchemy as sa

from app.campaigns import refund_outbox
from app.campaigns.models import Campaign, CampaignKind, GroupBuyOutcome, Review, Threshold, ThresholdScope
from app.db import utcnow
from app.extensions import db
from app.i18n import Day, _
from app.notifications.messages import notify_order
from app.orders.models import PAID_STATES, Fulfilment, Order, OrderLine

STORE_WIDE = 0


class Outcome(enum.StrEnum):
    OPEN = "open"
    REACHED = "reached"
    FAILED = "failed"


@dataclass(frozen=True)
class Progress:
    group_id: int            # 0 = store-wide
    participants: int
    units: int
    threshold: int
    counted: str             # participants | units
    outcome: Outcome

    @property
    def current(self) -> int:
        return self.participants if self.counted == Threshold.PARTICIPANTS.value else self.units


def scope_of(campaign: Campaign, group_id: int) -> int:
    return group_id if campaign.threshold_scope is ThresholdScope.PER_GROUP else STORE_WIDE


def progress(campaign: Campaign, group_id: int, now: dt.datetime | None = None) -> Progress:
    now = now or utcnow()
    scope = scope_of(campaign, group_id)
    units = sa.func.coalesce(sa.func.sum(OrderLine.quantity), 0)
    query = (sa.select(sa.func.count(sa.distinct(Order.account_id)), units)
             .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
             .where(Order.campaign_id == campaign.id, Order.status.in_(PAID_STATES)))
    if scope != STORE_WIDE:
        query = query.where(Order.group_id == scope)
    participants, units = db.session.execute(query).one()
    recorded = db.session.get(GroupBuyOutcome, (campaign.id, scope))
    current = int(participants) if campaign.threshold_kind is Threshold.PARTICIPANTS else int(units)
    if recorded is not None:
        outcome = Outcome.REACHED if recorded.succeeded else Outcome.FAILED
    elif current >= campaign.threshold:
        outcome = Outcome.REACHED
    elif now >= campaign.ends_at:
        outcome = Outcome.FAILED
    else:
        outcome = Outcome.OPEN
    return Progress(scope, int(participants), int(units), campaign.threshold, campaign.threshold_kind.value, outcome)


def _record(campaign_id: int, scope: int, succeeded: bool) -> bool:
    from app.campaigns.stock import _insert

    inserted = db.session.execute(_insert(GroupBuyOutcome.__table__).values(
        campaign_id=campaign_id, group_id=scope, succeeded=succeeded, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["campaign_id", "group_id"])
        .returning(GroupBuyOutcome.__table__.c.campaign_id)).all()
    return bool(inserted)  # not rowcount: it is -1 for ON CONFLICT inserts on PostgreSQL


def _waiting_orders(campaign: Campaign, scope: int) -> list[Order]:
    query = sa.select(Order).where(Order.campaign_id == campaign.id, Order.status.in_(PAID_STATES),
                                   Order.fulfilment == Fulfilment.PENDING)
    if scope != STORE_WIDE:
        query = query.where(Order.group_id == scope)
    return list(db.session.scalars(query.order_by(Order.id)))


def after_payment(order: Order) -> None:
    """A group-buy order was paid: if the deal is (now) reached, its waiting orders go to delivery.
    No commit."""
    from app.pickup import batches

    campaign = db.session.get(Campaign, order.campaign_id)
    state = progress(campaign, order.group_id)
    if state.outcome is Outcome.FAILED:
        # Paid after the deal had already failed (a late webhook): this money goes back too.
        order.fulfilment = Fulfilment.NOT_DELIVERED
        refund_outbox.request_refunds([order.id], "group buy did not reach its threshold")
        return
    if state.outcome is not Outcome.REACHED:
        return
    if _record(campaign.id, state.group_id, True):
        _release_to_delivery(campaign, state.group_id)
    elif order.fulfilment is Fulfilment.PENDING:
        batches.assign(order)


def _release_to_delivery(campaign: Campaign, scope: int) -> None:
    from app.pickup import batches

    for waiting in _waiting_orders(campaign, scope):
        batches.assign(waiting)
        notify_order(waiting, "group_buy.reached", _("The group buy is on"),
                     _("Enough neighbours joined: order %(number)s will be delivered on %(day)s.",
                       number=waiting.number, day=Day(waiting.pickup_date)))


def settle(now: dt.datetime | None = None) -> dict[str, int]:
    """Sweep: record the outcome of every group buy past its deadline; on failure queue one refund
    request per paid order (one transaction per campaign and scope), then start the refund jobs."""
    now = now or utcnow()
    counts = {"reached": 0, "failed": 0, "refunds_requested": 0}
    ended = list(db.session.scalars(sa.select(Campaign).where(
        Campaign.kind == CampaignKind.GROUP_BUY, Campaign.review == Review.APPROVED, Campaign.ends_at <= now)))
    for campaign in ended:
        scopes = {STORE_WIDE} if campaign.threshold_scope is ThresholdScope.STORE else set(db.session.scalars(
            sa.select(Order.group_id).distinct().where(Order.campaign_id == campaign.id)))
        for group_id in sorted(scopes):
            state = progress(campaign, group_id, now)
            if db.session.get(GroupBuyOutcome, (campaign.id, state.group_id)) is not None:
                continue
            succeeded = state.outcome is Outcome.REACHED
            _record(campaign.id, state.group_id, succeeded)
            if succeeded:
                _release_to_delivery(campaign, state.group_id)
            else:
                orders = _waiting_orders(campaign, state.group_id)
                counts["refunds_requested"] += refund_outbox.request_refunds([o.id for o in orders],
                                                                             "group buy did not reach its threshold")
                for order in orders:
                    order.fulfilment = Fulfilment.NOT_DELIVERED
                    notify_order(order, "group_buy.failed", _("The group buy did not happen"),
                                 _("Not enough neighbours joined; order %(number)s will be refunded in full.",
                                   number=order.number))
            counts["reached" if succeeded else "failed"] += 1
            db.session.commit()
    refund_outbox.process_pending()
    return counts
