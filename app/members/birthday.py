"""Birthdays: the shopper's birthday (changes limited), and the store's birthday coupon, once a year.

A birthday is a month and a day in the store's timezone (STORE_TIMEZONE): the perk belongs to the
local date, whatever the server's clock or the shopper's phone says. A 29 February birthday gets
its perk on 28 February in years without one. The coupon is issued once per shopper and calendar
year (its source_ref names the year), by the sweep or lazily when the shopper opens their profile,
whichever comes first; moving the birthday never earns a second one in the same year.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import Account, AccountKind
from app.clock import local_today, store_tz
from app.db import utcnow
from app.errors import Conflict, DomainError, InvalidRequest, not_found
from app.extensions import db
from app.i18n import Day, _, format_day
from app.notifications.outbox import Recipient, emit

log = logging.getLogger(__name__)

# A birthday may be changed once in this many days (the first time it is set is free).
CHANGE_INTERVAL_DAYS = 365
EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class BirthdayStatus:
    """A shopper's birthday as the API shows it."""

    month: int | None
    day: int | None
    year: int | None
    changed_at: dt.datetime | None
    next_change_on: dt.date | None   # None: may be changed now
    next_perk_on: dt.date | None     # the next local date the perk is due (today included)


def perk_date(month: int, day: int, year: int) -> dt.date:
    """The local date of the perk in a given year: 29 February falls back to the 28th in other years."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def is_birthday(account: Account, today: dt.date) -> bool:
    if account.birth_month is None:
        return False
    return perk_date(account.birth_month, account.birth_day, today.year) == today


def next_perk_on(account: Account, today: dt.date) -> dt.date | None:
    if account.birth_month is None:
        return None
    this_year = perk_date(account.birth_month, account.birth_day, today.year)
    return this_year if this_year >= today else perk_date(account.birth_month, account.birth_day, today.year + 1)


def next_change_on(account: Account) -> dt.date | None:
    """The first local date a set birthday may be changed again; None when it may be changed now."""
    if account.birth_month is None or account.birthday_changed_at is None:
        return None
    changed_on = account.birthday_changed_at.astimezone(store_tz()).date()
    allowed = changed_on + dt.timedelta(days=CHANGE_INTERVAL_DAYS)
    return allowed if allowed > local_today() else None


def birthday_status(account: Account) -> BirthdayStatus:
    today = local_today()
    return BirthdayStatus(account.birth_month, account.birth_day, account.birth_year, account.birthday_changed_at,
                          next_change_on(account), next_perk_on(account, today))


def _validate(month: int, day: int, year: int | None, today: dt.date) -> None:
    try:
        dt.date(year or 2000, month, day)  # 2000 was a leap year: 29 February is a birthday
    except ValueError:
        raise InvalidRequest(_("No such date"), code="invalid_birthday",
                             details={"month": month, "day": day, "year": year}) from None
    if year is not None and (year < EARLIEST_YEAR or dt.date(year, month, day) > today):
        raise InvalidRequest(_("A birthday cannot be in the future or before 1900"), code="invalid_birthday",
                             details={"month": month, "day": day, "year": year})


def set_birthday(account_id: int, *, month: int, day: int, year: int | None = None) -> BirthdayStatus:
    """Set the shopper's birthday. The first time is free; after that it may change once every
    CHANGE_INTERVAL_DAYS (local dates). Giving the birthday already on file changes nothing."""
    today = local_today()
    _validate(month, day, year, today)
    # Locked and re-read: two changes at once must not both pass the once-a-year check.
    account = db.session.scalar(sa.select(Account).where(Account.id == account_id).with_for_update()
                                .execution_options(populate_existing=True))
    if account is None:
        raise not_found("account", id=account_id)
    if (account.birth_month, account.birth_day, account.birth_year) == (month, day, year):
        return birthday_status(account)
    blocked_until = next_change_on(account)
    if blocked_until is not None:
        raise Conflict(_('Your birthday can be changed again on %(date)s', date=format_day(blocked_until)),
                       code="birthday_change_too_soon",
                       details={"next_change_on": blocked_until.isoformat(),
                                "changed_at": account.birthday_changed_at.isoformat()})
    account.birth_month, account.birth_day, account.birth_year = month, day, year
    account.birthday_changed_at = utcnow()
    db.session.commit()
    return birthday_status(account)


def source_ref(account_id: int, year: int) -> str:
    return f"birthday:{account_id}:{year}"


def _grant(account_id: int, template_id: int, today: dt.date) -> bool:
    """Issue this year's birthday coupon and tell the shopper; False if it was already issued.
    Commits (or rolls back) its own unit of work."""
    from app.coupons.models import Coupon
    from app.coupons.services import issue_coupon

    ref = source_ref(account_id, today.year)
    # The account row lock serialises the sweep and a lazy grant for the same shopper, so the
    # existence check below is reliable and the shopper is told exactly once.
    db.session.execute(sa.select(Account.id).where(Account.id == account_id).with_for_update())
    if db.session.scalar(sa.select(Coupon.id).where(Coupon.source_ref == ref)) is not None:
        db.session.rollback()
        return False
    coupon = issue_coupon(template_id, account_id, source="birthday", source_ref=ref)
    valid_until = coupon.valid_until.astimezone(store_tz()).date()
    emit("birthday.coupon_issued",
         {"account_id": account_id, "coupon_id": coupon.id, "template_id": template_id,
          "coupon_name": coupon.template.name, "valid_until": coupon.valid_until.isoformat()},
         [Recipient(account_id, "shopper", _("Happy birthday!"),
                    _("A birthday present from us: %(coupon)s, yours to use until %(day)s.",
                      coupon=coupon.template.name, day=Day(valid_until)))])
    db.session.commit()
    return True


def _template_id() -> int | None:
    from app.settings.services import get_settings

    return get_settings().birthday_coupon_template_id


def offer_configured() -> bool:
    """Whether the merchant chose a birthday coupon (settings: birthday_coupon_template_id)."""
    configured = _template_id() is not None
    db.session.rollback()
    return configured


def grant_if_birthday(account: Account) -> bool:
    """Lazily give today's birthday coupon when the shopper shows up on their birthday, so a sweep
    that did not run still delivers. Never fails the caller: a refusal (template exhausted,
    inactive) is logged and the sweep reports it."""
    today = local_today()
    if account.kind is not AccountKind.SHOPPER or not is_birthday(account, today):
        return False
    template_id = _template_id()
    if template_id is None:
        return False
    try:
        return _grant(account.id, template_id, today)
    except DomainError as exc:
        db.session.rollback()
        log.warning("Birthday coupon for account %s not issued: %s (%s)", account.id, exc.code, exc.message)
        return False


def _born_on(today: dt.date) -> sa.ColumnElement[bool]:
    days = [(today.month, today.day)]
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days.append((2, 29))
    return sa.or_(*(sa.and_(Account.birth_month == m, Account.birth_day == d) for m, d in days))


def sweep(*, batch_size: int = 500, progress: Callable[[dict[str, int]], None] | None = None) -> dict[str, int]:
    """Periodic: every active shopper whose birthday is today (store timezone) gets the store's
    birthday coupon and a message, once a year. Safe to run any number of times a day."""
    today = local_today()
    counts = {"issued": 0, "already_issued": 0, "failed": 0}
    template_id = _template_id()
    db.session.rollback()  # end the read: each grant is its own transaction
    if template_id is None:
        return counts
    after = 0
    while True:
        ids = list(db.session.scalars(
            sa.select(Account.id).where(_born_on(today), Account.kind == AccountKind.SHOPPER,
                                        Account.is_active.is_(True), Account.id > after)
            .order_by(Account.id).limit(batch_size)))
        db.session.rollback()
        for account_id in ids:
            counts[_grant_counted(account_id, template_id, today)] += 1
        if progress is not None and ids:
            progress(dict(counts))
        if len(ids) < batch_size:
            return counts
        after = ids[-1]


def _grant_counted(account_id: int, template_id: int, today: dt.date) -> str:
    try:
        return "issued" if _grant(account_id, template_id, today) else "already_issued"
    except DomainError as exc:
        db.session.rollback()
        log.warning("Birthday coupon for account %s not issued: %s (%s)", account_id, exc.code, exc.message)
        return "failed"
