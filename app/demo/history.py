"""A year of the demo store, played day by day through the real services with the clock moved
(app.clock.frozen_at): every order, payment, pickup, refund, ledger entry and notification is the
one the running store would have made, at the moment it would have made it.

Each day is a queue of timed events: shoppers sign up and order (how often follows their habits,
the season, the weekday and the member day), batches close at the cut-off, are dispatched in the
morning and received by the leader after lunch, neighbours collect in the evening (a few the next
day, a few never), some complain and are refunded, commission settles a week after pickup, leaders
withdraw it each month, the sweeps run at night. Nothing happens after the real now."""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable

from app.clock import set_now
from app.db import utcnow
from app.demo.calendar import MEMBER_DAY, busyness, moment
from app.demo.catalogue import PRODUCTS
from app.demo.operations import Operations
from app.demo.people import NAMED, NEIGHBOURHOODS, Persona, open_neighbourhood, register
from app.demo.shopping import Shopping
from app.demo.social import Social
from app.demo.store import Store
from app.extensions import db
from app.orders.models import Order

DEMO_LOGINS = frozenset(p.email for p in NAMED)

POSTS_FROM_DAYS_AGO = 200
NEVER_COLLECTED_EVERY = 45   # one ready order in 45 is never collected (counted, so every demo has some)
COMPLAINT_EVERY = 35         # one collected order in 35 is refunded after a complaint
SUBSCRIPTIONS_FOR_DAYS = 120


