"""The merchant's side of the demo, set up through the same services the admin API calls: settings,
membership and tiers, coupons, wallet bonus tiers, commission rules, the catalogue with its
pictures, subscription plans, and the campaigns and lottery running today."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts import services as accounts
from app.accounts.models import Account
from app.campaigns import services as campaigns
from app.catalog import services as catalog
from app.coupons import services as coupons
from app.db import utcnow
from app.demo.catalogue import CATEGORIES, PRODUCTS, picture_path, sku_code
from app.demo.people import GroupInfo
from app.extensions import db
from app.loyalty import services as loyalty
from app.settings.services import update_settings
from app.subscriptions import plans
from app.wallet import services as wallet

STAFF = ("admin@demo.shop", "demo-admin-123")
# Campaigns are approved by a colleague of their author (four-eyes): the demo's operations manager.
REVIEWER = ("ops@demo.shop", "demo-ops-123")
BONUS_TIERS = ((10000, 500), (30000, 2000), (50000, 5000))  # top up ¥100 get ¥5, ¥300 → ¥20, ¥500 → ¥50
MEMBERSHIP_FEE = 1990


@dataclass
class Store:
    staff_id: int
    tz: Any
    hoods: list[GroupInfo] = field(default_factory=list)
    skus: dict[str, list[int]] = field(default_factory=dict)        # product slug → its SKU ids
    category_ids: dict[str, int] = field(default_factory=dict)
    product_ids: dict[str, int] = field(default_factory=dict)
    welcome_coupon: int = 0
    prize_coupons: list[int] = field(default_factory=list)


def picture_url(slug: str) -> str:
    # Absolute, as the admin API requires of image_urls; PUBLIC_BASE_URL is where this server is reached.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + picture_path(slug)


def open_store(tz: Any, release: dt.datetime) -> Store:
    """The store on the history's first day; `release` is when the new product goes on sale to all."""
    staff = accounts.create_staff(name="演示商家", email=STAFF[0], password=STAFF[1])
    accounts.create_staff(name="演示运营", email=REVIEWER[0], password=REVIEWER[1], role="operations")
    store = Store(staff.id, tz)
    _membership_and_coupons(store)
    _catalogue(store, release)
    _commission_rules(store)
    for slug, intervals in (("milk", [("week", 1), ("week", 2)]), ("water", [("week", 1), ("week", 2)]),
                            ("soy-grains", [("month", 1)]), ("eggs", [("week", 2), ("month", 1)]),
                            ("nappies", [("month", 1)]), ("rice", [("month", 1)])):
        plans.create({"sku_id": store.skus[slug][0], "discount_bps": 500,
                      "intervals": [{"unit": u, "count": c} for u, c in intervals]})
    return store


def _membership_and_coupons(store: Store) -> None:
    welcome = coupons.create_template({"name": "新人券：满30减5", "kind": "amount", "amount_off_cents": 500,
                                       "min_spend_cents": 3000, "valid_days": 30, "per_person_limit": 1})
    birthday = coupons.create_template({"name": "生日礼券：满60减20", "kind": "amount", "amount_off_cents": 2000,
                                        "min_spend_cents": 6000, "valid_days": 30})
    store.welcome_coupon = welcome.id
    store.prize_coupons = [coupons.create_template(t).id for t in (
        {"name": "抽奖一等奖：满100减50", "kind": "amount", "amount_off_cents": 5000, "min_spend_cents": 10000,
         "valid_days": 30},
        {"name": "抽奖二等奖：9折券", "kind": "percent", "percent_off": 10, "valid_days": 30})]
    # Campaigns may be paid from the wallet too, so the demo (no Stripe keys) can finish every sale.
    update_settings({"birthday_coupon_template_id": birthday.id, "uncollected_policy": "refund_minus_fee",
                     "restocking_fee_bps": 1000, "wallet_enabled": True, "campaign_methods": {
                         "flash_sale": ["online", "wallet"], "group_buy": ["online", "wallet"],
                         "pre_sale": ["online", "wallet"]}})
    loyalty.update_program({"membership_fee_cents": MEMBERSHIP_FEE, "membership_days": 365,
                            "referral_reward_points": 300, "new_product_member_hours": 48})
    for tier in ({"name": "银卡会员", "min_growth": 500, "discount_bps": 200, "points_multiplier_pct": 120},
                 {"name": "金卡会员", "min_growth": 2000, "discount_bps": 500, "points_multiplier_pct": 150,
                  "early_access_hours": 48}):
        loyalty.create_tier(tier)
    for minimum, bonus in BONUS_TIERS:
        wallet.create_bonus_tier({"min_amount_cents": minimum, "bonus_cents": bonus})


def _catalogue(store: Store, release: dt.datetime) -> None:
    for i, category in enumerate(CATEGORIES):
        store.category_ids[category.key] = catalog.create_category(category.name, position=i,
                                                                   translations=_en(category.name_en)).id
    for n, p in enumerate(PRODUCTS, 1):
        product = catalog.create_product({
            "name": p.name, "description": p.description, "category_id": store.category_ids[p.category],
            "status": "active", "position": n, "image_urls": [picture_url(p.slug)],
            "repeat_use": p.usage_days is not None, "usage_days_per_unit": p.usage_days,
            "members_only": p.members_only, "is_new": p.is_new,
            "released_at": release if p.is_new else None, "translations": _en(p.name_en, p.description_en),
            "skus": [{"code": sku_code(p, j), "name": s.name, "price_cents": s.price,
                      "compare_at_price_cents": s.compare_at, "member_price_cents": s.member_price,
                      "stock_total": s.stock, "translations": _en(s.name_en)} for j, s in enumerate(p.skus)],
        })
        store.product_ids[p.slug] = product.id
        store.skus[p.slug] = [s.id for s in sorted(product.skus, key=lambda s: s.code)]


