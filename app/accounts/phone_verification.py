"""Proving a phone number: a 6-digit code by SMS, confirmed within 10 minutes in at most 5 tries.

Only an HMAC of the code (keyed with SECRET_KEY, bound to the account and the number) is stored,
so a leaked table does not give codes away. Each new code supersedes the shopper's earlier ones,
and codes are rate limited per shopper and per number (besides per client address at the route),
so the tries cannot be multiplied by asking again: at most MAX_CODES_PER_DAY × MAX_ATTEMPTS
guesses a day against a million codes. A confirmed number becomes the account's phone (its login
phone too) and the account is marked verified; groups may require that (AdmissionRule.VERIFIED_PHONE).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account, AccountKind, PhoneVerification
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, RateLimited, ServiceUnavailable, not_found
from app.extensions import db
from app.i18n import _
from app.phones import normalise_phone
from app.sms import SmsError, sms_sender

log = logging.getLogger(__name__)
NO_SYNC = {"synchronize_session": False}

CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_CODES_PER_DAY = 5          # per shopper, and per phone number across shoppers
DAY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class CodeSent:
    phone: str
    expires_at: dt.datetime
    resend_after: dt.datetime
    attempts_left: int


def _digest(account_id: int, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{account_id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _locked_account(account_id: int) -> Account:
    # Serialises one shopper's requests and confirmations (PostgreSQL; SQLite has one writer anyway).
    account = db.session.scalar(sa.select(Account).where(Account.id == account_id).with_for_update())
    if account is None:
        raise not_found("account", id=account_id)
    return account


def _phone_holder(phone: str) -> int | None:
    return db.session.scalar(sa.select(Account.id).where(Account.kind == AccountKind.SHOPPER, Account.phone == phone))


def _target(account: Account, phone: str | None) -> str:
    target = normalise_phone(phone) if phone else account.phone
    if not target:
        raise InvalidRequest(_("Give the phone number to verify"), code="phone_required")
    if target == account.phone and account.phone_verified_at is not None:
        raise Conflict(_("This phone number is already verified"), code="phone_already_verified")
    holder = _phone_holder(target)
    if holder is not None and holder != account.id:
        raise Conflict(_("Another account uses this phone number"), code="phone_taken")
    return target


def _check_rate(account_id: int, phone: str, now: dt.datetime) -> None:
    last = db.session.scalar(sa.select(sa.func.max(PhoneVerification.created_at))
                             .where(PhoneVerification.account_id == account_id))
    if last is not None and last + RESEND_AFTER > now:
        wait = (last + RESEND_AFTER - now).total_seconds()
        raise RateLimited(_("A code was just sent; wait a moment before asking for another"),
                          code="verification_code_recently_sent", retry_after=int(wait) + 1,
                          details={"retry_after_seconds": int(wait) + 1})
    for column, value in ((PhoneVerification.account_id, account_id), (PhoneVerification.phone, phone)):
        recent = list(db.session.scalars(sa.select(PhoneVerification.created_at)
                                         .where(column == value, PhoneVerification.created_at > now - DAY)
                                         .order_by(PhoneVerification.created_at)))
        if len(recent) >= MAX_CODES_PER_DAY:
            wait = (recent[-MAX_CODES_PER_DAY] + DAY - now).total_seconds()
            raise RateLimited(_("Too many codes requested today; try again later"), code="too_many_verification_codes",
                              retry_after=int(wait) + 1,
                              details={"retry_after_seconds": int(wait) + 1, "limit_per_day": MAX_CODES_PER_DAY})


def request_code(account_id: int, phone: str | None = None) -> CodeSent:
    """Send a fresh code to the number (the account's own unless another is given); earlier codes
    stop working. The row is committed before the SMS goes out; if the provider fails it is
    removed again, so the failure costs the shopper no allowance."""
    now = utcnow()
    account = _locked_account(account_id)
    target = _target(account, phone)
    _check_rate(account_id, target, now)
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = PhoneVerification(account_id=account_id, phone=target, code_hash=_digest(account_id, target, code),
                                  expires_at=now + CODE_TTL, attempts=0, created_at=now)
    db.session.add(challenge)
    db.session.commit()
    try:
        sms_sender().send(target, f"{code} is your {current_app.config['STORE_NAME']} verification code. "
                                  f"It expires in {CODE_TTL.seconds // 60} minutes. Do not share it.")
    except SmsError as exc:
        log.warning("SMS to %s failed: %s", target, exc)
        db.session.execute(sa.delete(PhoneVerification).where(PhoneVerification.id == challenge.id))
        db.session.commit()
        raise ServiceUnavailable(_("The code could not be sent; try again in a moment"),
                                 code="sms_unavailable") from None
    return CodeSent(target, challenge.expires_at, now + RESEND_AFTER, MAX_ATTEMPTS)


def _latest(account_id: int) -> PhoneVerification | None:
    return db.session.scalar(sa.select(PhoneVerification).where(PhoneVerification.account_id == account_id)
                             .order_by(PhoneVerification.id.desc()).limit(1))


def _take_attempt(challenge: PhoneVerification, now: dt.datetime) -> None:
    """Spend one try before comparing, in one guarded statement: concurrent guesses cannot exceed
    MAX_ATTEMPTS between them, and an expired code takes none."""
    if challenge.expires_at <= now:
        raise Conflict(_("This code has expired; ask for a new one"), code="verification_code_expired")
    taken = db.session.execute(
        sa.update(PhoneVerification).where(PhoneVerification.id == challenge.id,
                                           PhoneVerification.confirmed_at.is_(None),
                                           PhoneVerification.attempts < MAX_ATTEMPTS,
                                           PhoneVerification.expires_at > now)
        .values(attempts=PhoneVerification.attempts + 1).execution_options(**NO_SYNC)).rowcount
    if not taken:
        raise Conflict(_("Too many wrong codes; ask for a new one"), code="verification_attempts_exceeded")


def confirm_code(account_id: int, code: str) -> Account:
    """Confirm the latest code: the number becomes the account's phone, marked verified."""
    now = utcnow()
    account = _locked_account(account_id)
    challenge = _latest(account_id)
    if challenge is None or challenge.confirmed_at is not None:
        raise Conflict(_("Ask for a verification code first"), code="verification_not_requested")
    _take_attempt(challenge, now)
    if not hmac.compare_digest(challenge.code_hash, _digest(account_id, challenge.phone, code)):
        db.session.commit()  # the try stays spent although the request fails
        left = MAX_ATTEMPTS - db.session.scalar(sa.select(PhoneVerification.attempts)
                                                .where(PhoneVerification.id == challenge.id))
        raise InvalidRequest(_("That code is not right"), code="verification_code_invalid",
                             details={"attempts_left": left})
    challenge.confirmed_at = now
    account.phone, account.phone_verified_at = challenge.phone, now
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Another account uses this phone number"), code="phone_taken") from None
    return account
