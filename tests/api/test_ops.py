"""Health and readiness checks, the preflight before serving, and gunicorn's own errors as JSON."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.preflight import preflight_command
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_asking_anything(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers(client, app):
    r = client.get("/readyz")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "ready" and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == ("ok" if app.config["REDIS_URL"] else "not_configured")
    assert r.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_with_retry_after_when_redis_does_not_answer(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_free_port()}/0")
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}
    assert r.headers["Retry-After"] == "5"


def run_preflight(app, *args):
    return app.test_cli_runner().invoke(preflight_command, list(args))


def test_preflight_passes_on_a_free_port(app):
    result = run_preflight(app, "--port", str(_free_port()))
    assert result.exit_code == 0, result.output
    assert "port free" in result.output


@pytest.mark.parametrize("port", ["http", "0", "70000", ""])
def test_preflight_refuses_a_bad_port(app, port):
    result = run_preflight(app, "--port", port)
    assert result.exit_code == 1
    assert "is not a port number" in result.output


def test_preflight_refuses_a_port_in_use_and_says_what_to_do(app):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_preflight(app, "--port", str(port))
    assert result.exit_code == 1
    assert f"127.0.0.1:{port} is not free" in result.output and "PORT=" in result.output


def test_preflight_refuses_an_unreachable_redis(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_free_port()}/0")
    result = run_preflight(app, "--port", str(_free_port()))
    assert result.exit_code == 1
    assert "Redis at REDIS_URL is not answering" in result.output


def _gunicorn(port: int, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1", "APP_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", "REDIS_URL": "", "ENV_FILE": "/nonexistent",
           "STORE_LOCALE": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def test_gunicorn_answers_its_own_refusals_in_the_json_envelope(tmp_path):
    port = _free_port()
    proc = _gunicorn(port, tmp_path)
    try:
        with pytest.raises(urllib.error.HTTPError) as long_url:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/store/{'x' * 10_000}", timeout=5)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Big": "y" * 20_000})
        with pytest.raises(urllib.error.HTTPError) as big_header:
            urllib.request.urlopen(request, timeout=5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert long_url.value.code == 414
    assert long_url.value.headers["Content-Type"] == "application/json"
    assert json.loads(long_url.value.read())["error"]["code"] == "uri_too_long"
    assert big_header.value.code in (400, 431)
    assert json.loads(big_header.value.read())["error"]["code"] in ("bad_request", "headers_too_large")


def test_each_instance_has_its_own_gunicorn_control_socket():
    sockets = set()
    for port in ("5000", "5001"):
        out = subprocess.run([sys.executable, "-c", "import runpy; print(runpy.run_path('gunicorn.conf.py')"
                              "['control_socket'])"], cwd=ROOT, env={**os.environ, "PORT": port},
                             capture_output=True, text=True, check=True).stdout.strip()
        sockets.add(out)
    assert len(sockets) == 2 and all(s.startswith(str(ROOT / "instance")) for s in sockets)
