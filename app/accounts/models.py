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
        sa.CheckConstraint("(birth_month IS NULL) = (birth_day IS NULL)", name="birthday_whole"),
        sa.CheckConstraint("birth_month IS NULL OR (birth_month BETWEEN 1 AND 12 AND birth_day BETWEEN 1 AND 31)",
                           name="birthday_range"),
        sa.CheckConstraint("birth_year IS NULL OR (birth_month IS NOT NULL AND birth_year BETWEEN 1900 AND 2100)",
                           name="birth_year_range"),
        sa.CheckConstraint("phone_verified_at IS NULL OR phone IS NOT NULL", name="verified_phone_present"),
        sa.CheckConstraint("(kind = 'staff') = (staff_role IS NOT NULL)", name="staff_have_a_role"),
        # The birthday sweep looks shoppers up by month and day.
        sa.Index("ix_accounts_birthday", "birth_month", "birth_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind"))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Staff only: the key of a built-in role (app/staff/permissions.py) or of a custom staff_roles row.
    staff_role: Mapped[str | None] = mapped_column(sa.String(40))
    # Sum of paid order value net of refunds, kept by the payment services in the same
    # transaction as the payment; groups with a minimum-spend admission rule read it.
    lifetime_spend_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Birthday (app/members/birthday.py): month and day drive the perk; the year is optional and
    # only kept if the shopper gives it. Changes are limited, so the perk cannot be moved at will.
    birth_month: Mapped[int | None] = mapped_column(sa.SmallInteger)
    birth_day: Mapped[int | None] = mapped_column(sa.SmallInteger)
    birth_year: Mapped[int | None] = mapped_column(sa.SmallInteger)
    birthday_changed_at: Mapped[dt.datetime | None]
    # When `phone` was proven by a code sent to it (app/accounts/phone_verification.py). Anything
    # that changes `phone` by another route must clear it.
    phone_verified_at: Mapped[dt.datetime | None]
    # The language the person chose ("zh-CN" or "en"; app/i18n.py LOCALES); null until they choose,
    # when requests follow Accept-Language and messages sent to them the store's STORE_LOCALE.
    locale: Mapped[str | None] = mapped_column(sa.String(8))


class AuthToken(CreatedAt, Base):
    """A bearer token. Only its SHA-256 is stored, so a database leak does not leak sessions."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class PhoneVerification(CreatedAt, Base):
    """One code sent to a phone for a shopper to prove they hold it. Only an HMAC of the code is
    stored; the latest row of an account is the only one that can be confirmed."""

    __tablename__ = "phone_verifications"
    __table_args__ = (
        sa.Index("ix_phone_verifications_account_created", "account_id", "created_at"),
        sa.Index("ix_phone_verifications_phone_created", "phone", "created_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(sa.String(20))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    confirmed_at: Mapped[dt.datetime | None]
