"""Demo store for `flask seed-demo`: built through the same services the API uses."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Account, AccountKind
from app.catalog import services as catalog
from app.extensions import db
from app.groups import bindings
from app.groups import services as groups
from app.groups.models import Group
from app.leaders import services as leaders
from app.pickup_points.services import get_point, update_point

STAFF = ("admin@demo.shop", "demo-admin-123")
PASSWORD = "demo-pass-123"

# (leader name, phone, point name, address, lat, lng, group name, neighbourhood, admission rule)
NEIGHBOURHOODS = [
    ("Wang Fang", "13800138001", "Maple Court parcel station", "88 Fenglin Rd, Xuhui, Shanghai",
     31.1935, 121.4505, "Maple Court neighbours", "Maple Court", "open"),
    ("Li Na", "13800138002", "Riverside convenience store", "12 Binjiang Ave, Pudong, Shanghai",
     31.2397, 121.5055, "Riverside families", "Riverside Gardens", "open"),
    ("Zhang Wei", "13800138003", "Jing'an property office", "301 Yanping Rd, Jing'an, Shanghai",
     31.2286, 121.4452, "Yanping Road residents", "Yanping Lane", "invitation_only"),
]

CATEGORIES = ["Grains & oil", "Vegetables", "Fruit", "Dairy & eggs", "Meat & seafood", "Household", "Baby"]

# (category index, name, [(sku name, price cents, compare-at, stock)], usage days per unit or None)
PRODUCTS = [
    (0, "Northeast rice", [("5 kg", 4990, 5990, 200), ("10 kg", 8990, None, 120)], 15),
    (0, "Soy-milk grain mix", [("1 kg", 2590, 2990, 150)], 10),
    (0, "Peanut oil", [("1.8 L", 4590, None, 80), ("5 L", 11990, 12990, 40)], 30),
    (0, "Whole-wheat noodles", [("500 g", 890, None, 300)], 5),
    (0, "Millet", [("2 kg", 2290, None, 100)], 20),
    (1, "Baby bok choy", [("500 g", 390, 590, 200)], None),
    (1, "Tomatoes", [("1 kg", 690, None, 180)], None),
    (1, "Cucumbers", [("1 kg", 490, None, 160)], None),
    (1, "Shiitake mushrooms", [("300 g", 990, 1290, 90)], None),
    (1, "Potatoes", [("2.5 kg", 790, None, 140)], None),
    (2, "Fuji apples", [("2.5 kg", 2990, 3590, 120)], None),
    (2, "Mandarins", [("2 kg", 1990, None, 110)], None),
    (2, "Bananas", [("1 kg", 790, None, 130)], None),
    (2, "Kiwi fruit", [("12 pcs", 2590, 2990, 70)], None),
    (3, "Fresh milk", [("950 ml", 1590, None, 150), ("2 x 950 ml", 2990, 3180, 80)], 3),
    (3, "Free-range eggs", [("30 eggs", 3290, 3990, 120)], 10),
    (3, "Plain yoghurt", [("6 x 100 g", 1890, None, 90)], 6),
    (3, "Soft tofu", [("400 g", 350, None, 200)], None),
    (4, "Pork belly", [("500 g", 2690, None, 60)], None),
    (4, "Chicken thighs", [("1 kg", 2890, 3290, 70)], None),
    (4, "Frozen shrimp", [("500 g", 4990, 5990, 50)], None),
    (4, "Beef brisket", [("500 g", 5990, None, 40)], None),
    (5, "Bottled water", [("18.9 L", 2200, None, 100)], 7),
    (5, "Laundry pods", [("60 pods", 5990, 6990, 80)], 60),
    (5, "Kitchen paper", [("6 rolls", 2490, None, 120)], 20),
    (5, "Dish soap", [("1.5 kg", 1990, None, 100)], 45),
    (6, "Nappies size M", [("64 pcs", 9900, 11900, 60)], 8),
    (6, "Baby wipes", [("10 x 80", 5990, 6990, 70)], 25),
    (6, "Infant formula stage 2", [("800 g", 26800, None, 40)], 12),
    (6, "Rice puffs for toddlers", [("40 g", 1590, None, 90)], None),
]

SHOPPERS = [("Chen Jing", "chen@demo.shop", 0, None), ("Liu Yang", "liu@demo.shop", 0, 0),
            ("Zhao Min", "zhao@demo.shop", 1, None), ("Sun Li", "sun@demo.shop", 1, 2),
            ("Zhou Tao", "zhou@demo.shop", 2, "leader"), ("Wu Hui", "wu@demo.shop", 2, 4)]


class DemoExists(Exception):
    pass


@dataclass
class DemoResult:
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (group, rule, code)
    leader_logins: list[tuple[str, str]] = field(default_factory=list)
    shopper_logins: list[str] = field(default_factory=list)

    def summary(self, base_url: str) -> str:
        lines = ["Demo store ready.", "", "Group links:"]
        lines += [f"  {name} ({rule}): {base_url}/g/{code}" for name, rule, code in self.links]
        lines += ["", f"Merchant staff:  {STAFF[0]} / {STAFF[1]}   (POST /api/v1/admin/auth/login)"]
        lines += [f"Leader:          {login} / {PASSWORD}   ({name})" for name, login in self.leader_logins]
        lines += [f"Shopper:         {login} / {PASSWORD}" for login in self.shopper_logins]
        lines += ["", f"API docs: {base_url}/api/docs"]
        return "\n".join(lines)


def existing_links(limit: int = 10) -> list[tuple[str, str, str]]:
    """(name, admission rule, public code) of the first groups, for reminding who re-runs the demo."""
    found = db.session.scalars(sa.select(Group).order_by(Group.id).limit(limit))
    return [(g.name, g.admission_rule.value, groups.public_link(g.id).code) for g in found]


def seed(progress: Callable[[str], None] = lambda _: None) -> DemoResult:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Account)):
        raise DemoExists("The database already has accounts.")
    result = DemoResult()
    staff = accounts.create_staff(name="Demo merchant", email=STAFF[0], password=STAFF[1])
    progress("staff account created")
    group_ids = _seed_groups(staff.id, result)
    progress(f"{len(group_ids)} groups with leaders and pickup points created")
    _seed_catalogue()
    progress(f"{len(PRODUCTS)} products in {len(CATEGORIES)} categories created")
    _seed_shoppers(group_ids, result)
    progress(f"{len(SHOPPERS)} shoppers created")
    _seed_campaigns(staff.id)
    progress("campaigns created: a flash sale, a group buy and a member day")
    _seed_loyalty()
    progress("loyalty: two tiers, a welcome coupon for every shopper, top-up bonus tiers")
    return result


def _seed_loyalty() -> None:
    """Tiers, a welcome coupon issued to every demo shopper, and wallet bonus tiers."""
    from app.coupons import services as coupons
    from app.loyalty import services as loyalty
    from app.wallet import services as wallet

    for tier in ({"name": "Silver", "min_growth": 200, "discount_bps": 200, "points_multiplier_pct": 120},
                 {"name": "Gold", "min_growth": 1000, "discount_bps": 500, "points_multiplier_pct": 150,
                  "early_access_hours": 48}):
        loyalty.create_tier(tier)
    welcome = coupons.create_template({"name": "Welcome: 5 off 30", "kind": "amount", "amount_off_cents": 500,
                                       "min_spend_cents": 3000, "valid_days": 30, "per_person_limit": 1})
    for account_id in db.session.scalars(sa.select(Account.id).where(Account.kind == AccountKind.SHOPPER)):
        coupons.issue_coupon(welcome.id, account_id, source="merchant", source_ref=f"demo-welcome:{account_id}")
    for minimum, bonus in ((10000, 500), (30000, 2000), (50000, 5000)):
        wallet.create_bonus_tier({"min_amount_cents": minimum, "bonus_cents": bonus})
    db.session.commit()


def _hours() -> list[dict]:
    morning, evening = (dt.time(8, 0), dt.time(12, 0)), (dt.time(16, 0), dt.time(21, 0))
    return [{"weekday": d, "opens_at": o, "closes_at": c} for d in range(7) for o, c in (morning, evening)]


def _seed_groups(staff_id: int, result: DemoResult) -> list[int]:
    group_ids = []
    for i, (name, phone, point, address, lat, lng, group_name, hood, rule) in enumerate(NEIGHBOURHOODS, 1):
        login = f"leader{i}@demo.shop"
        shopper = accounts.register_shopper(name=name, email=login, password=PASSWORD).account
        application = leaders.apply(shopper.id, {
            "name": name, "phone": phone, "motivation": "I run the parcel station downstairs.",
            "point_name": point, "point_address": address, "point_latitude": lat, "point_longitude": lng,
        })
        application = leaders.approve(application.id, staff_id)
        update_point(get_point(application.pickup_point_id), {"hours": _hours()})
        group = groups.create_group({
            "name": group_name, "neighbourhood": hood, "admission_rule": rule,
            "leader_id": application.leader_id, "pickup_point_id": application.pickup_point_id,
            "notice": "Order by 23:00, pick up from 16:00 the next day.",
            # The demo runs without Stripe keys: paying at pickup keeps checkout usable out of the box.
            "pay_at_pickup_allowed": True,
        })
        bindings.join(shopper, groups.public_link(group.id).code)  # leaders shop in their own group
        result.links.append((group_name, rule, groups.public_link(group.id).code))
        result.leader_logins.append((name, login))
        group_ids.append(group.id)
    return group_ids


def _seed_catalogue() -> None:
    category_ids = [catalog.create_category(name, position=i).id for i, name in enumerate(CATEGORIES)]
    for n, (cat, name, skus, usage_days) in enumerate(PRODUCTS, 1):
        catalog.create_product({
            "name": name, "category_id": category_ids[cat], "status": "active", "position": n,
            "description": f"{name}, delivered to your pickup point the day after you order.",
            "repeat_use": usage_days is not None, "usage_days_per_unit": usage_days,
            "skus": [
                {"code": f"P{n:02d}-{j}", "name": sku_name, "price_cents": price,
                 "compare_at_price_cents": compare_at, "stock_total": stock}
                for j, (sku_name, price, compare_at, stock) in enumerate(skus, 1)
            ],
        })


def _seed_shoppers(group_ids: list[int], result: DemoResult) -> None:
    created: list[Account] = []
    for name, email, group_index, referrer in SHOPPERS:
        shopper = accounts.register_shopper(name=name, email=email, password=PASSWORD).account
        group_id = group_ids[group_index]
        if referrer == "leader":
            owner_id = groups.get_group(group_id).leader.account_id
        elif referrer is not None:
            owner_id = created[referrer].id
        else:
            owner_id = None
        code = bindings.mint_link(owner_id, group_id).code if owner_id else groups.public_link(group_id).code
        bindings.join(shopper, code)
        created.append(shopper)
        result.shopper_logins.append(email)


def _sku_id(code: str) -> int:
    from app.catalog.models import Sku

    return db.session.scalar(sa.select(Sku.id).where(Sku.code == code))


def _seed_campaigns(staff_id: int) -> None:
    """A flash sale live for a week, a store-wide group buy, and a monthly member day (all approved)."""
    from app.campaigns import services as campaigns
    from app.db import utcnow

    now = utcnow().replace(second=0, microsecond=0)
    week, quarter = now + dt.timedelta(days=7), now + dt.timedelta(days=90)
    offers = [
        {"kind": "flash_sale", "name": "Egg flash sale", "starts_at": now, "ends_at": week, "per_person_limit": 2,
         "description": "Free-range eggs at 19.90, two trays per household.",
         "items": [{"sku_id": _sku_id("P16-1"), "campaign_price_cents": 1990, "stock_total": 50}]},
        {"kind": "group_buy", "name": "Shrimp group buy", "starts_at": now, "ends_at": week,
         "threshold_kind": "participants", "threshold": 5, "threshold_scope": "store",
         "description": "Frozen shrimp at 39.90 if five neighbours join by the deadline.",
         "items": [{"sku_id": _sku_id("P21-1"), "campaign_price_cents": 3990, "stock_total": 40}]},
        {"kind": "member_day", "name": "Members' day", "starts_at": now, "ends_at": quarter,
         "day_of_month": 18, "description": "Members: cheaper rice and double points on the 18th.",
         "items": [{"sku_id": _sku_id("P01-1"), "campaign_price_cents": 4490, "points_multiplier": 2}]},
    ]
    for offer in offers:
        campaign = campaigns.create(offer, staff_id)
        campaigns.submit(campaign)
        campaigns.approve(campaign, staff_id)
