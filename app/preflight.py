"""`flask preflight`: check what the server needs before saying "Serving on" (./scripts/serve runs it).

Each problem is reported with what to do about it; any problem exits 1 so the script stops there
instead of starting gunicorn against a port it cannot take or a database it cannot reach.
"""
from __future__ import annotations

import socket

import click
import sqlalchemy as sa
from flask import current_app

from app.extensions import db

TIMEOUT_SECONDS = 3


def port_problem(host: str, port: str) -> str | None:
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"PORT={port!r} is not a port number (1-65535)."
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, int(port)))
        except OSError as exc:
            return (f"{host}:{port} is not free ({exc.strerror}). Stop what is using it "
                    f"(`ss -ltnp 'sport = :{port}'` shows it) or choose another: PORT=5001 ./scripts/serve")
    return None


def database_problem() -> str | None:
    try:
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any driver error: report it, do not start
        return (f"The database at DATABASE_URL is not answering ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:200]}). Start it or fix DATABASE_URL.")
    return None


def redis_problem() -> str | None:
    url = current_app.config["REDIS_URL"]
    if not url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS).ping()
    except (RedisError, OSError) as exc:
        return (f"Redis at REDIS_URL is not answering ({exc}). Start it, fix REDIS_URL, or unset REDIS_URL "
                "to run without it (jobs inline, flash sales on the database).")
    return None


@click.command("preflight")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the server will bind")
@click.option("--port", default="5000", show_default=True, help="Port the server will bind")
def preflight_command(host: str, port: str) -> None:
    """Check the port, the database and Redis before serving; exit 1 naming each problem."""
    problems = [p for p in (port_problem(host, port), database_problem(), redis_problem()) if p]
    for problem in problems:
        click.echo(f"preflight: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("preflight: port free, database and Redis answering")
