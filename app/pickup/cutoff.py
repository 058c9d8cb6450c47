"""The cut-off sweep: a day's batch freezes for picking once the last cut-off of the groups at its
point has passed (the merchant may also close it earlier by hand). It uses the same guarded close
as the merchant, so a shopper's cancel racing it is settled on the batch row
(app/orders/cancellation.py)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.groups.models import Group
from app.pickup.models import BatchStatus, DeliveryBatch
from app.pickup.schedule import local_moment, rules_for

NO_SYNC = {"synchronize_session": False}


def batch_cutoff(point_id: int, delivery_date: dt.date) -> dt.datetime:
    """The latest cut-off, over the point's groups, of orders for that delivery date."""
    groups = list(db.session.scalars(sa.select(Group).where(Group.pickup_point_id == point_id))) or [None]
    moments = []
    for group in groups:
        rules = rules_for(group)
        moments.append(local_moment(delivery_date - dt.timedelta(days=rules.lead_days), rules.cutoff))
    return max(moments)


def close_due(limit: int = 500) -> int:
    """Close open batches whose cut-off has passed; each in its own transaction. Safe to run twice."""
    now, closed = utcnow(), 0
    horizon = now.date() + dt.timedelta(days=31)  # lead times are days, not months
    for batch in list(db.session.scalars(sa.select(DeliveryBatch).where(
            DeliveryBatch.status == BatchStatus.OPEN, DeliveryBatch.delivery_date <= horizon)
            .order_by(DeliveryBatch.delivery_date).limit(limit))):
        if batch_cutoff(batch.pickup_point_id, batch.delivery_date) > now:
            continue
        closed += db.session.execute(sa.update(DeliveryBatch).where(
            DeliveryBatch.id == batch.id, DeliveryBatch.status == BatchStatus.OPEN)
            .values(status=BatchStatus.CLOSED, closed_at=now).execution_options(**NO_SYNC)).rowcount
        db.session.commit()
    return closed
