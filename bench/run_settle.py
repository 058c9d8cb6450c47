"""Commission settlement of 100,000 order lines on PostgreSQL, timed, as a ratio to pgbench's
TPC-B rate measured on the same machine in the same run.

    .venv/bin/python bench/run_settle.py [--lines 100000] [--pgbench-seconds 20]

Seeds, with set-based SQL, N paid and picked-up orders of one line each (picked up 30 days ago),
each with its accrual posted (leader pending +, store expense −), then runs the real settlement
sweep (`app.commissions.services.settle_due`, one order per transaction, as in production) and
times it. pgbench then initialises its own database (scale 10) and runs TPC-B with 2 clients.
The ratio compares transactions per second: settled orders/s ÷ pgbench TPC-B tps.
Needs PostgreSQL (BENCH_DATABASE_URL, default …/storefront_bench, recreated) and pgbench.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import time

from common import DB_URL, app_for, machine, reset_database, seed_store

SEED = """
WITH leader AS (SELECT id, account_id, display_name FROM leaders ORDER BY id LIMIT 1),
     grp AS (SELECT g.id, g.name, p.id AS point_id, p.name AS point_name, p.address
             FROM groups g JOIN pickup_points p ON p.id = g.pickup_point_id ORDER BY g.id LIMIT 1),
     buyer AS (SELECT array_agg(id ORDER BY id) AS ids FROM accounts WHERE kind = 'shopper')
INSERT INTO orders (number, pickup_code, account_id, group_id, group_name, leader_id, leader_name, pickup_point_id,
                    pickup_point_name, pickup_point_address, status, payment_method, currency, subtotal_cents,
                    total_cents, paid_cents, refunded_cents, fulfilment, code_failures, paid_at, picked_up_at,
                    created_at, updated_at)
SELECT 'B' || g, 'C' || g, buyer.ids[1 + g % array_length(buyer.ids, 1)], grp.id, grp.name, leader.id,
       leader.display_name, grp.point_id, grp.point_name, grp.address, 'paid', 'stripe', 'CNY', 1990, 1990, 1990, 0,
       'picked_up', 0, now() - interval '31 days', now() - interval '30 days', now() - interval '31 days', now()
FROM generate_series(1, :n) AS g, leader, grp, buyer;

INSERT INTO order_lines (order_id, sku_id, product_id, product_name, sku_name, sku_code, unit_price_cents, quantity,
                         line_total_cents, refunded_quantity, refunded_cents, shorted_quantity, picked_up_quantity,
                         restocked_quantity, leader_rate_bps, list_price_cents)
SELECT o.id, s.id, s.product_id, 'Bench', s.name, s.code, 1990, 1, 1990, 0, 0, 0, 1, 0, 1000, 1990
FROM orders o, (SELECT id, product_id, name, code FROM skus ORDER BY id LIMIT 1) s WHERE o.number LIKE 'B%';

INSERT INTO commission_entries (kind, ref, order_id, memo, created_at)
SELECT 'accrue', 'accrue:order:' || o.id, o.id, 'bench', now() - interval '31 days' FROM orders o
WHERE o.number LIKE 'B%';

INSERT INTO commission_lines (entry_id, account_id, role, bucket, amount_cents, order_line_id)
SELECT e.id, l.account_id, 'leader', 'pending', 199, ol.id
FROM commission_entries e JOIN order_lines ol ON ol.order_id = e.order_id,
     (SELECT account_id FROM leaders ORDER BY id LIMIT 1) l
UNION ALL
SELECT e.id, NULL, NULL, 'commission_expense', -199, ol.id
FROM commission_entries e JOIN order_lines ol ON ol.order_id = e.order_id;
"""


def pgbench_tps(seconds: int) -> tuple[float, str]:
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is not installed: apt-get install postgresql-contrib (or postgresql-client)")
    base = DB_URL.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql")
    url = f"{base}/pgbench_bench"
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "pgbench_bench" WITH (FORCE)')
        conn.execute('CREATE DATABASE "pgbench_bench"')
    subprocess.run(["pgbench", "-i", "-s", "10", "-q", url], check=True, capture_output=True)
    cmd = ["pgbench", "-c", "2", "-j", "2", "-T", str(seconds), url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1)), " ".join(cmd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    args = parser.parse_args()
    reset_database()
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": DB_URL,
           "REDIS_URL": "", "ALLOW_LOCAL_RATE_LIMITS": "true", "ENV_FILE": "/nonexistent"}
    app = app_for(env)
    with app.app_context():
        import sqlalchemy as sa

        from app.catalog import services as catalog
        from app.commissions.services import settle_due
        from app.extensions import db

        seed_store(20)
        catalog.create_product({"name": "Bench", "status": "active", "skus": [
            {"code": "BENCH", "name": "x", "price_cents": 1990, "stock_total": 0}]})
        print(f"seeding {args.lines} order lines with their accruals…", flush=True)
        started = time.perf_counter()
        for statement in filter(str.strip, SEED.split(";\n")):
            db.session.execute(sa.text(statement), {"n": args.lines})
        db.session.commit()
        with db.engine.connect() as conn:  # statistics, as autovacuum would have them on a live store
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        print("settling…", flush=True)
        started = time.perf_counter()
        result = settle_due(progress=lambda done, seen: print(f"  {done} orders settled", flush=True)
                            if done % 10_000 == 0 else None, batch_size=1000)
        seconds = time.perf_counter() - started
        pending = db.session.scalar(sa.text("SELECT COALESCE(SUM(amount_cents), 0) FROM commission_lines "
                                            "WHERE bucket = 'pending'"))
    assert result["settled"] == args.lines and int(pending) == 0, (result, pending)
    tps, command = pgbench_tps(args.pgbench_seconds)
    rate = args.lines / seconds
    summary = {"machine": machine(), "lines": args.lines, "settle_seconds": round(seconds, 1),
               "settled_per_second": round(rate, 1), "pgbench_tpcb_tps": tps, "ratio_to_pgbench": round(rate / tps, 3),
               "pgbench_command": command, "command": "bench/run_settle.py " + " ".join(
                   f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items())}
    print(json.dumps(summary, indent=2))
    print(f"| {args.lines} | {seconds:.1f} | {rate:.0f} | {tps:.0f} | {rate / tps:.3f} |")


if __name__ == "__main__":
    main()
