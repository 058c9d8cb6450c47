"""What every benchmark shares: a fresh PostgreSQL database, a store seeded through the app's own
services, gunicorn servers, and wrk runs parsed into numbers. Run the scripts from the repo root."""
from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/storefront_bench")
GUNICORN = (os.environ.get("BENCH_GUNICORN") or "--workers 4 --worker-class sync").split() + [
    "--backlog", "2048", "--log-level", "warning"]
FAST_HASHING = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024}


def machine() -> str:
    return f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"


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


def quiesce() -> None:
    """Start a measurement from a quiet database: what earlier runs wrote is vacuumed, analysed and
    checkpointed now, not by autovacuum or a checkpoint in the middle of the next run (measured:
    a crowd run right after a 10,000-order run lost a third of its throughput)."""
    import psycopg

    with psycopg.connect(DB_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def app_for(env: dict):
    """The app on the bench database, migrated (imports the app with `env` applied)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    import flask_migrate

    from app import create_app

    app = create_app(FAST_HASHING)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    return app


def seed_store(shoppers: int) -> tuple[int, list[str]]:
    """Staff, a leader with a group, and `shoppers` who joined it (in an app context).
    Returns (staff account id, shopper bearer tokens)."""
    from app.accounts import services as accounts
    from app.groups import bindings
    from app.groups import services as groups
    from app.leaders import services as leaders

    staff = accounts.create_staff(name="Bench", email="bench@example.com", password="bench-pass-1")
    lead = accounts.register_shopper(name="Leader", email="leader@example.com", password="bench-pass-1")
    application = leaders.apply(lead.account.id, {
        "name": "Leader", "phone": "+8613800138000", "motivation": None, "point_name": "P",
        "point_address": "A", "point_latitude": 31.2, "point_longitude": 121.4})
    application = leaders.approve(application.id, staff.id)
    group = groups.create_group({"name": "Bench", "neighbourhood": "B", "leader_id": application.leader_id,
                                 "pickup_point_id": application.pickup_point_id, "pay_at_pickup_allowed": True})
    code = groups.public_link(group.id).code
    tokens = []
    for i in range(shoppers):
        issued = accounts.register_shopper(name=f"S{i}", email=f"s{i}@example.com", password="bench-pass-1")
        bindings.join(issued.account, code)
        tokens.append(issued.token)
    return staff.id, tokens


def serve(target: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", target],
                            cwd=ROOT, env=env)
    # Ready means every worker answers HTTP, not only that the master bound the port: on a loaded
    # machine the workers took longer to import the app than a whole measurement (0 requests/s).
    deadline = time.monotonic() + 300
    answered = 0
    while answered < 8:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).close()
            answered += 1
        except urllib.error.HTTPError:
            answered += 1   # a 404 is an answer
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{target} did not start") from None
            time.sleep(0.5)
    return proc


def wrk(url: str, connections: int, duration: int, script: str | None = None, env: dict | None = None) -> dict:
    """One wrk run; `status` counts responses by HTTP status when the script reports them."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian), then run this again")
    # --timeout: on a loaded shared machine a request can take over wrk's default 2 s, and wrk then
    # drops it from the count (a run showed 0 requests/s).
    cmd = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{duration}s", "--latency",
           "--timeout", "30s"]
    if script:
        cmd += ["--script", script]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    status = {int(k): int(v) for k, v in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    return {"rps": rps, "p99_ms": round(float(p99.group(1)) * scale, 2), "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "status": status, "command": " ".join(cmd + [url])}