def _commission_rules(store: Store) -> None:
    """Leaders earn 8%, on fruit 10% (it spoils: the leader's care at handover is what sells it); a
    buyer's referrer 2%. Withdrawable 7 days after pickup; payouts from ¥50, 0.6% fee, by bank transfer."""
    from app.commissions.models import CommissionRule, RuleScope
    from app.commissions.rules import settings

    row = settings()
    row.after_sale_days, row.referrer_share_enabled = 7, True
    row.payout_min_cents, row.payout_fee_cents, row.payout_fee_bps = 5000, 0, 60
    now = utcnow()
    db.session.add_all([
        CommissionRule(scope=RuleScope.DEFAULT, target_id=None, leader_rate_bps=800, referrer_rate_bps=200,
                       valid_from=now, note="团长佣金8%，推荐人2%"),
        CommissionRule(scope=RuleScope.CATEGORY, target_id=store.category_ids["fruit"], leader_rate_bps=1000,
                       referrer_rate_bps=200, valid_from=now, note="水果类团长佣金10%"),
    ])
    db.session.commit()


def member_day(store: Store, until: dt.datetime) -> int:
    """The 18th of every month, for members: rice and eggs cheaper, double points on milk."""
    offer = {"kind": "member_day", "name": "每月18日会员日", "starts_at": utcnow(), "ends_at": until,
             "day_of_month": 18, "description": "会员专享：每月18日大米、鸡蛋特价，鲜奶双倍积分。",
             "translations": _en("Member day on the 18th", "Members only: rice and eggs cheaper on the 18th of "
                                 "every month, double points on fresh milk."),
             "items": [{"sku_id": store.skus["rice"][0], "campaign_price_cents": 4290},
                       {"sku_id": store.skus["eggs"][0], "campaign_price_cents": 2690},
                       {"sku_id": store.skus["milk"][0], "campaign_price_cents": 1590, "points_multiplier": 2}]}
    return _approved(offer, store.staff_id)


def welcome_the_logins(store: Store, account_ids: list[int]) -> None:
    """The demo logins' welcome coupons (满30减5), issued now so that they are usable at checkout."""
    for account_id in account_ids:
        coupons.issue_coupon(store.welcome_coupon, account_id, source="merchant",
                             source_ref=f"demo-welcome:{account_id}")
    db.session.commit()


def todays_campaigns(store: Store) -> None:
    """What runs now: an egg flash sale for a week, a store-wide shrimp group buy, a cherry pre-sale."""
    now = utcnow().replace(second=0, microsecond=0)
    week = now + dt.timedelta(days=7)
    _approved({"kind": "flash_sale", "name": "土鸡蛋限时秒杀", "starts_at": now, "ends_at": week, "per_person_limit": 2,
               "description": "散养土鸡蛋30枚只要19.9元，每户限购2盒，售完即止。",
               "translations": _en("Free-range egg flash sale", "30 free-range eggs for just ¥19.90, two boxes "
                                   "per household, while stocks last."),
               "items": [{"sku_id": store.skus["eggs"][0], "campaign_price_cents": 1990, "stock_total": 50}]},
              store.staff_id)
    _approved({"kind": "group_buy", "name": "南美白虾拼团", "starts_at": now, "ends_at": week,
               "threshold_kind": "participants", "threshold": 5, "threshold_scope": "store",
               "description": "满5位邻居参团即成团，39.9元一袋；不成团自动全额退款。",
               "translations": _en("White shrimp group buy", "¥39.90 a bag once 5 neighbours join; if the group "
                                   "falls short, everyone is refunded in full automatically."),
               "items": [{"sku_id": store.skus["shrimp"][0], "campaign_price_cents": 3990, "stock_total": 40}]},
              store.staff_id)
    _approved({"kind": "pre_sale", "name": "车厘子预售", "starts_at": now, "ends_at": now + dt.timedelta(days=5),
               "balance_starts_at": now + dt.timedelta(days=5), "balance_ends_at": now + dt.timedelta(days=8),
               "balance_policy": "forfeit", "ship_date": (now + dt.timedelta(days=10)).date(),
               "description": "定金20元抵30元，尾款期内付清，十天后到货。",
               "translations": _en("Cherry pre-sale", "A ¥20 deposit counts as ¥30; pay the balance in the "
                                   "balance window, delivered in ten days."),
               "items": [{"sku_id": store.skus["cherries"][0], "campaign_price_cents": 8990, "stock_total": 30,
                          "deposit_cents": 2000, "deposit_value_cents": 3000}]}, store.staff_id)


def _en(name: str, description: str | None = None) -> dict:
    """The English translation of a demo name (and description): what `en` readers see."""
    return {"en": {"name": name} | ({"description": description} if description else {})}


def _approved(offer: dict, staff_id: int) -> int:
    campaign = campaigns.create(offer, staff_id)
    campaigns.submit(campaign)
    reviewer = db.session.scalar(sa.select(Account.id).where(Account.email == REVIEWER[0]))
    campaigns.approve(campaign, reviewer)
    return campaign.id
