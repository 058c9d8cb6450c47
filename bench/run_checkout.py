"""Checkout throughput and p99 latency on PostgreSQL, as a ratio to a bare Flask hello-world
served by the same gunicorn configuration in the same run.

    .venv/bin/python bench/run_checkout.py [--connections 32] [--duration 20] [--stripe]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/storefront_bench,
created if missing) and wrk. --stripe also measures card checkout against localstripe (bounded by
localstripe's own speed). Prints a JSON summary and a markdown row for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile

from common import DB_URL, GUNICORN, ROOT, app_for, free_port, machine, reset_database, seed_store, serve, wrk


def seed(env: dict, shoppers: int, products: int) -> tuple[list[str], list[int]]:
    """Migrate and fill the bench database through the app's own services."""
    app = app_for(env)
    with app.app_context():
        from app.catalog import services as catalog

        _staff, tokens = seed_store(shoppers)
        sku_ids = [catalog.create_product({
            "name": f"P{i}", "status": "active",
            "skus": [{"code": f"B{i}", "name": "x", "price_cents": 100 + i, "stock_total": 10_000_000}]}).skus[0].id
            for i in range(products)]
    return tokens, sku_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--products", type=int, default=30)
    parser.add_argument("--stripe", action="store_true", help="also measure card checkout against localstripe")
    args = parser.parse_args()

    reset_database()
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": DB_URL,
           "REDIS_URL": "", "ALLOW_LOCAL_RATE_LIMITS": "true", "ENV_FILE": "/nonexistent"}
    ls_proc = None
    if args.stripe:
        ls_port = free_port()
        ls_proc = subprocess.Popen([sys.executable, "-m", "localstripe", "--from-scratch", "--port", str(ls_port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env.update(STRIPE_SECRET_KEY="sk_test_bench", STRIPE_API_BASE=f"http://127.0.0.1:{ls_port}")
    print("seeding…", flush=True)
    tokens, sku_ids = seed(env, args.shoppers, args.products)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as data:
        data.write("".join(f"token {t}\n" for t in tokens) + "".join(f"sku {s}\n" for s in sku_ids))
    wrk_env = {**os.environ, "BENCH_DATA": data.name, "BENCH_NONCE": secrets.token_hex(4)}

    results = {}
    hello_port, app_port = free_port(), free_port()
    hello = serve("bench.hello:app", hello_port, env)
    store = serve("wsgi:app", app_port, env)
    try:
        script = str(ROOT / "bench/checkout.lua")
        wrk(f"http://127.0.0.1:{hello_port}/", args.connections, 3)  # warm-up
        wrk(f"http://127.0.0.1:{app_port}", args.connections, 3, script, {**wrk_env, "BENCH_NONCE": "warm"})
        print("measuring…", flush=True)
        results["hello"] = wrk(f"http://127.0.0.1:{hello_port}/", args.connections, args.duration)
        results["checkout_pay_at_pickup"] = wrk(f"http://127.0.0.1:{app_port}", args.connections, args.duration,
                                                script, wrk_env)
        if args.stripe:
            results["checkout_stripe_localstripe"] = wrk(
                f"http://127.0.0.1:{app_port}", args.connections, args.duration, script,
                {**wrk_env, "BENCH_METHOD": "stripe", "BENCH_NONCE": secrets.token_hex(4)})
    finally:
        for proc in (hello, store, ls_proc):
            if proc:
                proc.terminate()
        os.unlink(data.name)
    base = results["hello"]["rps"]
    for r in results.values():
        r["ratio_to_hello"] = round(r["rps"] / base, 3)
    summary = {"machine": machine(),
               "gunicorn": " ".join(GUNICORN), "connections": args.connections, "duration_s": args.duration,
               "results": results}
    print(json.dumps(summary, indent=2))
    for name, r in results.items():
        print(f"| {name} | {args.connections} | {r['rps']:.0f} | {r['p99_ms']} | {r['ratio_to_hello']} "
              f"| {r['non_2xx']} |")


if __name__ == "__main__":
    main()
