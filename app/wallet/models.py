from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt, Timestamps, str_enum


class Wallet(Timestamps, Base):
    """Current balances, kept with the ledger in one transaction; the CHECKs are the last word on
    "never negative", whatever races above them."""

    __tablename__ = "wallets"
    __table_args__ = (
        sa.CheckConstraint("principal_cents >= 0", name="principal_not_negative"),
        sa.CheckConstraint("bonus_cents >= 0", name="bonus_not_negative"),
    )

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    principal_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    bonus_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class WalletKind(enum.StrEnum):
    TOP_UP = "top_up"    # money in, with its bonus
    PAYMENT = "payment"  # an order paid (in part) from the wallet
    REFUND = "refund"    # a refund of a wallet-paid part, or an order closed unpaid
    ADJUST = "adjust"


class WalletEntry(CreatedAt, Base):
    """Append-only ledger; principal and bonus tracked apart, each with its balance after."""

    __tablename__ = "wallet_entries"
    __table_args__ = (
        sa.CheckConstraint("principal_delta <> 0 OR bonus_delta <> 0", name="entry_moves_something"),
        sa.CheckConstraint("principal_after >= 0 AND bonus_after >= 0", name="balances_not_negative"),
        sa.Index("ix_wallet_entries_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    kind: Mapped[WalletKind] = mapped_column(str_enum(WalletKind, "wallet_kind"))
    principal_delta: Mapped[int] = mapped_column(sa.BigInteger)
    bonus_delta: Mapped[int] = mapped_column(sa.BigInteger)
    principal_after: Mapped[int] = mapped_column(sa.BigInteger)
    bonus_after: Mapped[int] = mapped_column(sa.BigInteger)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    top_up_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wallet_top_ups.id"), index=True)
    refund_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wallet_entries.id"), index=True)  # the payment
    ref: Mapped[str] = mapped_column(sa.String(120), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))


class BonusTier(Base):
    """Top up at least min_amount_cents, get bonus_cents on top (the highest tier reached applies)."""

    __tablename__ = "wallet_bonus_tiers"
    __table_args__ = (
        sa.CheckConstraint("min_amount_cents > 0", name="min_amount_positive"),
        sa.CheckConstraint("bonus_cents >= 0", name="bonus_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    min_amount_cents: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    bonus_cents: Mapped[int] = mapped_column(sa.BigInteger)


class TopUpStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class TopUp(Timestamps, Base):
    """Money into the wallet through Stripe; credited once, when the provider reports success."""

    __tablename__ = "wallet_top_ups"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0 AND bonus_cents >= 0", name="amounts_valid"),
        sa.CheckConstraint("purpose IN ('wallet', 'membership')", name="purpose_known"),
        sa.UniqueConstraint("account_id", "client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    bonus_cents: Mapped[int] = mapped_column(sa.BigInteger)  # fixed when the top-up starts
    status: Mapped[TopUpStatus] = mapped_column(str_enum(TopUpStatus, "top_up_status"), default=TopUpStatus.PENDING)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(sa.String(255))
    client_key: Mapped[str] = mapped_column(sa.String(255))
    method: Mapped[str | None] = mapped_column(sa.String(24))   # card | wechat_pay | alipay (null: card)
    next_action: Mapped[dict | None] = mapped_column(sa.JSON)   # as on payments
    # wallet: the money stays in the wallet; membership: it pays the membership fee as it arrives.
    purpose: Mapped[str] = mapped_column(sa.String(12), default="wallet", server_default="wallet")
    failure_message: Mapped[str | None] = mapped_column(sa.String(500))
    succeeded_at: Mapped[dt.datetime | None]
