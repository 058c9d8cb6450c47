"""Merchant analytics queries over 100,000 orders on PostgreSQL: each one timed 5 times, in-process
and through the API (test client, staff token), median and max.

    .venv/bin/python bench/analytics.py [--orders 100000] [--shoppers 20000] [--groups 50] [--runs 5] [--keep]

Creates its own database (BENCH_ANALYTICS_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/bench_analytics), migrates it, seeds staff, leaders with
their groups and pickup points, SKUs and five approved campaigns through the app's services, then
with set-based SQL (generate_series) the shoppers (30% referred by one of the first 2,000) and the
orders spread over 18 months: 90% paid, 4% partly refunded, 3% refunded, 3% never paid; heavy
buyers skewed (shopper index = n · random()²); 5% of orders on a campaign, whose stock buckets
then record the units sold. ANALYZE, then the timings. The database is dropped at the end unless
--keep is given. Prints a JSON summary and markdown rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import time

from common import FAST_HASHING, ROOT, machine

URL = os.environ.get("BENCH_ANALYTICS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_analytics")

SHOPPERS = """
INSERT INTO accounts (kind, email, name, password_hash, is_active, lifetime_spend_cents, created_at, updated_at)
SELECT 'shopper', 'b' || g || '@bench.test', 'Bench shopper ' || g, 'x', true, 0, now() - interval '600 days', now()
FROM generate_series(1, :shoppers) AS g;

CREATE TEMP TABLE bench_shoppers AS
SELECT row_number() OVER (ORDER BY id) - 1 AS sidx, id AS account_id, NULL::integer AS referrer_id
FROM accounts WHERE email LIKE 'b%@bench.test';

UPDATE bench_shoppers s SET referrer_id = r.account_id
FROM bench_shoppers r WHERE s.sidx % 10 < 3 AND r.sidx = (s.sidx * 7919) % 2000 AND r.sidx <> s.sidx;

CREATE TEMP TABLE bench_groups AS
SELECT row_number() OVER (ORDER BY g.id) - 1 AS gidx, g.id AS group_id, g.name AS group_name, l.id AS leader_id,
       l.display_name AS leader_name, p.id AS point_id, p.name AS point_name, p.address
FROM groups g JOIN leaders l ON l.id = g.leader_id JOIN pickup_points p ON p.id = g.pickup_point_id;

CREATE TEMP TABLE bench_skus AS
SELECT row_number() OVER (ORDER BY s.id) - 1 AS kidx, s.id AS sku_id, s.product_id, s.name, s.code, s.price_cents,
       p.name AS product_name
FROM skus s JOIN products p ON p.id = s.product_id WHERE s.code LIKE 'AB-%';

CREATE TEMP TABLE bench_items AS
SELECT row_number() OVER (ORDER BY i.id) - 1 AS cidx, i.id AS item_id, i.campaign_id, i.campaign_price_cents,
       s.id AS sku_id, s.product_id, s.name, s.code, s.price_cents, p.name AS product_name
FROM campaign_items i JOIN skus s ON s.id = i.sku_id JOIN products p ON p.id = s.product_id
"""

ORDERS = """
SELECT setseed(0.42);

CREATE TEMP TABLE bench_orders AS
WITH draws AS (
    SELECT g, floor(:shoppers * power(random(), 2))::int AS sidx, random() AS r_status, random() AS r_time,
           1 + floor(random() * 4)::int AS qty, floor(random() * :skus)::int AS kidx,
           CASE WHEN random() < 0.05 THEN g % :campaigns END AS cidx
    FROM generate_series(1, :orders) AS g)
SELECT d.g, s.account_id, s.referrer_id, grp.*, d.qty, d.r_status,
       COALESCE(i.sku_id, k.sku_id) AS sku_id, COALESCE(i.product_id, k.product_id) AS product_id,
       COALESCE(i.product_name, k.product_name) AS product_name, COALESCE(i.name, k.name) AS sku_name,
       COALESCE(i.code, k.code) AS sku_code, COALESCE(i.campaign_price_cents, k.price_cents) AS price,
       COALESCE(i.price_cents, k.price_cents) AS list_price, i.item_id, i.campaign_id,
       CASE WHEN d.r_status < 0.97 THEN now() - d.r_time * interval '540 days' END AS paid_at,
       CASE WHEN d.r_status < 0.90 THEN 'paid' WHEN d.r_status < 0.94 THEN 'partially_refunded'
            WHEN d.r_status < 0.97 THEN 'refunded' WHEN d.r_status < 0.985 THEN 'cancelled'
            ELSE 'expired' END AS status
