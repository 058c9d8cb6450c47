"""Issuing coupons (by the merchant or by rules), and redeeming them at checkout atomically.

Issuing is idempotent per source_ref and guarded: the total limit by a conditional UPDATE of the
template's counter, the per-person limit by counting under the shopper's account row lock.
Redeeming is one conditional UPDATE (available, in its window, the shopper's own): of ten
checkouts racing with one coupon, exactly one changes the row; the others find it used.
A coupon on an order that closes unpaid (expired, cancelled) becomes available again; a coupon on
a paid order stays used even if the order is refunded (the discount was the shopper's to spend).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account, AccountKind
from app.coupons.models import Coupon, CouponKind, CouponSource, CouponStatus, CouponTemplate
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.money import split_cents

NO_SYNC = {"synchronize_session": False}


def create_template(data: dict[str, Any]) -> CouponTemplate:
    from app.catalog.models import Category, Product

    product_ids, category_ids = data.pop("product_ids", []), data.pop("category_ids", [])
    template = CouponTemplate(**data, issued_count=0, is_active=True)
    template.products = _all_found(Product, product_ids, "unknown_product")
    template.categories = _all_found(Category, category_ids, "unknown_category")
    db.session.add(template)
    db.session.commit()
    return template


def _all_found(model, ids: list[int], code: str) -> list:
    rows = db.session.scalars(sa.select(model).where(model.id.in_(ids))).all() if ids else []
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise InvalidRequest(_('Unknown ids: %(missing)s', missing=missing), code=code, details={"ids": missing})
    return rows


def get_template(template_id: int) -> CouponTemplate:
    template = db.session.get(CouponTemplate, template_id)
    if template is None:
        raise not_found("coupon_template", id=template_id)
    return template


def set_active(template_id: int, active: bool) -> CouponTemplate:
    template = get_template(template_id)
    template.is_active = active
    db.session.commit()
    return template


def issue_coupon(template_id: int, account_id: int, *, source: str | CouponSource, source_ref: str,
                 now: dt.datetime | None = None) -> Coupon:
    """Issue one coupon, once per source_ref (a second call returns the first coupon). Does not
    commit. Raises Conflict when the template is inactive, exhausted, over the per-person limit or
    past its validity."""
    now = now or utcnow()
    existing = db.session.scalar(sa.select(Coupon).where(Coupon.source_ref == source_ref))
    if existing is not None:
        return existing
    template = get_template(template_id)
    if not template.is_active:
        raise Conflict(_("This coupon is no longer issued"), code="coupon_template_inactive")
    holder = db.session.get(Account, account_id)
    if holder is None or holder.kind is not AccountKind.SHOPPER:
        raise InvalidRequest(_("Coupons are held by shoppers: no such shopper"), code="unknown_shopper",
                             details={"account_id": account_id})
    valid_from = max(now, template.valid_from) if template.valid_from else now
    ends = [t for t in (template.valid_until, now + dt.timedelta(days=template.valid_days or 0)
                        if template.valid_days else None) if t is not None]
    valid_until = min(ends)
    if valid_until <= valid_from:
        raise Conflict(_("This coupon's validity has ended"), code="coupon_template_expired")
    try:
        with db.session.begin_nested():
            # Serialises issuing to one shopper, so the per-person count cannot be raced past.
            db.session.execute(sa.select(Account.id).where(Account.id == account_id).with_for_update())
            if template.per_person_limit is not None and db.session.scalar(
                    sa.select(sa.func.count()).select_from(Coupon).where(
                        Coupon.template_id == template_id, Coupon.account_id == account_id)) >= \
                    template.per_person_limit:
                raise Conflict(_("This shopper already holds the most coupons of this kind allowed"),
                               code="coupon_per_person_limit", details={"limit": template.per_person_limit})
            if not db.session.execute(
                    sa.update(CouponTemplate).where(
                        CouponTemplate.id == template_id,
                        sa.or_(CouponTemplate.total_limit.is_(None),
                               CouponTemplate.issued_count < CouponTemplate.total_limit))
                    .values(issued_count=CouponTemplate.issued_count + 1).execution_options(**NO_SYNC)).rowcount:
                raise Conflict(_("All coupons of this kind have been issued"), code="coupons_exhausted")
            coupon = Coupon(template_id=template_id, account_id=account_id, status=CouponStatus.AVAILABLE,
                            valid_from=valid_from, valid_until=valid_until, source=CouponSource(source),
                            source_ref=source_ref)
            db.session.add(coupon)
    except IntegrityError:  # the same source_ref issued concurrently: that one stands
        coupon = db.session.scalar(sa.select(Coupon).where(Coupon.source_ref == source_ref))
        if coupon is None:
            raise
    return coupon


def shown_status(coupon: Coupon, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if coupon.status is CouponStatus.AVAILABLE and coupon.valid_until <= now:
        return "expired"
    if coupon.status is CouponStatus.AVAILABLE and coupon.valid_from > now:
        return "not_yet_valid"
    return coupon.status.value


def coupons_of(account_id: int) -> sa.Select:
    return sa.select(Coupon).where(Coupon.account_id == account_id).order_by(Coupon.valid_until, Coupon.id)


@dataclass(frozen=True)
class DiscountLine:
    """A line as the coupon sees it: its amount before any discount and what it is."""

    sku_id: int
    product_id: int
    category_id: int | None
    amount_cents: int
    campaign: bool  # campaign-priced lines take no coupon


def _applies(template: CouponTemplate, line: DiscountLine) -> bool:
    if line.campaign:
        return False
    products = {p.id for p in template.products}
    categories = {c.id for c in template.categories}
    if not products and not categories:
        return True
    return line.product_id in products or (line.category_id is not None and line.category_id in categories)


# Why a coupon cannot be used, one sentence per state so each translates naturally.
UNAVAILABLE = {
    "expired": _("This coupon has expired"),
    "not_yet_valid": _("This coupon is not valid yet"),
    "used": _("This coupon has been used"),
    "void": _("This coupon was withdrawn"),
}


def usable_coupon(coupon_id: int, account_id: int, now: dt.datetime) -> Coupon:
    coupon = db.session.get(Coupon, coupon_id)
    if coupon is None or coupon.account_id != account_id:
        raise InvalidRequest(_("You hold no such coupon"), code="unknown_coupon", details={"coupon_id": coupon_id})
    status = shown_status(coupon, now)
    if status != "available":
        raise Conflict(UNAVAILABLE.get(status, UNAVAILABLE["void"]), code="coupon_unavailable",
                       details={"coupon_id": coupon_id, "status": status})
    return coupon


def discount(template: CouponTemplate, lines: list[DiscountLine]) -> dict[int, int]:
    """{sku_id: cents off}, spread over the eligible lines in proportion to their amounts (largest
    remainder, so the shares add up to the discount exactly)."""
    eligible = [line for line in lines if _applies(template, line)]
    base = sum(line.amount_cents for line in eligible)
    if not eligible:
        raise InvalidRequest(_("This coupon applies to none of these items"), code="coupon_not_applicable")
    if base < template.min_spend_cents:
        raise InvalidRequest(_("Spend more on the items this coupon covers to use it"), code="coupon_min_spend_not_met",
                             details={"min_spend_cents": template.min_spend_cents, "eligible_cents": base})
    if template.kind is CouponKind.AMOUNT:
        off = min(template.amount_off_cents, base)
    else:
        off = base * template.percent_off // 100
    shares = split_cents(off, [line.amount_cents for line in eligible])
    return {line.sku_id: share for line, share in zip(eligible, shares, strict=True)}


def redeem(coupon_id: int, account_id: int, order_id: int, now: dt.datetime) -> None:
    """Mark the coupon used by this order, atomically. No commit."""
    if not db.session.execute(
            sa.update(Coupon).where(Coupon.id == coupon_id, Coupon.account_id == account_id,
                                    Coupon.status == CouponStatus.AVAILABLE, Coupon.valid_from <= now,
                                    Coupon.valid_until > now)
            .values(status=CouponStatus.USED, order_id=order_id, used_at=now).execution_options(**NO_SYNC)).rowcount:
        raise Conflict(_("This coupon was just used on another order"), code="coupon_unavailable",
                       details={"coupon_id": coupon_id, "status": "used"})


def release(order_id: int) -> None:
    """The order closed unpaid: its coupon can be used again (within its own validity). No commit."""
    db.session.execute(
        sa.update(Coupon).where(Coupon.order_id == order_id, Coupon.status == CouponStatus.USED)
        .values(status=CouponStatus.AVAILABLE, order_id=None, used_at=None).execution_options(**NO_SYNC))


def void(coupon_id: int) -> Coupon:
    coupon = db.session.get(Coupon, coupon_id)
    if coupon is None:
        raise not_found("coupon", id=coupon_id)
    if not db.session.execute(
            sa.update(Coupon).where(Coupon.id == coupon_id, Coupon.status == CouponStatus.AVAILABLE)
            .values(status=CouponStatus.VOID).execution_options(**NO_SYNC)).rowcount:
        raise Conflict(_("Only an unused coupon can be withdrawn"), code="coupon_not_available")
    db.session.commit()
    return db.session.get(Coupon, coupon_id, populate_existing=True)
