"""Sorting sheets and loading manifests of one delivery night on PostgreSQL: 10,000 paid orders of
3 lines over 500 SKUs at 300 pickup points, on 20 routes of 15 stops. Each route run's sorting sheet
and manifest timed in-process and through the API (test client, staff token), and the whole night.

    .venv/bin/python bench/route_sheets.py [--orders 10000] [--skus 500] [--points 300] [--routes 20] [--runs 3]

Creates its own database (BENCH_ROUTES_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/bench_routes), migrates it, seeds staff, points, groups,
products, routes and runs through the app's services, then shoppers, closed batches, orders and
lines with set-based SQL (generate_series). ANALYZE, then the timings. Dropped at the end unless --keep.
Prints a JSON summary and the markdown rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import time

from common import FAST_HASHING, ROOT, machine

URL = os.environ.get("BENCH_ROUTES_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_routes")
DAY = dt.date(2030, 6, 3)

SEED = """
SELECT setseed(0.21);
INSERT INTO accounts (kind, email, name, password_hash, is_active, lifetime_spend_cents, created_at, updated_at)
SELECT 'shopper', 'r' || g || '@bench.test', '顾客' || g, 'x', true, 0, now(), now()
FROM generate_series(1, :orders / 2) AS g;

INSERT INTO delivery_batches (pickup_point_id, delivery_date, status, closed_at, created_at, updated_at)
SELECT id, :day, 'closed', now(), now(), now() FROM pickup_points;

CREATE TEMP TABLE bench_points AS
SELECT row_number() OVER (ORDER BY p.id) - 1 AS pidx, p.id AS point_id, p.name, p.address, g.id AS group_id,
       g.name AS group_name, b.id AS batch_id
FROM pickup_points p JOIN groups g ON g.pickup_point_id = p.id JOIN delivery_batches b ON b.pickup_point_id = p.id;

CREATE TEMP TABLE bench_shoppers AS
SELECT row_number() OVER (ORDER BY id) - 1 AS sidx, id AS account_id FROM accounts WHERE email LIKE 'r%@bench.test';

CREATE TEMP TABLE bench_skus AS
SELECT row_number() OVER (ORDER BY s.id) - 1 AS kidx, s.id AS sku_id, s.product_id, s.name, s.code, s.price_cents,
       p.name AS product_name
FROM skus s JOIN products p ON p.id = s.product_id;

INSERT INTO orders (number, pickup_code, account_id, group_id, group_name, pickup_point_id, pickup_point_name,
                    pickup_point_address, status, payment_method, currency, subtotal_cents, total_cents, paid_cents,
                    refunded_cents, fulfilment, code_failures, paid_at, pickup_date, batch_id, created_at, updated_at)
SELECT 'R' || g, 'C' || g, s.account_id, p.group_id, p.group_name, p.point_id, p.name, p.address, 'paid', 'stripe',
       'CNY', 3000, 3000, 3000, 0, 'scheduled', 0, now(), :day, p.batch_id, now(), now()
FROM generate_series(1, :orders) AS g
JOIN bench_shoppers s ON s.sidx = g % (:orders / 2)
JOIN bench_points p ON p.pidx = (g * 7) % :points;

INSERT INTO order_lines (order_id, sku_id, product_id, product_name, sku_name, sku_code, unit_price_cents,
                         list_price_cents, quantity, line_total_cents, refunded_quantity, refunded_cents,
                         shorted_quantity, picked_up_quantity, restocked_quantity)
SELECT o.id, k.sku_id, k.product_id, k.product_name, k.name, k.code, k.price_cents, k.price_cents, 1 + (n % 3),
       k.price_cents * (1 + (n % 3)), 0, 0, 0, 0, 0
