"""A shopper's rights over their personal data (PIPL art. 45 and 47, GDPR art. 15, 17 and 20): a copy
of everything kept about them, as JSON, and deleting the account.

Deleting anonymises rather than removes: orders, payments, refunds, the wallet, points and the
commission journal are the merchant's books (and leaders' earnings), which the law requires to be
kept and which must still add up. So the person goes — name, e-mail, phone, birthday, password,
sessions, verification codes — and the numbers stay, tied to an account nobody can log in to.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts import token_cache
from app.accounts.models import Account, AccountKind, AuthToken, PhoneVerification
from app.accounts.passwords import verify_password
from app.db import utcnow
from app.errors import AuthenticationFailed, Conflict
from app.extensions import db
from app.i18n import _, in_locale

# Tables keyed by the person's account_id that are ours, not theirs (bookkeeping of requests).
NOT_EXPORTED = {"auth_tokens", "idempotency_keys", "share_post_quotas", "phone_verifications"}
SECRET_COLUMNS = ("hash", "secret", "password")
ACCOUNT_FIELDS = ("id", "kind", "name", "email", "phone", "birth_year", "birth_month", "birth_day",
                  "phone_verified_at", "lifetime_spend_cents", "created_at")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def _rows(table: sa.Table, where) -> list[dict[str, Any]]:
    columns = [c for c in table.columns if not any(word in c.name for word in SECRET_COLUMNS)]
    return [{c.name: _plain(v) for c, v in zip(columns, row, strict=True)}
            for row in db.session.execute(sa.select(*columns).where(where).order_by(*table.primary_key.columns))]


def export_data(account_id: int) -> dict[str, Any]:
    """Everything kept about the shopper, table by table (every row keyed by their account)."""
    account = db.session.get(Account, account_id)
    data: dict[str, Any] = {"exported_at": utcnow().isoformat(),
                            "account": {f: _plain(getattr(account, f)) for f in ACCOUNT_FIELDS}}
    for table in db.metadata.sorted_tables:
        if "account_id" in table.columns and table.name not in NOT_EXPORTED:
            data[table.name] = _rows(table, table.c.account_id == account_id)
    order_ids = [row["id"] for row in data.get("orders", [])]
    lines = db.metadata.tables["order_lines"]
    data["order_lines"] = _rows(lines, lines.c.order_id.in_(order_ids)) if order_ids else []
    return data


def _active_leader(account_id: int) -> bool:
    from app.leaders.models import Leader

    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Leader).where(
        Leader.account_id == account_id)))


def delete_account(account_id: int, password: str) -> None:
    """Anonymise the shopper's account and end every session at once; the books stay whole."""
    account = db.session.get(Account, account_id)
    if account.kind is not AccountKind.SHOPPER or not verify_password(account.password_hash, password):
        raise AuthenticationFailed(_("The password is not right"), code="invalid_credentials")
    if _active_leader(account_id):
        raise Conflict(_("A group leader's account cannot be deleted; ask the merchant to hand your "
                         "groups over first"), code="leader_account")
    with in_locale(current_app.config["STORE_LOCALE"]):
        account.name = str(_("Deleted account"))
    # Accounts must keep a login (ck_accounts_has_login): one on the reserved .invalid domain
    # (RFC 2606), which says nothing about the person and can never receive mail.
    account.email = f"deleted-{account.id}@deleted.invalid"
    account.phone = account.phone_verified_at = None
    account.birth_year = account.birth_month = account.birth_day = account.birthday_changed_at = None
    account.password_hash = "!deleted"     # matches no password: argon2 cannot verify it
    account.is_active = False
    _anonymise_applications(account_id)
    db.session.execute(sa.delete(PhoneVerification).where(PhoneVerification.account_id == account_id))
    hashes = list(db.session.scalars(sa.select(AuthToken.token_hash).where(AuthToken.account_id == account_id)))
    db.session.execute(sa.update(AuthToken).where(AuthToken.account_id == account_id,
                                                  AuthToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.commit()
    for token_hash in hashes:
        token_cache.forget(token_hash)     # the flash-sale gate's copy too


def _anonymise_applications(account_id: int) -> None:
    from app.leaders.models import LeaderApplication

    db.session.execute(sa.update(LeaderApplication).where(LeaderApplication.account_id == account_id)
                       .values(name="-", phone="-", motivation=None))
