"""Lists of after-sale requests for each audience; time-derived states (a leader review past its
deadline is escalated) are decided in the query by the clock, with no job run."""
from __future__ import annotations

import sqlalchemy as sa

from app.aftersales.models import OPEN, AfterSaleRequest, Status
from app.db import utcnow


def _status_filter(query: sa.Select, status: str | None) -> sa.Select:
    if status == "open":
        return query.where(AfterSaleRequest.status.in_(OPEN))
    if status == "escalated":
        return query.where(AfterSaleRequest.status == Status.AWAITING_LEADER,
                           AfterSaleRequest.review_due_at <= utcnow())
    if status:
        return query.where(AfterSaleRequest.status == Status(status))
    return query


def for_shopper(account_id: int, status: str | None = None) -> sa.Select:
    return _status_filter(sa.select(AfterSaleRequest).where(AfterSaleRequest.account_id == account_id)
                          .order_by(AfterSaleRequest.id.desc()), status)


def for_points(point_ids: list[int], status: str | None = None) -> sa.Select:
    return _status_filter(sa.select(AfterSaleRequest).where(AfterSaleRequest.pickup_point_id.in_(point_ids))
                          .order_by(AfterSaleRequest.review_due_at, AfterSaleRequest.id), status)


def for_merchant(status: str | None = None) -> sa.Select:
    """The merchant's queue: what waits for them first — escalated and reviewed ones, oldest first."""
    return _status_filter(sa.select(AfterSaleRequest).order_by(AfterSaleRequest.id), status)
