"""Reading the pickup-code audit: the merchant sees every attempt; a leader those made at their
own points (against their orders) or by themselves."""
from __future__ import annotations

import sqlalchemy as sa

from app.pickup.models import PickupAttempt


def attempts(*, point_ids: list[int] | None = None, account_id: int | None = None, order_id: int | None = None,
             outcome: str | None = None, failed_only: bool = False) -> sa.Select:
    query = sa.select(PickupAttempt).order_by(PickupAttempt.id.desc())
    if point_ids is not None:
        query = query.where(sa.or_(PickupAttempt.pickup_point_id.in_(point_ids),
                                   PickupAttempt.account_id == account_id))
    if order_id:
        query = query.where(PickupAttempt.order_id == order_id)
    if outcome:
        query = query.where(PickupAttempt.outcome == outcome)
    if failed_only:
        query = query.where(PickupAttempt.outcome != "handed_over")
    return query
