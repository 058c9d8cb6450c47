from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt, Timestamps, str_enum


class AccountKind(enum.StrEnum):
    SHOPPER = "shopper"
    STAFF = "staff"


class Account(Timestamps, Base):
    """A person who logs in. Leaders are shoppers with an approved leader record."""

    __tablename__ = "accounts"
    __table_args__ = (
        # The same e-mail may hold a staff and a shopper account (a merchant who also shops).
        sa.UniqueConstraint("kind", "email"),
        sa.UniqueConstraint("kind", "phone"),
        sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_login"),
        sa.CheckConstraint("lifetime_spend_cents >= 0", name="spend_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind"))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Sum of paid order value net of refunds, kept by the payment services in the same
    # transaction as the payment; groups with a minimum-spend admission rule read it.
    lifetime_spend_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class AuthToken(CreatedAt, Base):
    """A bearer token. Only its SHA-256 is stored, so a database leak does not leak sessions."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
