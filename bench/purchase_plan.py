"""The purchase plan on PostgreSQL for a delivery day of 10,000 orders over 500 SKUs and 300
pickup points (issue 21, item 7): timed before the cut-off (a forecast: the late-order share reads
the previous 7 days) and after it (final), in-process and through the API, median and max.

    .venv/bin/python bench/purchase_plan.py [--orders 10000] [--skus 500] [--points 300] [--days 8] [--runs 5] [--keep]

Creates its own database (BENCH_PLAN_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/bench_purchase_plan), migrates it, makes staff, 300 pickup
points with a group each and 500 SKUs through the app's services, then with set-based SQL: 5,000
shoppers; `--orders` orders (1–3 lines of distinct SKUs, pay at pickup) for each of `--days` days
ending on the delivery day, placed over the 36 hours before each day's cut-off; 1,000 subscriptions
due that day; 2,000 replenishment reminders (half reordered, 500 running out that day); 20
suppliers offering every SKU (two offers per SKU); a safety stock on every SKU; 100 open purchase
orders. ANALYZE, then the timings. Prints a JSON summary and markdown rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time

os.environ.setdefault("BENCH_ANALYTICS_DATABASE_URL",
                      os.environ.get("BENCH_PLAN_DATABASE_URL",
                                     "postgresql://postgres@127.0.0.1:5432/bench_purchase_plan"))

from analytics import create_database, drop_database, migrated_app  # noqa: E402
from common import machine  # noqa: E402

SEED = """
SELECT setseed(0.21);

INSERT INTO accounts (kind, email, name, password_hash, is_active, lifetime_spend_cents, created_at, updated_at)
SELECT 'shopper', 'p' || g || '@bench.test', 'Plan shopper ' || g, 'x', true, 0, now() - interval '60 days', now()
FROM generate_series(1, 5000) AS g;

CREATE TEMP TABLE b_shoppers AS
SELECT row_number() OVER (ORDER BY id) - 1 AS sidx, id AS account_id FROM accounts WHERE email LIKE 'p%@bench.test';

CREATE TEMP TABLE b_groups AS
SELECT row_number() OVER (ORDER BY g.id) - 1 AS gidx, g.id AS group_id, g.name AS group_name, p.id AS point_id,
       p.name AS point_name, p.address
FROM groups g JOIN pickup_points p ON p.id = g.pickup_point_id;

CREATE TEMP TABLE b_skus AS
SELECT row_number() OVER (ORDER BY s.id) - 1 AS kidx, s.id AS sku_id, s.product_id, s.name, s.code, s.price_cents,
       p.name AS product_name
FROM skus s JOIN products p ON p.id = s.product_id WHERE s.code LIKE 'PP-%';

CREATE TEMP TABLE b_orders AS
SELECT d.day * :orders + o AS g, d.day, o, floor(random() * 5000)::int AS sidx, floor(random() * :skus)::int AS kidx,
       1 + floor(random() * 3)::int AS nlines,
       CAST(:cutoff AS timestamptz) - d.day * interval '1 day' - random() * interval '36 hours' AS created_at,
       (CAST(:delivery AS date) - d.day) AS pickup_date
FROM generate_series(0, :days - 1) AS d(day), generate_series(1, :orders) AS o;

INSERT INTO orders (number, pickup_code, account_id, group_id, group_name, pickup_point_id, pickup_point_name,
                    pickup_point_address, status, payment_method, currency, subtotal_cents, total_cents, paid_cents,
                    refunded_cents, fulfilment, code_failures, pickup_date, created_at, updated_at)
SELECT 'P' || b.g, 'K' || b.g, s.account_id, grp.group_id, grp.group_name, grp.point_id, grp.point_name, grp.address,
       'confirmed', 'pay_at_pickup', 'CNY', 0, 0, 0, 0, 'scheduled', 0, b.pickup_date, b.created_at, b.created_at
FROM b_orders b JOIN b_shoppers s ON s.sidx = b.sidx JOIN b_groups grp ON grp.gidx = b.g % :points;

