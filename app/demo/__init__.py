"""Demo store for `flask seed-demo`: a store with a year of history, built through the same services
the API uses, with the clock moved (history.py). catalogue.py and people.py hold what it is made of;
store.py sets up the merchant's side; shopping.py, operations.py and social.py are what happens."""
from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app import clock
from app.accounts.models import Account
from app.db import utcnow
from app.demo.people import NAMED, NEIGHBOURHOODS, PASSWORD, personas
from app.demo.store import STAFF
from app.extensions import db
from app.groups import services as groups
from app.groups.models import Group

DEFAULT_DAYS = 365
DEFAULT_ORDERS = 320
EXTRA_SHOPPERS = 48


class DemoExists(Exception):
    pass


@dataclass
class DemoResult:
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (group, rule, code)
    leader_logins: list[tuple[str, str]] = field(default_factory=list)
    shopper_logins: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

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


@contextlib.contextmanager
def fast_commits() -> Iterator[None]:
    """Commits without waiting for the disk while the demo is built (thousands of small ones): SQLite
    synchronous=NORMAL under WAL (durable at the next checkpoint, never corrupt), PostgreSQL
    synchronous_commit=off (a crash may lose the last commits, never consistency). Per connection,
    so the pool is emptied before and after; a crash mid-seed means seeding again either way."""
    engine = db.engine
    setting = ("PRAGMA synchronous=NORMAL" if engine.dialect.name == "sqlite" else "SET synchronous_commit TO off")

    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(setting)
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()

    db.session.remove()
    engine.dispose()
    sa.event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        db.session.remove()
        sa.event.remove(engine, "connect", on_connect)
        engine.dispose()


@contextlib.contextmanager
def demo_config() -> Iterator[None]:
    """While the demo is built: follow-up jobs (refunds, notifications) run at once, at the history's
    moment, even with Redis; and the demo accounts' published passwords are hashed at argon2's
    lowest cost (a hash each would cost ~35 ms × 60 accounts) — each is rehashed at the configured
    cost the first time it logs in (accounts.login rehashes what needs_rehash finds weaker)."""
    config = current_app.config
    cheap = {"JOBS_RUN_INLINE": True, "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 8,
             "PASSWORD_HASH_PARALLELISM": 1}
    before = {key: config.get(key) for key in cheap}
    config.update(cheap)
    try:
        yield
    finally:
        config.update(before)


def seed(progress: Callable[[str], None] = lambda _: None, *, days: int = DEFAULT_DAYS,
         orders: int = DEFAULT_ORDERS, shoppers: int = EXTRA_SHOPPERS) -> DemoResult:
    """Build the demo store with `days` of history (about `orders` orders) ending now."""
    from app.demo.history import History
    from app.demo.store import member_day, open_store, todays_campaigns, welcome_the_logins

    if db.session.scalar(sa.select(sa.func.count()).select_from(Account)):
        raise DemoExists("The database already has accounts.")
    started = time.monotonic()
    end = utcnow().replace(microsecond=0)
    tz = clock.store_tz()
    first_day = end.astimezone(tz).date() - dt.timedelta(days=days)
    people = personas(shoppers, days)
    with fast_commits(), demo_config(), clock.frozen_at(dt.datetime.combine(first_day, dt.time(7), tzinfo=tz)):
        store = open_store(tz, release=end + dt.timedelta(days=1))
        member_day(store, end + dt.timedelta(days=90))
        progress(f"Store opened {first_day}: {len(store.product_ids)} products, commission rules, membership, "
                 f"coupons, subscription plans; {len(NEIGHBOURHOODS)} neighbourhoods and {len(people)} shoppers "
                 f"to come. Playing {days} days of history:")
        counts = History(store, people, first_day, end, orders, progress).run()
        todays_campaigns(store)
        welcome_the_logins(store, [p.account_id for p in people[:len(NAMED)] if p.account_id is not None])
    result = DemoResult(counts=dict(counts), seconds=time.monotonic() - started)
    result.links = existing_links()
    result.leader_logins = [(h.leader, h.login) for h in NEIGHBOURHOODS]
    result.shopper_logins = [p.email for p in people[:6]]
    progress(f"Built in {result.seconds:.0f} s: {counts['orders']} orders, {counts['picked_up']} picked up, "
             f"{counts['joined']} shoppers, {counts['posts']} share posts.")
    return result
