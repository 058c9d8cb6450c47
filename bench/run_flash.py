"""Flash-sale reservation throughput and p99 latency on both paths (Redis gate, database only),
as a ratio to a bare Flask hello-world served by the same gunicorn configuration in the same run.

    .venv/bin/python bench/run_flash.py [--connections 8,32,128] [--duration 15]

Two scenarios per path and client count, each on a fresh flash-sale item:
  crowd   — 1,000 units, 2 per person: the stock goes in the first seconds and the rest of the
            crowd is turned away (409), which is what a real flash sale mostly serves;
  winners — stock that never runs out and no limit: every attempt writes a reservation.
Needs PostgreSQL (BENCH_DATABASE_URL, default …/storefront_bench, recreated), Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/15, flushed) and wrk. Prints a JSON summary and
markdown rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import tempfile

from common import (
    DB_URL,
    GUNICORN,
    ROOT,
    app_for,
    free_port,
    machine,
    quiesce,
    reset_database,
    seed_store,
    serve,
    wrk,
)

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SCENARIOS = {"crowd": {"stock": 1_000, "per_person_limit": 2},
             "winners": {"stock": 5_000_000, "per_person_limit": None}}


def seed(env: dict, shoppers: int, per_scenario: int) -> tuple[list[str], dict[str, list[int]]]:
    """Shoppers in one group, and one live flash-sale item per measurement (published to Redis)."""
    app = app_for(env)
    with app.app_context():
        from app.campaigns import services as campaigns
        from app.catalog import services as catalog
        from app.db import utcnow

        staff_id, tokens = seed_store(shoppers)
        # Four-eyes (issue 13): a campaign's author may not approve it, so a second staff member does.
        from app.accounts import services as accounts

        approver_id = accounts.create_staff(name="Bench approver", email="approver@example.com",
                                            password="bench-pass-2").id
        item_ids: dict[str, list[int]] = {name: [] for name in SCENARIOS}
        for n, name in enumerate([name for name in SCENARIOS for _ in range(per_scenario)]):
            scenario = SCENARIOS[name]
            sku = catalog.create_product({"name": f"Flash {n}", "status": "active", "skus": [
                {"code": f"F{n}", "name": "x", "price_cents": 1000, "stock_total": 0}]}).skus[0]
            now = utcnow()
            campaign = campaigns.create({
                "kind": "flash_sale", "name": f"Flash {n}", "starts_at": now - dt.timedelta(minutes=1),
                "ends_at": now + dt.timedelta(hours=6), "per_person_limit": scenario["per_person_limit"],
                "hold_minutes": 240,
                "items": [{"sku_id": sku.id, "campaign_price_cents": 500, "stock_total": scenario["stock"]}]},
                staff_id)
            campaigns.submit(campaign)
            campaigns.approve(campaign, approver_id)
            item_ids[name].append(campaign.items[0].id)
    return tokens, item_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", default="8,32,128")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--shoppers", type=int, default=1000)
    parser.add_argument("--paths", default="database,redis", help="which of database,redis to measure")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="which of crowd,winners to run")
    parser.add_argument("--repeat", type=int, default=1, help="measure each client count this many times")
    args = parser.parse_args()
    levels = [int(c) for c in args.connections.split(",") for _ in range(args.repeat)]
    scenarios = args.scenarios.split(",")

    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    reset_database()
    base_env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": DB_URL,
                "ENV_FILE": "/nonexistent"}
    paths = {"database": {**base_env, "REDIS_URL": "", "ALLOW_LOCAL_RATE_LIMITS": "true"},
             "redis": {**base_env, "REDIS_URL": REDIS_URL}}
    paths = {name: paths[name] for name in args.paths.split(",")}
    print("seeding…", flush=True)
    tokens, item_ids = seed({**base_env, "REDIS_URL": REDIS_URL}, args.shoppers, len(levels) * len(paths) + len(paths))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as data:
        data.write("".join(f"{t}\n" for t in tokens))
    items = {name: iter(ids) for name, ids in item_ids.items()}

    results: list[dict] = []
    hello_port = free_port()
    servers = {"hello": serve("bench.hello:app", hello_port, base_env)}
    ports = {}
    for name, env in paths.items():
        ports[name] = free_port()
        servers[name] = serve("wsgi:app", ports[name], env)
    try:
        wrk(f"http://127.0.0.1:{hello_port}/", 32, 3)  # warm-up: workers, connections, caches
        for name in paths:
            warm = {**os.environ, "BENCH_DATA": data.name, "BENCH_ITEM": str(next(items["winners"])),
                    "BENCH_NONCE": "warm"}
            wrk(f"http://127.0.0.1:{ports[name]}", 32, 3, str(ROOT / "bench/flash.lua"), warm)
        print("measuring…", flush=True)
        for connections in levels:
            quiesce()
            hello = wrk(f"http://127.0.0.1:{hello_port}/", connections, args.duration)
            results.append({"run": "hello-world", "connections": connections, **hello, "ratio_to_hello": 1.0})
            for name in paths:
                for scenario in scenarios:
                    item = next(items[scenario])
                    quiesce()
                    env = {**os.environ, "BENCH_DATA": data.name, "BENCH_ITEM": str(item),
                           "BENCH_NONCE": secrets.token_hex(4)}
                    r = wrk(f"http://127.0.0.1:{ports[name]}", connections, args.duration,
                            str(ROOT / "bench/flash.lua"), env)
                    results.append({"run": f"{name} path, {scenario}", "connections": connections, **r,
                                    "ratio_to_hello": round(r["rps"] / hello["rps"], 3)})
                    print(f"  {name} {scenario} c={connections}: {r['rps']:.0f} req/s "
                          f"({results[-1]['ratio_to_hello']}x) {r['status']}", flush=True)
    finally:
        for proc in servers.values():
            proc.terminate()
        os.unlink(data.name)
    summary = {"machine": machine(), "gunicorn": " ".join(GUNICORN), "duration_s": args.duration,
               "shoppers": args.shoppers, "scenarios": SCENARIOS, "results": results}
    print(json.dumps(summary, indent=2))
    for r in results:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["status"].items())) or "-"
        print(f"| {r['run']} | {r['connections']} | {r['rps']:.0f} | {r['p99_ms']} | {r['ratio_to_hello']} "
              f"| {statuses} |")


if __name__ == "__main__":
    main()
