from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, str_enum


class CashKind(enum.StrEnum):
    COLLECTED = "collected"      # a pay-at-pickup order handed over: the leader took the cash
    REMITTED = "remitted"        # the leader paid it to the merchant (recorded by staff, with a reference)
    CASH_REFUND = "cash_refund"  # the leader gave cash back to a shopper on the merchant's behalf
    NETTED = "netted"            # withheld from an approved commission payout (docs/commissions.md)
    NETTING_REVERSED = "netting_reversed"  # that payout was rejected after approval: owed again


class CashBucket(enum.StrEnum):
    OWED = "owed"                # leader party: what the leader holds for the merchant
    CASH_SALES = "cash_sales"    # store: sales paid in cash at pickup (less cash refunds)
    RECEIVED = "received"        # store: cash the merchant has received from leaders
    NETTED = "netted"            # store: cash settled by withholding it from leaders' commission payouts


class CashEntry(CreatedAt, Base):
    """One posting to the leader cash ledger: its lines sum to zero; append-only; once per `ref`
    (the commission journal's conventions)."""

    __tablename__ = "leader_cash_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CashKind] = mapped_column(str_enum(CashKind, "leader_cash_kind"))
    ref: Mapped[str] = mapped_column(sa.String(120), unique=True)
    leader_id: Mapped[int] = mapped_column(sa.ForeignKey("leaders.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    reference: Mapped[str | None] = mapped_column(sa.String(120))  # a remittance's bank/receipt reference
    payout_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commission_payouts.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))

    lines: Mapped[list[CashLine]] = relationship(lazy="selectin", order_by="CashLine.id")


class CashLine(Base):
    __tablename__ = "leader_cash_lines"
    __table_args__ = (
        sa.CheckConstraint("amount_cents <> 0", name="moves_money"),
        sa.CheckConstraint("(bucket = 'owed') = (leader_id IS NOT NULL)", name="party_matches_bucket"),
        sa.Index("ix_leader_cash_lines_party", "leader_id", "bucket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("leader_cash_entries.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"))  # NULL: the store
    bucket: Mapped[CashBucket] = mapped_column(str_enum(CashBucket, "leader_cash_bucket"))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