FROM orders o CROSS JOIN generate_series(0, 2) AS n
JOIN bench_skus k ON k.kidx = (o.id * 3 + n * 167) % :skus;
ANALYZE;
"""


def database(action: str) -> None:
    import psycopg

    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')


def migrated_app():
    sys.path.insert(0, str(ROOT))
    os.environ.update({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                       "DATABASE_URL": URL.replace("postgresql://", "postgresql+psycopg://"), "REDIS_URL": "",
                       "ALLOW_LOCAL_RATE_LIMITS": "true", "ENV_FILE": "/nonexistent"})
    import flask_migrate

    from app import create_app

    app = create_app(FAST_HASHING)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    return app


def seed(args) -> tuple[str, list[int]]:
    """Through the services: an owner, a driver, points with a group each, products, routes, runs."""
    import sqlalchemy as sa

    from app.accounts import services as accounts
    from app.accounts.models import AccountKind
    from app.catalog import services as catalog
    from app.delivery import routes, runs
    from app.extensions import db
    from app.groups import services as groups
    from app.pickup_points import services as points

    accounts.create_staff(name="Bench", email="bench@example.com", password="bench-pass-1")
    driver = accounts.create_staff(name="司机", email="driver@example.com", password="bench-pass-1", role="driver")
    point_ids = []
    for i in range(args.points):
        point = points.create_point({"name": f"自提点 {i}", "address": f"{i} 号", "latitude": 31.2, "longitude": 121.4})
        groups.create_group({"name": f"Group {i}", "neighbourhood": f"Block {i}", "pickup_point_id": point.id})
        point_ids.append(point.id)
    per_product = 10
    for i in range(args.skus // per_product):
        catalog.create_product({"name": f"商品 {i}", "status": "active", "skus": [
            {"code": f"S-{i}-{j}", "name": f"规格 {j}", "price_cents": 500 + 10 * j, "stock_total": 1_000_000}
            for j in range(per_product)]})
    params = {"orders": args.orders, "points": args.points, "skus": args.skus, "day": DAY}
    for statement in filter(str.strip, SEED.split(";")):
        db.session.execute(sa.text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    db.session.commit()
    stops = args.points // args.routes
    run_ids = []
    for r in range(args.routes):
        route = routes.create_route(name=f"线路 {r}", departure_time=dt.time(4, 0),
                                    stops=point_ids[r * stops:(r + 1) * stops])
        run_ids.append(runs.plan_run(route_id=route.id, delivery_date=DAY, driver_id=driver.id).id)
    return accounts.login(AccountKind.STAFF, "bench@example.com", "bench-pass-1").token, run_ids


def timed(call, runs: int) -> list[float]:
    from app.extensions import db

    seconds = []
    for _ in range(runs):
        db.session.expire_all()
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def ms(values: list[float]) -> tuple[float, float]:
    return round(statistics.median(values) * 1000, 1), round(max(values) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("orders", 10_000), ("skus", 500), ("points", 300), ("routes", 20), ("runs", 3)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    database("create")
    try:
        app = migrated_app()
        with app.app_context():
            import sqlalchemy as sa

            from app.delivery import runs, sheets
            from app.extensions import db

            started = time.perf_counter()
            token, run_ids = seed(args)
            counts = db.session.execute(sa.text("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM "
                                                "order_lines), (SELECT count(DISTINCT sku_id) FROM order_lines)")).one()
            print(f"seeded in {time.perf_counter() - started:.1f} s: {counts[0]} orders, {counts[1]} lines, "
                  f"{counts[2]} SKUs", flush=True)
            client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
            results = {}
            for kind in ("sorting-sheet", "manifest"):
                in_process, api, bags = [], [], 0
                for run_id in run_ids:
                    in_process += timed(lambda r=run_id: sheets.load(runs.get_run(r)), args.runs)
                    response = client.get(f"/api/v1/admin/route-runs/{run_id}/{kind}", headers=headers)
                    assert response.status_code == 200, response.get_data(as_text=True)[:300]
                    bags += response.get_json()["totals"]["bags"]
                    api += timed(lambda r=run_id, k=kind: client.get(f"/api/v1/admin/route-runs/{r}/{k}",
                                                                     headers=headers), args.runs)
                    db.session.rollback()
                csv_times = timed(lambda k=kind: client.get(f"/api/v1/admin/route-runs/{run_ids[0]}/{k}.csv",
                                                            headers=headers), args.runs)
                night = timed(lambda k=kind: [client.get(f"/api/v1/admin/route-runs/{r}/{k}", headers=headers)
                                              for r in run_ids], 1)
                assert bags == counts[0], (bags, counts[0])  # every order in exactly one bag of one run
                results[kind] = {"per_run_ms": ms(in_process), "api_per_run_ms": ms(api), "csv_ms": ms(csv_times),
                                 "whole_night_api_ms": ms(night)}
                print(f"  {kind:<14} per run {ms(in_process)} ms (median, max)  API {ms(api)} ms"
                      f"  CSV {ms(csv_times)} ms  all {len(run_ids)} runs via API {ms(night)[0]} ms", flush=True)
    finally:
        if not args.keep:
            database("drop")
    print(json.dumps({"machine": machine(), "orders": counts[0], "lines": counts[1], "skus": counts[2],
                      "args": vars(args), "results": results}, indent=2))


if __name__ == "__main__":
    main()
