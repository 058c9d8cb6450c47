from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class RuleScope(enum.StrEnum):
    """Most specific wins: campaign, then product, then category, then the default."""

    DEFAULT = "default"
    CATEGORY = "category"
    PRODUCT = "product"
    CAMPAIGN = "campaign"


SPECIFICITY = {RuleScope.CAMPAIGN: 4, RuleScope.PRODUCT: 3, RuleScope.CATEGORY: 2, RuleScope.DEFAULT: 1}


class CommissionRule(Timestamps, Base):
    """Rates in basis points of a line's net amount, valid in [valid_from, valid_until)."""

    __tablename__ = "commission_rules"
    __table_args__ = (
        sa.CheckConstraint("leader_rate_bps BETWEEN 0 AND 5000", name="leader_rate_range"),
        sa.CheckConstraint("referrer_rate_bps BETWEEN 0 AND 2000", name="referrer_rate_range"),
        sa.CheckConstraint("leader_rate_bps + referrer_rate_bps <= 5000", name="shares_within_half"),
        sa.CheckConstraint("(scope = 'default') = (target_id IS NULL)", name="target_matches_scope"),
        sa.CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="window_ordered"),
        sa.Index("ix_commission_rules_lookup", "scope", "target_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[RuleScope] = mapped_column(str_enum(RuleScope, "rule_scope"))
    target_id: Mapped[int | None]  # category, product or campaign id
    leader_rate_bps: Mapped[int]
    referrer_rate_bps: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[dt.datetime]
    valid_until: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(sa.String(200))


class PayoutProvider(enum.StrEnum):
    BANK_EXPORT = "bank_export"
    STRIPE_CONNECT = "stripe_connect"


class CommissionSettings(Timestamps, Base):
    """The one settings row (id 1)."""

    __tablename__ = "commission_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("after_sale_days BETWEEN 0 AND 90", name="after_sale_range"),
        sa.CheckConstraint("payout_min_cents >= 0 AND payout_fee_cents >= 0 AND payout_fee_bps BETWEEN 0 AND 2000",
                           name="payout_terms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Commission becomes withdrawable this many days after pickup (the after-sale window).
    after_sale_days: Mapped[int] = mapped_column(default=7)
    # Pay the buyer's referrer (one level) their rule's referrer share; off: nobody gets it.
    referrer_share_enabled: Mapped[bool] = mapped_column(default=False)
    # Payouts: the smallest withdrawal, and its fee (fixed plus a share; the store keeps it).
    payout_min_cents: Mapped[int] = mapped_column(sa.BigInteger, default=1000)
    payout_fee_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    payout_fee_bps: Mapped[int] = mapped_column(default=0)
    # How approved payouts leave: a CSV for the merchant's bank, or Stripe Connect transfers to the
    # leaders' connected accounts (needs STRIPE_SECRET_KEY and a Connect platform account).
    payout_provider: Mapped[PayoutProvider] = mapped_column(str_enum(PayoutProvider, "payout_provider"),
                                                            default=PayoutProvider.BANK_EXPORT,
                                                            server_default=PayoutProvider.BANK_EXPORT.value)


class Bucket(enum.StrEnum):
    """Party buckets are what the store owes that party (positive: owed); the store's
    commission_expense carries the other side, so every entry sums to zero."""

    PENDING = "pending"            # earned, not yet withdrawable
    AVAILABLE = "available"        # settled: withdrawable (negative after a clawback of paid-out money)
    WITHDRAWING = "withdrawing"    # asked for in a payout not yet paid or rejected
    PAID_OUT = "paid_out"          # withdrawn (cumulative, after the payout fee)
    COMMISSION_EXPENSE = "commission_expense"  # the store's side


class EntryKind(enum.StrEnum):
    ACCRUE = "accrue"
    SETTLE = "settle"
    CLAWBACK = "clawback"
    PAYOUT = "payout"


class JournalEntry(CreatedAt, Base):
    """One posting: its lines sum to zero (checked when posted, and by a deferred trigger on
    PostgreSQL). Append-only; `ref` makes each posting happen once."""

    __tablename__ = "commission_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "commission_entry_kind"))
    ref: Mapped[str] = mapped_column(sa.String(120), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    memo: Mapped[str | None] = mapped_column(sa.String(200))

    lines: Mapped[list[JournalLine]] = relationship(lazy="selectin", order_by="JournalLine.id")


class JournalLine(Base):
    __tablename__ = "commission_lines"
    __table_args__ = (
        sa.CheckConstraint("amount_cents <> 0", name="moves_money"),
        sa.CheckConstraint("(bucket = 'commission_expense') = (account_id IS NULL)", name="party_matches_bucket"),
        sa.Index("ix_commission_lines_party", "account_id", "bucket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("commission_entries.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))  # the party; NULL: the store
    role: Mapped[str | None] = mapped_column(sa.String(10))  # leader | referrer, for party lines
    bucket: Mapped[Bucket] = mapped_column(str_enum(Bucket, "commission_bucket"))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    order_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commission_rules.id"))


class PayoutStatus(enum.StrEnum):
    REQUESTED = "requested"  # the amount moved from available to withdrawing
    APPROVED = "approved"    # waiting to go out (bank export; or a Stripe transfer not sent or refused)
    EXPORTED = "exported"    # in a bank file; marked paid when the bank confirms
    SENDING = "sending"      # a Stripe transfer claimed it; paid once Stripe answers (or a sweep finds it)
    PAID = "paid"
    REJECTED = "rejected"    # the amount went back to available


class Payout(Timestamps, Base):
    """A leader's withdrawal of available commission; once per (account, Idempotency-Key)."""

    __tablename__ = "commission_payouts"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0 AND fee_cents >= 0 AND fee_cents < amount_cents", name="amounts_valid"),
        sa.CheckConstraint("cash_netted_cents >= 0 AND fee_cents + cash_netted_cents <= amount_cents",
                           name="netting_valid"),
        sa.UniqueConstraint("account_id", "client_key"),
        sa.Index("ix_commission_payouts_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    leader_id: Mapped[int] = mapped_column(sa.ForeignKey("leaders.id"))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    fee_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Pickup cash the leader owed, withheld from this payout when it was approved (leader cash ledger);
    # the leader is sent amount - fee - cash_netted. Back to 0 if the payout is rejected after approval.
    cash_netted_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    status: Mapped[PayoutStatus] = mapped_column(str_enum(PayoutStatus, "payout_status"),
                                                 default=PayoutStatus.REQUESTED)
    provider: Mapped[str] = mapped_column(sa.String(24), default="bank_export")
    client_key: Mapped[str] = mapped_column(sa.String(255))
    bank_reference: Mapped[str | None] = mapped_column(sa.String(120))
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    decided_at: Mapped[dt.datetime | None]
    exported_at: Mapped[dt.datetime | None]
    paid_at: Mapped[dt.datetime | None]
    # Stripe Connect: when the transfer was claimed (a sweep retries claims older than a lease), and
    # Stripe's last refusal (shown to the merchant, who fixes the account and sends again or rejects).
    sending_since: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))

    @property
    def net_cents(self) -> int:
        """What leaves for the leader's bank or Stripe account."""
        return self.amount_cents - self.fee_cents - self.cash_netted_cents
