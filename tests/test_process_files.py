"""The process files: compose.yaml and the Procfile agree, the Dockerfile keeps its promises, and the
Procfile's three processes (run by honcho) serve, run jobs and export metrics against PostgreSQL and
Redis. No container engine runs here, so the image itself is not built (docs/operations.md)."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, TEST_REDIS_URL, _free_port

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = {"web", "worker", "cron"}


def procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_procfile_has_the_three_processes():
    assert set(procfile()) == PROCESSES


def test_compose_runs_the_procfiles_commands_beside_postgresql_and_redis():
    services = compose()["services"]
    assert PROCESSES | {"postgres", "redis"} <= set(services)
    for name, command in procfile().items():
        assert services[name]["command"] == command, name
    for name in PROCESSES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0" and env["APP_ENV"] == "production"
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["cron"]["deploy"]["replicas"] == 1  # sweeps must be enqueued once
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_dockerfile_is_multi_stage_slim_and_runs_as_a_non_root_user():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, re.MULTILINE)
    assert len(stages) >= 2 and all("slim" in image for image, _ in stages)
    assert "COPY --from=build /opt/venv" in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert shlex.split(re.search(r'^CMD (.+)$', text, re.MULTILINE).group(1).replace('"', "").strip("[]")
                       .replace(",", " ")) == procfile()["web"]
    for path in re.findall(r"^COPY (?!--from)(?:--\S+ )?(.+) \S+$", text, re.MULTILINE):
        for name in path.split():
            assert (ROOT / name).exists(), f"the Dockerfile copies {name}, which does not exist"


@pytest.fixture
def process_database():
    """A database of its own: the processes migrate it and write to it beside the test session's."""
    name = f"procfile_{uuid.uuid4().hex[:8]}"
    admin = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _wait_for(predicate, seconds: float, what: str, output) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {seconds} s; honcho said:\n{output()}")


@pytest.mark.skipif(not (ON_POSTGRES and TEST_REDIS_URL),
                    reason="the Procfile's processes need PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL)")
def test_honcho_runs_the_procfile_serving_readyz_running_jobs_and_exporting_metrics(process_database, tmp_path):
    from redis import Redis
    from rq import Queue

    port, token = _free_port(), "procfile-metrics-token"
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "x" * 64, "DATABASE_URL": process_database,
           "REDIS_URL": TEST_REDIS_URL, "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2", "METRICS_TOKEN": token,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "GUNICORN_CONTROL_SOCKET": str(tmp_path / "gunicorn.ctl"), "PATH": f"{Path(sys.executable).parent}:"
           f"{os.environ['PATH']}"}
    migrate = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    log = tmp_path / "honcho.log"
    with log.open("w") as out:
        honcho = subprocess.Popen([sys.executable, "-m", "honcho", "start", "-f", "Procfile", "-p", str(port)],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    output = log.read_text
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(lambda: _get(f"{base}/readyz")[0] == 200, 120, "/readyz did not answer 200", output)
        status, body = _get(f"{base}/readyz")
        assert '"redis":"ok"' in body.replace(" ", "") and '"database":"ok"' in body.replace(" ", "")

        queue = Queue("default", connection=Redis.from_url(TEST_REDIS_URL))
        job = queue.enqueue("app.jobs.schedule.purge_tokens_job")
        _wait_for(lambda: job.get_status(refresh=True) == "finished", 60, "the worker did not run the job", output)
        assert job.return_value() == 0  # a fresh database has no expired tokens

        status, metrics = _get(f"{base}/metrics", {"Authorization": f"Bearer {token}"})
        assert status == 200 and 'route="/readyz",status="200"' in metrics  # summed over gunicorn's workers
        assert "rq_queue_jobs" in metrics
        _wait_for(lambda: "cron.1" in output() and "purge_tokens_job" in output(), 30,
                  "cron did not list its schedule", output)
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
    assert "Traceback" not in output(), output()[-3000:]
