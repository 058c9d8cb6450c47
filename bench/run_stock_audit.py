"""`flask stock-audit` over 1,000,000 stock movements on PostgreSQL, timed (issue 21, item 7:
under 10 seconds).

    .venv/bin/python bench/run_stock_audit.py [--movements 1000000] [--skus 500]

Seeds, with set-based SQL, N SKUs and M movements spread over them (received, reserved, sold,
released, refunded, written off — the mix a store sees), sets each SKU's counters to what its
movements add up to, ANALYZEs as autovacuum would, then times the real audit
(`app.inventory.audit.run`, as the CLI runs it) twice: one run must find no difference, and after
one counter is tampered with, exactly one. Needs PostgreSQL (BENCH_DATABASE_URL, default
…/storefront_bench, recreated).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import time

from common import DB_URL, app_for, machine, reset_database

SEED = """
INSERT INTO categories (name, position, created_at) VALUES ('Bench', 0, now());

INSERT INTO products (name, category_id, status, image_urls, position, repeat_use, members_only, is_new,
                      created_at, updated_at)
SELECT 'P' || g, (SELECT id FROM categories LIMIT 1), 'active', '[]', 0, false, false, false, now(), now()
FROM generate_series(1, :skus) AS g;

INSERT INTO skus (product_id, code, name, price_cents, stock_total, stock_reserved, stock_sold, position, is_active,
                  created_at, updated_at)
SELECT id, 'S' || id, 'x', 1000, 0, 0, 0, 0, true, now(), now() FROM products;

-- reasons in a store's proportions; each row's counter changes as app/inventory writes them
INSERT INTO stock_movements (sku_id, reason, quantity, total_change, reserved_change, sold_change, reference_type,
                             reference_id, created_at)
SELECT s.id, r.reason, 1, r.dt, r.dr, r.ds, 'order', g, now() - (g || ' seconds')::interval
FROM generate_series(1, :movements) AS g
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM skus) s ON s.n = g % :skus
JOIN (VALUES (0, 'received', 1, 0, 0), (1, 'reserved', 0, 1, 0), (2, 'sold', 0, -1, 1), (3, 'reserved', 0, 1, 0),
             (4, 'released', 0, -1, 0), (5, 'received', 1, 0, 0), (6, 'sold', 0, 0, 1), (7, 'refunded', 0, 0, -1),
             (8, 'received', 1, 0, 0), (9, 'written_off', -1, 0, 0)) AS r(k, reason, dt, dr, ds)
  ON r.k = (g / :skus) % 10;

UPDATE skus SET stock_total = m.t, stock_reserved = m.r, stock_sold = m.s
FROM (SELECT sku_id, SUM(total_change) t, SUM(reserved_change) r, SUM(sold_change) s
      FROM stock_movements GROUP BY sku_id) m
WHERE m.sku_id = skus.id;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, default=500)
    args = parser.parse_args()
    reset_database()
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": DB_URL,
           "REDIS_URL": "", "ALLOW_LOCAL_RATE_LIMITS": "true", "ENV_FILE": "/nonexistent"}
    app = app_for(env)
    with app.app_context():
        import sqlalchemy as sa

        from app.extensions import db
        from app.inventory.audit import run

        print(f"seeding {args.movements} movements over {args.skus} SKUs…", flush=True)
        started = time.perf_counter()
        for statement in filter(str.strip, SEED.split(";\n")):
            db.session.execute(sa.text(statement), {"movements": args.movements, "skus": args.skus})
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            clean = run()
            timings.append(time.perf_counter() - started)
        db.session.execute(sa.text("UPDATE skus SET stock_total = stock_total + 1 "
                                   "WHERE id = (SELECT min(id) FROM skus)"))
        db.session.commit()
        tampered = run()
        count = db.session.scalar(sa.text("SELECT count(*) FROM stock_movements"))
    assert clean == [] and len(tampered) == 1, (clean[:3], tampered[:3])
    summary = {"machine": machine(), "movements": count, "skus": args.skus,
               "audit_seconds": [round(t, 2) for t in timings], "best_seconds": round(min(timings), 2),
               "found_after_tampering": len(tampered), "command": "bench/run_stock_audit.py " + " ".join(
                   f"--{k} {v}" for k, v in vars(args).items())}
    print(json.dumps(summary, indent=2))
    print(f"| {count} | {args.skus} | {' / '.join(f'{t:.2f}' for t in timings)} | {len(tampered)} |")


if __name__ == "__main__":
    main()