FROM draws d JOIN bench_shoppers s ON s.sidx = d.sidx
JOIN bench_groups grp ON grp.gidx = s.sidx % :groups
JOIN bench_skus k ON k.kidx = d.kidx LEFT JOIN bench_items i ON i.cidx = d.cidx;

INSERT INTO orders (number, pickup_code, account_id, group_id, group_name, leader_id, leader_name, pickup_point_id,
                    pickup_point_name, pickup_point_address, status, payment_method, currency, subtotal_cents,
                    total_cents, paid_cents, refunded_cents, fulfilment, code_failures, paid_at, picked_up_at,
                    ready_at, closed_at, campaign_id, referrer_account_id, created_at, updated_at)
SELECT 'A' || g, 'Q' || g, account_id, group_id, group_name, leader_id, leader_name, point_id, point_name, address,
       status, 'stripe', 'CNY', price * qty, price * qty,
       CASE WHEN paid_at IS NOT NULL THEN price * qty ELSE 0 END,
       CASE status WHEN 'partially_refunded' THEN price * qty / 3 WHEN 'refunded' THEN price * qty ELSE 0 END,
       CASE WHEN status IN ('paid', 'partially_refunded') THEN 'picked_up' ELSE 'not_delivered' END, 0,
       paid_at, paid_at + interval '1 day', paid_at + interval '20 hours',
       CASE WHEN paid_at IS NULL THEN now() END, campaign_id, referrer_id,
       COALESCE(paid_at, now() - r_status * interval '540 days') - interval '5 minutes', now()
FROM bench_orders;

INSERT INTO order_lines (order_id, sku_id, product_id, product_name, sku_name, sku_code, unit_price_cents,
                         list_price_cents, quantity, line_total_cents, refunded_quantity, refunded_cents,
                         shorted_quantity, picked_up_quantity, restocked_quantity, campaign_item_id, campaign_id)
SELECT o.id, b.sku_id, b.product_id, b.product_name, b.sku_name, b.sku_code, b.price, b.list_price, b.qty,
       b.price * b.qty, CASE WHEN b.status = 'refunded' THEN b.qty ELSE 0 END, o.refunded_cents, 0,
       CASE WHEN b.status IN ('paid', 'partially_refunded') THEN b.qty ELSE 0 END, 0, b.item_id, b.campaign_id
FROM bench_orders b JOIN orders o ON o.number = 'A' || b.g;

UPDATE campaign_stock_buckets k SET sold = LEAST(k.total, u.units / 8)
FROM (SELECT l.campaign_item_id, SUM(l.quantity - l.refunded_quantity) AS units
      FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE l.campaign_item_id IS NOT NULL AND o.status IN ('paid', 'partially_refunded')
      GROUP BY l.campaign_item_id) u
