"""A demo shopper's visit, through the services the shop page's API calls: topping up the wallet
when it runs low (bonus tiers apply), joining the membership, filling a basket, using a coupon or
points, checking out; subscribing to what they use up."""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from app.catalog.models import Sku
from app.coupons.models import Coupon, CouponKind, CouponStatus
from app.db import utcnow
from app.demo.calendar import MEMBER_DAY, in_season
from app.demo.catalogue import PRODUCT_BY_SLUG, PRODUCTS, ProductData
from app.demo.people import Persona
from app.demo.store import BONUS_TIERS, MEMBERSHIP_FEE, Store
from app.errors import DomainError
from app.extensions import db
from app.inventory import movements
from app.members import services as members
from app.orders.checkout import build_order
from app.wallet import ledger as wallet_ledger
from app.wallet import services as wallet
from app.wallet.models import TopUp, TopUpStatus

RESTOCK = 300  # units a supplier delivery adds when a SKU runs low


class Shopping:
    def __init__(self, store: Store, rng: random.Random):
        self.store, self.rng = store, rng
        self.members: set[int] = set()
        self.top_ups = 0
        self.failed = 0

    # --- money in -------------------------------------------------------------------------------

    def top_up(self, account_id: int, need: int) -> None:
        """Money in at the counter (cash or a transfer to the leader): a top-up credited by the same
        call a succeeded Stripe top-up makes, so the entry, its bonus and its ref are the real ones."""
        amount = next((m for m, _ in BONUS_TIERS if m >= need), max(need, BONUS_TIERS[-1][0]))
        if self.rng.random() < 0.3:
            amount = max(amount, BONUS_TIERS[1][0])  # some take the bigger bonus
        self.top_ups += 1
        top_up = TopUp(account_id=account_id, amount_cents=amount, bonus_cents=wallet.bonus_for(amount),
                       status=TopUpStatus.PENDING, client_key=f"demo-counter-{self.top_ups}",
                       provider_ref=f"demo_counter_{account_id}_{self.top_ups}")
        db.session.add(top_up)
        db.session.flush()
        wallet.apply_top_up_success(top_up.id)
        db.session.commit()

    def ensure_balance(self, account_id: int, need: int) -> None:
        if wallet_ledger.balance(account_id).total_cents < need:
            self.top_up(account_id, need)

    def join_membership(self, persona: Persona) -> None:
        self.ensure_balance(persona.account_id, MEMBERSHIP_FEE)
        members.join(persona.account_id, payment_method="wallet", key=f"demo-join-{persona.account_id}")
        self.members.add(persona.account_id)

    # --- the basket -------------------------------------------------------------------------------

    def _weight(self, product: ProductData, persona: Persona, day: dt.date, member: bool) -> float:
        if (product.members_only and not member) or product.is_new:
            return 0.0  # the new product is released tomorrow (members may buy it already)
        weight = product.popularity * in_season(product, day) * (2.2 if product.category in persona.likes else 1.0)
        if member and day.day == MEMBER_DAY and product.slug in ("rice", "eggs", "milk"):
            weight *= 4  # what the member day discounts
        return weight

    def basket(self, persona: Persona, day: dt.date) -> list[tuple[ProductData, int, int]]:
        """[(product, sku index, quantity)]: one to four different products."""
        member = persona.account_id in self.members
        weights = [self._weight(p, persona, day, member) for p in PRODUCTS]
        size = self.rng.choices((1, 2, 3, 4), weights=(30, 35, 22, 13))[0]
        chosen: list[ProductData] = []
        if member and day.day == MEMBER_DAY:  # what brings members out on the 18th
            chosen.append(PRODUCT_BY_SLUG[self.rng.choice(("rice", "eggs", "milk"))])
        for _ in range(size * 3):
            if len(chosen) >= size:
                break
            product = self.rng.choices(PRODUCTS, weights=weights)[0]
            if product not in chosen:
                chosen.append(product)
        return [(p, 1 if len(p.skus) > 1 and self.rng.random() < 0.25 else 0,
                 self.rng.choices((1, 2, 3), weights=(75, 20, 5))[0]) for p in chosen]

    def _coupon(self, account_id: int, estimate: int) -> int | None:
        now = utcnow()
        for coupon in db.session.scalars(sa.select(Coupon).where(
                Coupon.account_id == account_id, Coupon.status == CouponStatus.AVAILABLE,
                Coupon.valid_from <= now, Coupon.valid_until > now).order_by(Coupon.valid_until)):
            template = coupon.template
            if template.min_spend_cents <= estimate and (template.kind is CouponKind.PERCENT
                                                         or (template.amount_off_cents or 0) < estimate):
                return coupon.id
        return None

    def _points(self, account_id: int, estimate: int) -> int:
        from app.loyalty.services import standing

        if account_id not in self.members or self.rng.random() > 0.3:
            return 0
        balance = standing(account_id).points_balance
        return min(500, estimate // 3) if balance >= 1000 else 0

    # --- checkout ---------------------------------------------------------------------------------

    def order(self, persona: Persona) -> int | None:
        """One order (None if it could not be placed: counted, and the day goes on)."""
        day = utcnow().astimezone(self.store.tz).date()
        if persona.member_after is not None and persona.orders >= persona.member_after \
                and persona.account_id not in self.members:
            self.join_membership(persona)
        picks = self.basket(persona, day)
        lines = [{"sku_id": self.store.skus[p.slug][i], "quantity": q} for p, i, q in picks]
        estimate = sum(p.skus[i].price * q for p, i, q in picks)
        coupon = self._coupon(persona.account_id, estimate) if self.rng.random() < 0.8 else None
        points = self._points(persona.account_id, estimate)
        if persona.pays == "wallet":
            self.ensure_balance(persona.account_id, estimate)
        for _attempt in range(3):
            try:
                # The checkout's own step (orders.services.checkout wraps it in an Idempotency-Key, which
                # the purge sweep would drop after a day anyway); wallet and pickup orders need no provider.
                order_id = build_order(persona.account_id, lines, persona.pays, coupon_id=coupon, points=points).id
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                if error.code == "insufficient_stock":
                    self.restock([line["sku_id"] for line in lines])
                elif error.code == "insufficient_wallet_balance":
                    self.top_up(persona.account_id, estimate)
                else:
                    coupon, points = None, 0  # a coupon or points refusal: pay in full instead
                continue
            persona.orders += 1
            return order_id
        self.failed += 1
        return None

    def restock(self, sku_ids: list[int]) -> None:
        """A supplier delivery for every SKU of these running low: goods received into stock, each a
        `received` movement (so the demo's stock history adds up: `flask stock-audit`)."""
        low = [sku.id for sku in db.session.scalars(sa.select(Sku).where(Sku.id.in_(sku_ids))).all()
               if sku.stock_total - sku.stock_sold - sku.stock_reserved < RESTOCK // 2]
        for sku_id in sorted(low):
            movements.receive(sku_id, RESTOCK, reference_type="demo_delivery", reference_id=sku_id, actor_id=None)
        db.session.commit()

    def subscribe(self, persona: Persona, start: dt.date) -> None:
        from app.subscriptions import services as subscriptions

        slug, unit, count = persona.subscribes
        self.ensure_balance(persona.account_id, 30000)
        try:
            subscriptions.subscribe(persona.account_id, {
                "sku_id": self.store.skus[slug][0], "quantity": 1, "interval_unit": unit, "interval_count": count,
                "start_date": start, "pay_with": "wallet"})
        except DomainError:
            db.session.rollback()
            self.failed += 1
