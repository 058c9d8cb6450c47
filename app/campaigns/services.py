"""Merchant campaign management: drafts, submission, review. Approved campaigns are immutable."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.campaigns import stock as campaign_stock
from app.campaigns.models import (
    BalancePolicy,
    Campaign,
    CampaignItem,
    CampaignKind,
    Review,
    Threshold,
    ThresholdScope,
)
from app.campaigns.phases import for_group
from app.catalog.models import ProductStatus, Sku
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.groups.models import Group
from app.i18n import _
from app.staff import four_eyes

FIELDS = ("name", "description", "starts_at", "ends_at", "warmup_minutes", "all_groups", "members_only",
          "per_person_limit", "stackable", "hold_minutes", "balance_starts_at", "balance_ends_at", "ship_date",
          "threshold", "day_of_month", "coupon_template_id", "translations")
ENUMS = {"balance_policy": BalancePolicy, "threshold_kind": Threshold, "threshold_scope": ThresholdScope}


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise not_found("campaign", id=campaign_id)
    return campaign


def _apply(campaign: Campaign, data: dict[str, Any]) -> None:
    for key in FIELDS:
        if key in data:
            setattr(campaign, key, data[key])
    for key, enum_cls in ENUMS.items():
        if key in data:
            setattr(campaign, key, enum_cls(data[key]) if data[key] is not None else None)
    if "group_ids" in data:
        ids = sorted(set(data["group_ids"]))
        campaign.groups = list(db.session.scalars(sa.select(Group).where(Group.id.in_(ids)))) if ids else []
        missing = sorted(set(ids) - {g.id for g in campaign.groups})
        if missing:
            raise InvalidRequest(_("Unknown group ids"), code="group_not_found", details={"ids": missing})
    if "items" in data:
        campaign.items = [_item(entry) for entry in data["items"]]


def _item(entry: dict[str, Any]) -> CampaignItem:
    sku = db.session.get(Sku, entry["sku_id"])
    if sku is None:
        raise InvalidRequest(_("Unknown SKU"), code="unknown_sku", details={"sku_id": entry["sku_id"]})
    return CampaignItem(sku_id=sku.id, campaign_price_cents=entry["campaign_price_cents"],
                        stock_total=entry.get("stock_total"), deposit_cents=entry.get("deposit_cents"),
                        deposit_value_cents=entry.get("deposit_value_cents"),
                        points_multiplier=entry.get("points_multiplier"))


def create(data: dict[str, Any], staff_id: int) -> Campaign:
    campaign = Campaign(kind=CampaignKind(data["kind"]), created_by_id=staff_id, review=Review.DRAFT,
                        warmup_minutes=0, all_groups=True, members_only=False, stackable=False,
                        hold_minutes=5 if data["kind"] == "flash_sale" else 15)
    _apply(campaign, data)
    _check_window(campaign)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def update(campaign: Campaign, changes: dict[str, Any]) -> Campaign:
    """Drafts and rejected campaigns can change; submitted and approved ones cannot."""
    if campaign.review not in (Review.DRAFT, Review.REJECTED):
        raise Conflict(_("Only draft or rejected campaigns can be edited"), code="campaign_locked",
                       details={"review": campaign.review.value})
    _apply(campaign, changes)
    _check_window(campaign)
    db.session.commit()
    return campaign


def delete(campaign: Campaign) -> None:
    if campaign.review is Review.APPROVED:
        raise Conflict(_("Approved campaigns cannot be deleted"), code="campaign_locked")
    db.session.delete(campaign)
    db.session.commit()


def _check_window(campaign: Campaign) -> None:
    if campaign.starts_at and campaign.ends_at and campaign.starts_at >= campaign.ends_at:
        raise InvalidRequest(_("starts_at must be before ends_at"), code="invalid_window")


def _require(ok: bool, message: str, **details: Any) -> None:
    if not ok:
        raise InvalidRequest(message, code="campaign_incomplete", details=details)


def _validate(campaign: Campaign) -> None:
    """What each kind needs before it can be reviewed."""
    _require(bool(campaign.items), _("A campaign needs at least one item"))
    for item in campaign.items:
        _require(item.sku.product.status is ProductStatus.ACTIVE and item.sku.is_active,
                 _("Campaign items must be active SKUs"), sku_id=item.sku_id)
        _require(item.campaign_price_cents <= item.sku.price_cents,
                 _("A campaign price cannot exceed the regular price"),
                 sku_id=item.sku_id)
    kind = campaign.kind
    if kind in (CampaignKind.FLASH_SALE, CampaignKind.PRE_SALE, CampaignKind.GROUP_BUY):
        _require(all(i.stock_total is not None for i in campaign.items), _("Each item needs its campaign stock"))
    if kind is CampaignKind.PRE_SALE:
        _require(all(i.deposit_cents and i.deposit_value_cents for i in campaign.items),
                 _("Each pre-sale item needs a deposit and what the deposit counts for"))
        _require(bool(campaign.balance_starts_at and campaign.balance_ends_at and campaign.ship_date
                      and campaign.balance_policy), _("A pre-sale needs a balance window, a ship date and a policy"))
        _require(campaign.balance_starts_at >= campaign.starts_at and
                 campaign.balance_ends_at > campaign.balance_starts_at, _("The balance window must follow the deposit"))
    if kind is CampaignKind.GROUP_BUY:
        _require(bool(campaign.threshold_kind and campaign.threshold and campaign.threshold_scope),
                 _("A group buy needs a threshold and its scope"))
    if kind is CampaignKind.MEMBER_DAY:
        _require(campaign.day_of_month is not None, _("A member day needs its day of the month"))
        for item in campaign.items:
            _require(item.campaign_price_cents < item.sku.price_cents or (item.points_multiplier or 1) > 1,
                     _("A member-day item needs a member-day price below the regular price, or extra points"),
                     sku_id=item.sku_id)
        if campaign.coupon_template_id is not None:
            from app.coupons.models import CouponTemplate

            _require(db.session.get(CouponTemplate, campaign.coupon_template_id) is not None,
                     _("Unknown coupon template"), coupon_template_id=campaign.coupon_template_id)
    else:
        _require(all(i.points_multiplier is None for i in campaign.items),
                 _("Extra points (points_multiplier) are a member-day offer"))
        _require(campaign.coupon_template_id is None, _("A day's coupon (coupon_template_id) is a member-day offer"))
    _require(campaign.all_groups or bool(campaign.groups), _("Choose the groups, or offer it to all groups"))


def submit(campaign: Campaign) -> Campaign:
    if campaign.review not in (Review.DRAFT, Review.REJECTED):
        raise Conflict(_("Only drafts can be submitted"), code="campaign_review_conflict",
                       details={"review": campaign.review.value})
    _validate(campaign)
    campaign.review, campaign.submitted_at, campaign.rejection_reason = Review.SUBMITTED, utcnow(), None
    db.session.commit()
    return campaign


def _decide(campaign: Campaign, review: Review, staff_id: int, reason: str | None) -> bool:
    # Four-eyes in the guard itself: the author's approval matches no row, however it races.
    authored = Campaign.created_by_id != staff_id if review is Review.APPROVED else sa.true()
    return bool(db.session.execute(sa.update(Campaign).where(
        Campaign.id == campaign.id, Campaign.review == Review.SUBMITTED, authored).values(
        review=review, reviewed_by_id=staff_id, reviewed_at=utcnow(), rejection_reason=reason)
        .execution_options(synchronize_session=False)).rowcount)


def approve(campaign: Campaign, staff_id: int) -> Campaign:
    """Approval (by a staff member other than its author) freezes the campaign, splits its stock into
    buckets and (with Redis) opens the gate."""
    if not _decide(campaign, Review.APPROVED, staff_id, None):
        if campaign.created_by_id == staff_id:
            raise four_eyes.refuse("campaign", campaign_id=campaign.id)
        raise Conflict(_("Only submitted campaigns can be approved"), code="campaign_review_conflict",
                       details={"review": campaign.review.value})
    for item in campaign.items:
        if item.stock_total is not None:
            campaign_stock.make_buckets(item)
    db.session.commit()
    db.session.refresh(campaign)
    if campaign.kind is CampaignKind.FLASH_SALE:
        from app.campaigns import redis_gate

        if redis_gate.enabled():
            for item in campaign.items:
                redis_gate.publish(item, item.stock_total or 0)
    return campaign


def reject(campaign: Campaign, staff_id: int, reason: str) -> Campaign:
    if not _decide(campaign, Review.REJECTED, staff_id, reason):
        raise Conflict(_("Only submitted campaigns can be rejected"), code="campaign_review_conflict",
                       details={"review": campaign.review.value})
    db.session.commit()
    db.session.refresh(campaign)
    return campaign


def list_campaigns(*, review: str | None = None, kind: str | None = None) -> sa.Select:
    query = sa.select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id.desc())
    if review:
        query = query.where(Campaign.review == Review(review))
    if kind:
        query = query.where(Campaign.kind == CampaignKind(kind))
    return query


def visible_to_group(group_id: int, now: dt.datetime) -> sa.Select:
    """Approved campaigns for a group that have not ended (live, warming up, or upcoming)."""
    return (sa.select(Campaign).where(Campaign.review == Review.APPROVED, Campaign.ends_at > now, for_group(group_id))
            .order_by(Campaign.starts_at, Campaign.id))