INSERT INTO order_lines (order_id, sku_id, product_id, product_name, sku_name, sku_code, unit_price_cents, quantity,
                         line_total_cents, refunded_quantity, refunded_cents, shorted_quantity, picked_up_quantity,
                         restocked_quantity)
SELECT o.id, k.sku_id, k.product_id, k.product_name, k.name, k.code, k.price_cents, 1 + (b.g + l.n) % 4,
       k.price_cents * (1 + (b.g + l.n) % 4), 0, 0, 0, 0, 0
FROM b_orders b JOIN orders o ON o.number = 'P' || b.g
CROSS JOIN LATERAL generate_series(0, b.nlines - 1) AS l(n)
JOIN b_skus k ON k.kidx = (b.kidx + l.n * 167) % :skus;

INSERT INTO subscription_plans (sku_id, intervals, discount_bps, active, created_at, updated_at)
SELECT sku_id, '[{"unit": "week", "count": 1}]', 500, true, now(), now() FROM b_skus WHERE kidx < 50;

INSERT INTO subscriptions (account_id, plan_id, sku_id, quantity, interval_unit, interval_count, anchor_date,
                           next_date, status, pay_with, created_at, updated_at)
SELECT s.account_id, p.id, p.sku_id, 1 + g % 3, 'week', 1, CAST(:delivery AS date), CAST(:delivery AS date),
       'active', 'wallet',
       now(), now()
FROM generate_series(0, 999) AS g JOIN b_shoppers s ON s.sidx = g
JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS pidx, id, sku_id FROM subscription_plans) p ON p.pidx = g % 50;

INSERT INTO replenishment_reminders (account_id, product_id, basis_order_id, basis, last_purchase_on, cycle_days,
                                     run_out_on, remind_on, lines, order_id, created_at)
SELECT s.account_id, k.product_id, o.id, 'usage_days', CAST(:delivery AS date) - 30, 30,
       CASE WHEN g < 500 THEN CAST(:delivery AS date) ELSE CAST(:delivery AS date) - 1 - g % 20 END,
       CAST(:delivery AS date) - 33, json_build_array(json_build_object('sku_id', k.sku_id, 'quantity', 1 + g % 2)),
       CASE WHEN g >= 500 AND g % 2 = 0 THEN o.id END, now()
FROM generate_series(0, 1999) AS g JOIN b_shoppers s ON s.sidx = g
JOIN b_skus k ON k.kidx = g % :skus JOIN orders o ON o.number = 'P' || (g + 1);

INSERT INTO suppliers (name, min_order_cents, active, created_at, updated_at)
SELECT 'Supplier ' || g, 50000, true, now(), now() FROM generate_series(1, 20) AS g;

INSERT INTO supplier_skus (supplier_id, sku_id, cost_cents, lead_days, min_units, preferred, created_at, updated_at)
SELECT sp.id, k.sku_id, k.price_cents * (55 + (sp.rn * 7 + k.kidx) % 20) / 100, sp.rn % 3, (sp.rn % 4) * 5,
       false, now(), now()
FROM b_skus k JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id FROM suppliers) sp
  ON sp.rn IN (k.kidx % 20, (k.kidx + 7) % 20);

INSERT INTO safety_stocks (sku_id, units, created_at, updated_at)
SELECT sku_id, 5 + kidx % 10, now(), now() FROM b_skus;

INSERT INTO purchase_orders (number, supplier_id, delivery_date, status, confirm_key, total_cents, created_at,
                             updated_at)
SELECT 'BPO' || g, (SELECT min(id) FROM suppliers) + g % 20, CAST(:delivery AS date) - g % 3, 'sent', 'bench-' || g,
       0, now(), now()
FROM generate_series(1, 100) AS g;

