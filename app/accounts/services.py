"""Registration, login, bearer tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.accounts import token_cache
from app.accounts.models import Account, AccountKind, AuthToken, PhoneVerification
from app.accounts.password_policy import check_password
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.db import utcnow
from app.errors import AuthenticationFailed, Conflict, InvalidRequest, PermissionDenied, not_found
from app.extensions import db
from app.i18n import LOCALES, _
from app.phones import normalise_phone


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime
    account: Account


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ttl(kind: AccountKind) -> dt.timedelta:
    key = "STAFF_TOKEN_TTL_HOURS" if kind is AccountKind.STAFF else "SHOPPER_TOKEN_TTL_HOURS"
    return dt.timedelta(hours=current_app.config[key])


def _issue(account: Account) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + _ttl(account.kind)
    db.session.add(AuthToken(account_id=account.id, token_hash=_digest(token), expires_at=expires_at))
    return IssuedToken(token=token, expires_at=expires_at, account=account)


def _login_columns(email: str | None, phone: str | None) -> tuple[str | None, str | None]:
    if not email and not phone:
        raise InvalidRequest(_("Give an e-mail address or a phone number"), code="login_required")
    return (email.strip().lower() if email else None), (normalise_phone(phone) if phone else None)


def _create_account(kind: AccountKind, name: str, email: str | None, phone: str | None, password: str,
                    staff_role: str | None = None) -> Account:
    email, phone = _login_columns(email, phone)
    check_password(password, personal=(email, phone, name))
    account = Account(kind=kind, name=name, email=email, phone=phone, password_hash=hash_password(password),
                      staff_role=staff_role)
    db.session.add(account)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("An account with this e-mail or phone already exists"), code="account_exists") from None
    return account


def register_shopper(*, name: str, password: str, email: str | None = None, phone: str | None = None) -> IssuedToken:
    """Create a shopper account and log it in."""
    account = _create_account(AccountKind.SHOPPER, name, email, phone, password)
    issued = _issue(account)
    db.session.commit()
    return issued


def create_staff(*, name: str, email: str, password: str, role: str = "owner", commit: bool = True) -> Account:
    """Create a merchant staff account (by the CLI as an owner, or invited by an owner: staff are
    never self-registered)."""
    account = _create_account(AccountKind.STAFF, name, email, None, password, staff_role=role)
    if commit:
        db.session.commit()
    return account


def _find_for_login(kind: AccountKind, login: str) -> Account | None:
    login = login.strip()
    if "@" in login:
        column, value = Account.email, login.lower()
    else:
        try:
            column, value = Account.phone, normalise_phone(login)
        except InvalidRequest:
            return None
    return db.session.scalar(sa.select(Account).where(Account.kind == kind, column == value))


def login(kind: AccountKind, login: str, password: str) -> IssuedToken:
    """Exchange credentials for a bearer token; the same answer whether the login or the password is wrong."""
    account = _find_for_login(kind, login)
    if not verify_password(account.password_hash if account else None, password) or not account.is_active:
        raise AuthenticationFailed(_("Wrong login or password"), code="invalid_credentials")
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    issued = _issue(account)
    db.session.commit()
    return issued


def authenticate(token: str) -> Account | None:
    """The account behind a live (unexpired, unrevoked) token, or None."""
    row = db.session.execute(
        sa.select(Account)
        .join(AuthToken, AuthToken.account_id == Account.id)
        .where(
            AuthToken.token_hash == _digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > utcnow(),
            Account.is_active.is_(True),
        )
    ).scalar_one_or_none()
    return row


def revoke_all_tokens(account_id: int) -> list[str]:
    """Revoke every live token of an account in the caller's transaction; returns their hashes for
    forget_tokens() once that transaction is committed."""
    hashes = db.session.scalars(sa.select(AuthToken.token_hash).where(
        AuthToken.account_id == account_id, AuthToken.revoked_at.is_(None))).all()
    db.session.execute(sa.update(AuthToken).where(AuthToken.account_id == account_id, AuthToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    return list(hashes)


def forget_tokens(hashes: list[str]) -> None:
    """Drop revoked tokens from the Redis cache the flash-sale gate reads."""
    for token_hash in hashes:
        token_cache.forget(token_hash)


def logout(token: str) -> None:
    """Revoke a token; revoking an already revoked token is a no-op."""
    db.session.execute(
        sa.update(AuthToken)
        .where(AuthToken.token_hash == _digest(token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()
    token_cache.forget(_digest(token))


def authenticate_and_cache(token: str) -> Account | None:
    """authenticate() a shopper, and remember the token in Redis for the flash-sale gate. Staff
    tokens are refused (403) and never cached."""
    token_hash = _digest(token)
    row = db.session.execute(
        sa.select(Account.id, Account.kind, AuthToken.expires_at).join(AuthToken, AuthToken.account_id == Account.id)
        .where(AuthToken.token_hash == token_hash, AuthToken.revoked_at.is_(None), AuthToken.expires_at > utcnow(),
               Account.is_active.is_(True))).first()
    if row is None:
        return None
    if row.kind is not AccountKind.SHOPPER:
        raise PermissionDenied(_("Staff accounts cannot use the shopper or leader API"), code="shoppers_only")
    token_cache.remember(token_hash, row.id, row.expires_at)
    return db.session.get(Account, row.id)


def digest(token: str) -> str:
    return _digest(token)


_UNSET = object()


def update_profile(account_id: int, *, name: str | None = None, locale: str | None | object = _UNSET) -> Account:
    """Change the display name and/or the saved language (None: forget it, follow the browser)."""
    account = db.session.get(Account, account_id)
    if account is None:
        raise not_found("account", id=account_id)
    if name is not None:
        account.name = name
    if locale is not _UNSET:
        if locale is not None and locale not in LOCALES:
            raise InvalidRequest(_("Choose a language the store offers"), code="unsupported_locale",
                                 details={"offered": sorted(LOCALES)})
        account.locale = locale
    db.session.commit()
    return account


def purge_expired_tokens(older_than_days: int = 30) -> int:
    """Delete tokens expired or revoked more than N days ago, and phone verification codes sent that
    long ago (their rate limits look back 24 hours); returns how many went."""
    cutoff = utcnow() - dt.timedelta(days=older_than_days)
    result = db.session.execute(
        sa.delete(AuthToken).where(sa.or_(AuthToken.expires_at < cutoff, AuthToken.revoked_at < cutoff))
    )
    codes = db.session.execute(sa.delete(PhoneVerification).where(PhoneVerification.created_at < cutoff))
    db.session.commit()
    return (result.rowcount or 0) + (codes.rowcount or 0)
