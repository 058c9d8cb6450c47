"""Rate limits hold across gunicorn workers: with Redis as the shared store, three workers together
let exactly the documented 10 wrong passwords a minute through (issue 20: 11–31 got through when each
worker counted alone)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from tests.conftest import TEST_REDIS_URL, _free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.slow]  # ~1 min: migrations and 3 workers


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    return {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "3", "APP_ENV": "production",
            "SECRET_KEY": "k" * 40, "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
            "REDIS_URL": TEST_REDIS_URL, "ENV_FILE": "/nonexistent", "STORE_LOCALE": "en",
            "AUTH_RATE_LIMIT": "10 per minute;100 per hour", "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log")}


def _start(env: dict[str, str], port: int) -> subprocess.Popen:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    # %(p)s: the worker that answered, to show the requests were spread over several processes.
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logformat",
                             "%(p)s %(s)s", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _wrong_login(port: int) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/store/auth/login", method="POST",
                                     data=b'{"login": "nobody@example.com", "password": "not-the-password"}',
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def test_the_eleventh_wrong_password_in_a_minute_is_refused_across_three_workers(tmp_path):
    conn = redis.Redis.from_url(TEST_REDIS_URL)
    for key in conn.scan_iter("*storefront*"):   # counts left by an earlier run of this test
        conn.delete(key)
    port = _free_port()
    proc = _start(_env(tmp_path, port), port)
    try:
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda _: _wrong_login(port), range(15)))
        eleventh_later = _wrong_login(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert sorted(statuses) == [401] * 10 + [429] * 5
    assert eleventh_later == 429
    log = (tmp_path / "access.log").read_text()
    workers = {pid for pid, status in re.findall(r"^<(\d+)> (\d+)$", log, re.M) if status in ("401", "429")}
    assert len(workers) >= 2, log