INSERT INTO purchase_order_lines (purchase_order_id, sku_id, quantity, unit_cost_cents, accepted, rejected, short)
SELECT po.id, k.sku_id, 20, 100, 0, 0, 0
FROM purchase_orders po CROSS JOIN LATERAL generate_series(0, 4) AS l(n)
JOIN b_skus k ON k.kidx = (po.id * 5 + l.n) % :skus
"""


def seed_services(points: int, skus: int) -> None:
    from app.accounts import services as accounts
    from app.catalog import services as catalog
    from app.groups import services as groups
    from app.pickup_points import services as pickup_points

    accounts.create_staff(name="Bench", email="bench@example.com", password="bench-pass-1")
    for i in range(points):
        point = pickup_points.create_point({"name": f"Point {i}", "address": f"{i} Bench Road", "latitude": 31.2,
                                            "longitude": 121.4})
        groups.create_group({"name": f"Group {i}", "neighbourhood": f"Block {i}", "pickup_point_id": point.id,
                             "leader_id": None})
    for i in range(skus):
        catalog.create_product({"name": f"Product {i}", "status": "active", "skus": [
            {"code": f"PP-{i}", "name": "x", "price_cents": 300 + 10 * i, "stock_total": 40 + i % 60}]})


def staff_token() -> str:
    """A fresh login (staff tokens last 12 hours; the timings run with the clock moved to the night)."""
    from app.accounts import services as accounts
    from app.accounts.models import AccountKind

    return accounts.login(AccountKind.STAFF, "bench@example.com", "bench-pass-1").token


def seed_sql(args, delivery: dt.date, cutoff: dt.datetime) -> None:
    import sqlalchemy as sa

    from app.extensions import db

    params = {"orders": args.orders, "skus": args.skus, "points": args.points, "days": args.days,
              "delivery": delivery, "cutoff": cutoff}
    with db.engine.begin() as conn:
        for statement in filter(str.strip, SEED.split(";\n")):
            conn.execute(sa.text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))


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
    parser.add_argument("--orders", type=int, default=10_000, help="orders per delivery day")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--days", type=int, default=8, help="delivery days with orders, ending on the planned one")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args()
    create_database()
    results = []
    try:
        app = migrated_app()
        with app.app_context():
            import time_machine

            from app.clock import local_today
            from app.extensions import db
            from app.purchasing import demand, plan

            delivery = local_today() + dt.timedelta(days=2)
            cutoff = demand.day_cutoff(delivery)
            print(f"seeding {args.points} points, {args.skus} SKUs, {args.orders} orders × {args.days} days…",
                  flush=True)
            started = time.perf_counter()
            seed_services(args.points, args.skus)
            seed_sql(args, delivery, cutoff)
            print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
            client = app.test_client()
            for name, at in (("forecast (3 h before the cut-off)", cutoff - dt.timedelta(hours=3)),
                             ("final (after the cut-off)", cutoff + dt.timedelta(minutes=30))):
                with time_machine.travel(at, tick=False):
                    headers = {"Authorization": f"Bearer {staff_token()}"}
                    db.session.commit()
                    body = plan.compute(delivery)
                    response = client.get(f"/api/v1/admin/purchase-plan?delivery_date={delivery}", headers=headers)
                    assert response.status_code == 200, response.get_data(as_text=True)[:300]
                    fn_median, fn_max = timed(lambda: plan.compute(delivery), args.runs)
                    api_median, api_max = timed(lambda h=headers: client.get(
                        f"/api/v1/admin/purchase-plan?delivery_date={delivery}", headers=h), args.runs)
                results.append({"plan": name, "skus": len(body["lines"]), "proposals": len(body["proposals"]),
                                "confirmed_units": sum(r["confirmed"] for r in body["lines"]),
                                "median_ms": fn_median, "max_ms": fn_max, "api_median_ms": api_median,
                                "api_max_ms": api_max})
                print(f"  {name:<36} {fn_median:8.1f} ms median {fn_max:8.1f} ms max   "
                      f"API {api_median:8.1f} / {api_max:8.1f} ms", flush=True)
    finally:
        if not args.keep:
            drop_database()
    command = "bench/purchase_plan.py " + " ".join(f"--{k} {v}" for k, v in vars(args).items() if k != "keep")
    print(json.dumps({"machine": machine(), "command": command, "results": results}, indent=2))
    for r in results:
        print(f"| {r['plan']} | {r['median_ms']} | {r['max_ms']} | {r['api_median_ms']} | {r['api_max_ms']} |")


if __name__ == "__main__":
    main()
