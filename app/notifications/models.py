from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, str_enum


class OutboxEvent(CreatedAt, Base):
    """Written in the same transaction as the change it reports; dispatched after commit."""

    __tablename__ = "outbox_events"
    __table_args__ = (sa.Index("ix_outbox_events_pending", "dispatched_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    # [{"account_id": 1, "audience": "shopper", "title": "...", "body": "..."}]
    recipients: Mapped[list[dict]] = mapped_column(sa.JSON)
    dispatched_at: Mapped[dt.datetime | None]
    # The request (or job) that emitted it: sent with every webhook try as X-Request-Id.
    request_id: Mapped[str | None] = mapped_column(sa.String(64))


class Notification(CreatedAt, Base):
    """An in-app inbox message for a shopper or a leader."""

    __tablename__ = "notifications"
    __table_args__ = (sa.UniqueConstraint("outbox_event_id", "account_id", "audience"),
                      sa.Index("ix_notifications_inbox", "account_id", "audience", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    audience: Mapped[str] = mapped_column(sa.String(10))  # shopper | leader
    outbox_event_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_events.id"))
    event_type: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.String(1000))
    data: Mapped[dict] = mapped_column(sa.JSON)
    read_at: Mapped[dt.datetime | None]


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"      # gave up after the last retry


class WebhookDelivery(CreatedAt, Base):
    """One outbox event to the merchant's webhook URL, retried with backoff until it is taken."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.UniqueConstraint("outbox_event_id"),
                      sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_event_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_events.id"))
    url: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]

    event: Mapped[OutboxEvent] = relationship(lazy="joined")
    log: Mapped[list[WebhookAttempt]] = relationship(order_by="WebhookAttempt.id", lazy="selectin")

    @property
    def event_type(self) -> str:
        return self.event.event_type


class WebhookAttempt(CreatedAt, Base):
    """The delivery log: every try, with what the receiver answered."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_deliveries.id"), index=True)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int]
