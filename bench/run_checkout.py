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
import platform
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/storefront_bench")
GUNICORN = ["--workers", "4", "--worker-class", "sync", "--backlog", "2048", "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_database() -> None:
    import psycopg

    base, name = DB_URL.rsplit("/", 1)
    with psycopg.connect(base.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(env: dict, shoppers: int, products: int) -> tuple[list[str], list[int]]:
    """Migrate and fill the bench database through the app's own services."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    import flask_migrate

    from app import create_app
    from app.accounts import services as accounts
    from app.catalog import services as catalog
    from app.groups import bindings
    from app.groups import services as groups
    from app.leaders import services as leaders

    app = create_app({"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        staff = accounts.create_staff(name="Bench", email="bench@example.com", password="bench-pass-1")
        lead = accounts.register_shopper(name="Leader", email="leader@example.com", password="bench-pass-1")
        application = leaders.apply(lead.account.id, {
            "name": "Leader", "phone": "+8613800138000", "motivation": None, "point_name": "P",
            "point_address": "A", "point_latitude": 31.2, "point_longitude": 121.4})
        application = leaders.approve(application.id, staff.id)
        group = groups.create_group({"name": "Bench", "neighbourhood": "B", "leader_id": application.leader_id,
                                     "pickup_point_id": application.pickup_point_id, "pay_at_pickup_allowed": True})
        code = groups.public_link(group.id).code
        sku_ids = [catalog.create_product({
            "name": f"P{i}", "status": "active",
            "skus": [{"code": f"B{i}", "name": "x", "price_cents": 100 + i, "stock_total": 10_000_000}]}).skus[0].id
            for i in range(products)]
        tokens = []
        for i in range(shoppers):
            issued = accounts.register_shopper(name=f"S{i}", email=f"s{i}@example.com", password="bench-pass-1")
            bindings.join(issued.account, code)
            tokens.append(issued.token)
    return tokens, sku_ids


def serve(target: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", target],
                            cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{target} did not start") from None
            time.sleep(0.2)


def wrk(url: str, connections: int, duration: int, script: str | None = None, env: dict | None = None) -> dict:
    cmd = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{duration}s", "--latency"]
    if script:
        cmd += ["--script", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p99_ms": round(float(p99.group(1)) * scale, 2), "requests": total,
            "errors": int(non2xx.group(1)) if non2xx else 0, "command": " ".join(cmd + [url])}


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
           "REDIS_URL": "", "ENV_FILE": "/nonexistent"}
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
    summary = {"machine": f"{platform.node()} {os.cpu_count()} cores, {platform.python_version()}",
               "gunicorn": " ".join(GUNICORN), "connections": args.connections, "duration_s": args.duration,
               "results": results}
    print(json.dumps(summary, indent=2))
    for name, r in results.items():
        print(f"| {name} | {args.connections} | {r['rps']:.0f} | {r['p99_ms']} | {r['ratio_to_hello']} "
              f"| {r['errors']} |")


if __name__ == "__main__":
    main()