class History:
    def __init__(self, store: Store, people: list[Persona], first_day: dt.date, end: dt.datetime,
                 target_orders: int, progress: Callable[[str], None]):
        self.store, self.people, self.first_day, self.end, self.progress = store, people, first_day, end, progress
        self.tz = store.tz
        self.last_day = end.astimezone(self.tz).date()
        self.days = (self.last_day - first_day).days
        self.rng = random.Random(7)
        self.shopping = Shopping(store, self.rng)
        self.ops = Operations(store, self.rng)
        self.social = Social(store, self.rng)
        self.queue: list[tuple[dt.datetime, int, Callable, tuple]] = []
        self.seq = itertools.count()
        self.month = Counter()
        self.total = Counter()
        self.scale = target_orders / max(self._expected_orders(), 1.0)
        self.by_account: dict[int, Persona] = {}
        self.ready = self.collected = 0
        self.draws: list[dt.date] = []  # days a lottery's entries close: the draw sweep runs that night

    def _rate(self, persona: Persona, day: dt.date, index: int) -> float:
        if index < persona.joins_on or (persona.stops_on is not None and index >= persona.stops_on):
            return 0.0
        return persona.weekly / 7 * busyness(day)

    def _expected_orders(self) -> float:
        return sum(self._rate(p, self.first_day + dt.timedelta(days=i), i)
                   for i in range(self.days + 1) for p in self.people)

    # --- the event queue ----------------------------------------------------------------------------

    def at(self, when: dt.datetime, action: Callable, *args) -> None:
        if when <= self.end:
            heapq.heappush(self.queue, (when, next(self.seq), action, args))

    def _drain(self, until: dt.datetime) -> None:
        while self.queue and self.queue[0][0] < until:
            when, _, action, args = heapq.heappop(self.queue)
            set_now(when)
            action(*args)

    def run(self) -> Counter:
        for index in range(self.days + 1):
            day = self.first_day + dt.timedelta(days=index)
            self._plan_day(day, index)
            self._drain(moment(day + dt.timedelta(days=1), 0, 0, self.tz))
            if day.month != (day + dt.timedelta(days=1)).month or day == self.last_day:
                self._report(day)
        set_now(self.end)
        for persona in self.people[:6]:  # the README's logins can pay for anything from the wallet today
            if persona.account_id:
                self.shopping.ensure_balance(persona.account_id, 20000)
        return self.total

    def _report(self, day: dt.date) -> None:
        """A line per month (the house rule: long CLI work shows progress), counted from the orders."""
        import sqlalchemy as sa

        start = moment(day.replace(day=1), 0, 0, self.tz)
        orders, buyers = db.session.execute(sa.select(sa.func.count(), sa.func.count(Order.account_id.distinct()))
                                            .where(Order.created_at >= start)).one()
        m = self.month
        m["orders"] = orders
        self.progress(f"  {day:%Y-%m}: {orders:4d} orders by {buyers:3d} shoppers, {m['joined']:2d} joined, "
                      f"{m['picked_up']:4d} picked up, {m['posts']:2d} share posts, "
                      f"{self.shopping.top_ups - m['top_ups_before']:3d} wallet top-ups")
        self.total.update({k: v for k, v in m.items() if k != "top_ups_before"})
        self.month = Counter(top_ups_before=self.shopping.top_ups)

    def _count(self, key: str, n: int = 1) -> None:
        self.month[key] += n

    # --- one day ------------------------------------------------------------------------------------

    def _plan_day(self, day: dt.date, index: int) -> None:
        at = lambda h, m=0: moment(day, h, m, self.tz)  # noqa: E731
        for hood_index, hood in enumerate(NEIGHBOURHOODS):
            if int(hood.opens_at * self.days) == index:
                self.at(at(8, hood_index), self._open_hood, hood_index)
        self.at(at(6, 30), self.ops.dispatch, day)
        self.at(at(13, 30), self._arrive, day)
        if day.day == 1:
            self.at(at(9), self.shopping.restock, [s for ids in self.store.skus.values() for s in ids])
            self.at(at(10), self.ops.request_payouts, f"{day:%Y-%m}")
        elif day.day == 2:
            self.at(at(11), self.ops.approve_payouts)
        elif day.day == 4:
            self.at(at(15), self.ops.pay_payouts, f"BANK-{day:%Y%m%d}")
        for persona in self.people:
            if persona.joins_on == index:
                self.at(at(self.rng.randint(9, 20), self.rng.randint(0, 59)), self._register, persona)
            member_day = day.day == MEMBER_DAY and persona.account_id in self.shopping.members
            if self.rng.random() < self._rate(persona, day, index) * self.scale * (2.5 if member_day else 1.0):
                hour = self.rng.choices(range(7, 23), weights=[2, 3, 3, 2, 3, 4, 3, 2, 2, 3, 4, 5, 6, 6, 5, 3])[0]
                self.at(at(hour, self.rng.randint(0, 58 if hour < 22 else 50)), self._order, persona)
        members = [p for p in self.people if p.account_id in self.shopping.members]
        if day.day == MEMBER_DAY and members:  # one regular never misses the member day
            self.at(at(10, self.rng.randint(0, 59)), self._order, self.rng.choice(members))
        if index == self.days - 75:
            self._past_lottery(day)
        if index == self.days - 2:
            self._todays_lottery(day)
        if index == self.days:  # one leader has just asked to withdraw: the payout waits for review
            self.at(max(at(9), self.end - dt.timedelta(hours=1)), self.ops.request_payouts, "today", True)
        self.at(at(23), self.ops.close, day + dt.timedelta(days=1))
        self.at(at(23, 20), self._nightly)

    def _open_hood(self, hood_index: int) -> None:
        info = open_neighbourhood(hood_index, self.store.staff_id)
        self.store.hoods.append(info)
        self.ops.leader_of_point[info.point_id] = (info.leader_account_id, info.leader_id)

    def _register(self, persona: Persona) -> None:
        from app.coupons import services as coupons

        hood = next(h for h in self.store.hoods if h.index == persona.group)
        from app.members.birthday import set_birthday

        account = register(persona, hood, self.people)
        set_birthday(account.id, month=persona.birthday[0], day=persona.birthday[1])
        # The demo logins get theirs at the end (welcome_the_logins): a welcome coupon lasts 30 days,
        # and a visitor logging in as one should find it usable at checkout.
        if persona.email not in DEMO_LOGINS:
            coupons.issue_coupon(self.store.welcome_coupon, account.id, source="merchant",
                                 source_ref=f"demo-welcome:{account.id}")
        db.session.commit()
        self.by_account[account.id] = persona
        self._count("joined")

    def _order(self, persona: Persona) -> None:
        if persona.account_id is None:
            return
        order_id = self.shopping.order(persona)
        if order_id is None:
            return
        today = utcnow().astimezone(self.tz).date()
        # Subscriptions came to the store in its last months: each renewal is an order, and a weekly one
        # held all year would cost as much to build as a busy shopper.
        if persona.subscribes and not persona.subscribed and persona.orders >= 3 \
                and (self.last_day - today).days <= SUBSCRIPTIONS_FOR_DAYS:
            persona.subscribed = True
            self.shopping.subscribe(persona, today + dt.timedelta(days=3))

    def _arrive(self, day: dt.date) -> None:
        """The leaders receive the day's batches; then each waiting neighbour's evening is planned."""
        self.ops.arrive(day)
        for order in self.ops.waiting(day):
            if order.pickup_date != day:
                continue  # from an earlier day: already planned
            self.ready += 1
            if self.ready % NEVER_COLLECTED_EVERY == 0:
                continue  # never collected: the uncollected sweep deals with it
            roll = self.rng.random()
            later = 0 if roll < 0.9 else (1 if roll < 0.98 else 2)
            when = moment(day + dt.timedelta(days=later), self.rng.randint(16, 20), self.rng.randint(0, 59), self.tz)
            self.at(when, self._pick_up, order.id)

    def _pick_up(self, order_id: int) -> None:
        if not self.ops.hand_over(order_id):
            return
        self._count("picked_up")
        order = db.session.get(Order, order_id)
        persona = self.by_account.get(order.account_id)
        self.collected += 1
        if self.collected % COMPLAINT_EVERY == 0:
            self.at(utcnow() + dt.timedelta(hours=self.rng.randint(14, 40)), self.ops.refund_complaint, order_id)
        if persona is not None and (self.end - utcnow()).days < POSTS_FROM_DAYS_AGO:
            slugs = [PRODUCTS[int(ln.sku_code[1:3]) - 1].slug for ln in order.lines]
            self.at(utcnow() + dt.timedelta(hours=1), self._post, persona, slugs)

    def _post(self, persona: Persona, slugs: list[str]) -> None:
        post_id = self.social.maybe_post(persona, slugs)
        if post_id is None:
            return
        self._count("posts")
        neighbours = [p for p in self.people if p.group == persona.group and p.account_id and p is not persona]
        for fan in self.rng.sample(neighbours, min(len(neighbours), self.rng.randint(2, 7))):
            self.at(utcnow() + dt.timedelta(hours=self.rng.randint(1, 60)), self.social.like, post_id, fan)

    def _nightly(self) -> None:
        """The sweeps cron runs; those with nothing to find on a day (no subscription yet, nobody's
        birthday, no lottery closed) are skipped, since each costs its queries even when idle."""
        from app.lotteries import drawing
        from app.members import birthday
        from app.notifications.dispatch import dispatch_pending
        from app.subscriptions import sweep as subscriptions

        today = utcnow().astimezone(self.tz).date()
        subscribers = [p for p in self.people if p.subscribed]
        for persona in subscribers:  # they keep enough in the wallet for the next renewal
            self.shopping.ensure_balance(persona.account_id, 10000)
        self.ops.nightly()
        if subscribers and self._renewal_due(today):
            subscriptions.run()
        if any(p.account_id and p.birthday == (today.month, today.day) for p in self.people):
            birthday.sweep()
        if any(d <= today for d in self.draws):
            drawing.sweep()
            self.draws = [d for d in self.draws if d > today]
        while dispatch_pending():
            pass

    @staticmethod
    def _renewal_due(today: dt.date) -> bool:
        """A delivery two days out renews tonight (its cut-off is tomorrow 23:00, minus the 24 h lead)."""
        import sqlalchemy as sa

        from app.subscriptions.models import Subscription, SubscriptionStatus

        soonest = db.session.scalar(sa.select(sa.func.min(Subscription.next_date)).where(
            Subscription.status == SubscriptionStatus.ACTIVE))
        return soonest is not None and soonest <= today + dt.timedelta(days=3)

    def _past_lottery(self, day: dt.date) -> None:
        closes = moment(day + dt.timedelta(days=6), 20, 0, self.tz)
        self.at(moment(day, 10, 0, self.tz), self._lottery, 0, "金秋团圆抽奖",
                "会员参与即可抽奖：一等奖满100减50券1名，二等奖9折券3名。截止后自动开奖，种子公开可验证。", closes)

    def _todays_lottery(self, day: dt.date) -> None:
        closes = moment(self.last_day + dt.timedelta(days=4), 20, 0, self.tz)
        self.at(moment(day, 10, 0, self.tz), self._lottery, 1, "宝妈团福利抽奖",
                "滨江花园会员专享：一等奖满100减50券1名，二等奖9折券3名。", closes)

    def _lottery(self, hood_index: int, title: str, description: str, closes: dt.datetime) -> None:
        lottery_id = self.social.open_lottery(hood_index, title, description, closes)
        self.draws.append(closes.astimezone(self.tz).date())
        for persona in self.people:
            if persona.group == hood_index and persona.account_id in self.shopping.members \
                    and self.rng.random() < 0.75:
                hours = self.rng.randint(1, int((closes - utcnow()).total_seconds() // 3600) - 1)
                self.at(utcnow() + dt.timedelta(hours=hours), self.social.enter, lottery_id, persona)