WHERE k.item_id = u.campaign_item_id
"""


def create_database() -> None:
    import psycopg

    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    import psycopg

    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrated_app():
    import sys

    sys.path.insert(0, str(ROOT))
    os.environ.update({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": URL,
                       "REDIS_URL": "", "ALLOW_LOCAL_RATE_LIMITS": "true", "ENV_FILE": "/nonexistent"})
    import flask_migrate

    from app import create_app

    app = create_app(FAST_HASHING)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    return app


def seed_services(groups: int) -> str:
    """Staff, leaders with a group each, 20 SKUs, 5 approved campaigns; returns a staff token."""
    from app.accounts import services as accounts
    from app.accounts.models import AccountKind
    from app.campaigns import services as campaigns
    from app.catalog import services as catalog
    from app.db import utcnow
    from app.groups import services as group_services
    from app.leaders import services as leaders

    staff = accounts.create_staff(name="Bench", email="bench@example.com", password="bench-pass-1")
    for i in range(groups):
        lead = accounts.register_shopper(name=f"Leader {i}", email=f"leader{i}@example.com", password="bench-pass-1")
        application = leaders.apply(lead.account.id, {
            "name": f"Leader {i}", "phone": f"+86138{i:08d}", "motivation": None, "point_name": f"Point {i}",
            "point_address": f"{i} Bench Road", "point_latitude": 31.2, "point_longitude": 121.4})
        application = leaders.approve(application.id, staff.id)
        group_services.create_group({"name": f"Group {i}", "neighbourhood": f"Block {i}",
                                     "leader_id": application.leader_id,
                                     "pickup_point_id": application.pickup_point_id})
    skus = [catalog.create_product({"name": f"Product {i}", "status": "active", "skus": [
        {"code": f"AB-{i}", "name": "x", "price_cents": 500 + 250 * i, "stock_total": 1_000_000}]}).skus[0]
        for i in range(20)]
    for i in range(5):
        start = utcnow() - dt.timedelta(days=90 * (4 - i) + 1)
        campaign = campaigns.create({"kind": "flash_sale", "name": f"Flash {i}", "starts_at": start,
                                     "ends_at": start + dt.timedelta(days=7), "items": [
                                         {"sku_id": skus[i].id, "campaign_price_cents": skus[i].price_cents // 2,
                                          "stock_total": 8_000}]}, staff.id)
        campaigns.submit(campaign)
        campaigns.approve(campaign, staff.id)
    return accounts.login(AccountKind.STAFF, "bench@example.com", "bench-pass-1").token


def seed_sql(args) -> None:
    import sqlalchemy as sa

    from app.extensions import db

    params = {"shoppers": args.shoppers, "orders": args.orders, "groups": args.groups, "skus": 20, "campaigns": 5}
    with db.engine.begin() as conn:
        for script in (SHOPPERS, ORDERS):
            for statement in filter(str.strip, script.split(";\n")):
                used = {k: v for k, v in params.items() if f":{k}" in statement}
                conn.execute(sa.text(statement), used)
    with db.engine.connect() as conn:  # statistics, as autovacuum would have them on a live store
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))


def queries() -> dict:
    """Name → (in-process call, API path)."""
    from app.analytics import campaigns, cohorts, repurchase, value
    from app.commissions import performance

    return {
        "repurchase (12 months)": (lambda: repurchase.repurchase(12), "repurchase?months=12"),
        "repurchase (36 months)": (lambda: repurchase.repurchase(36), "repurchase?months=36"),
        "repeat-rates": (repurchase.repeat_rates, "repeat-rates"),
        "cohorts (12 months)": (lambda: cohorts.cohorts(12), "cohorts?months=12"),
        "cohorts (36 months)": (lambda: cohorts.cohorts(36), "cohorts?months=36"),
        "lifetime-value": (value.lifetime_value, "lifetime-value"),
        "referral-value": (value.referral_value, "referral-value"),
        "referrers (CSV)": (value.referrers, "referrers.csv"),
        "leaders (this month)": (lambda: performance.performance(*performance.month_window(None)), "leaders"),
        "campaigns": (campaigns.campaign_table, "campaigns"),
    }


def timed(call, runs: int) -> tuple[float, float]:
    from app.extensions import db

    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
        db.session.rollback()
    return round(statistics.median(seconds) * 1000, 1), round(max(seconds) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--shoppers", type=int, default=20_000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args()
    create_database()
    try:
        app = migrated_app()
        with app.app_context():
            import sqlalchemy as sa

            from app.extensions import db

            print(f"seeding {args.groups} leaders, {args.shoppers} shoppers, {args.orders} orders…", flush=True)
            started = time.perf_counter()
            token = seed_services(args.groups)
            seed_sql(args)
            counts = db.session.execute(sa.text(
                "SELECT count(*), count(*) FILTER (WHERE paid_at IS NOT NULL), count(DISTINCT account_id), "
                "count(campaign_id) FROM orders")).one()
            db.session.rollback()
            print(f"  seeded in {time.perf_counter() - started:.1f} s: {counts[0]} orders, {counts[1]} paid, "
                  f"{counts[2]} buyers, {counts[3]} on campaigns", flush=True)
            client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
            results = []
            for name, (call, path) in queries().items():
                response = client.get(f"/api/v1/admin/analytics/{path}", headers=headers)
                assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
                fn_median, fn_max = timed(call, args.runs)
                api_median, api_max = timed(lambda p=path: client.get(f"/api/v1/admin/analytics/{p}",
                                                                      headers=headers), args.runs)
                results.append({"query": name, "median_ms": fn_median, "max_ms": fn_max,
                                "api_median_ms": api_median, "api_max_ms": api_max})
                print(f"  {name:<24} {fn_median:8.1f} ms median {fn_max:8.1f} ms max   "
                      f"API {api_median:8.1f} / {api_max:8.1f} ms", flush=True)
    finally:
        if not args.keep:
            drop_database()
    command = "bench/analytics.py " + " ".join(f"--{k} {v}" for k, v in vars(args).items() if k != "keep")
    print(json.dumps({"machine": machine(), "command": command, "orders": counts[0], "paid": counts[1],
                      "buyers": counts[2], "results": results}, indent=2))
    for r in results:
        print(f"| {r['query']} | {r['median_ms']} | {r['max_ms']} | {r['api_median_ms']} | {r['api_max_ms']} |")


if __name__ == "__main__":
    main()
