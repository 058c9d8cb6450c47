"""Application factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.sessions import NullSession, SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Defaults, load_settings
from app.db import ping_when_idle, render_migration_item
from app.error_tracking import init_error_tracking
from app.extensions import db, limiter, migrate
from app.logs import configure_logging


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `overrides` (tests) win over environment settings."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(__name__, instance_path=str(root / "instance"), static_folder=str(root / "static"))
    app.config.from_object(Defaults)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_settings(Path(app.instance_path)))
    app.config.update(overrides or {})
    _configure_derived(app)
    register_extensions(app)
    register_http(app)
    register_commands(app)
    return app


class NoCookieSessions(SessionInterface):
    """The API authenticates with bearer tokens and keeps no state in cookies. Flask's default
    cookie session would still build a signing serializer and read cookies on every request."""

    def open_session(self, app, request):
        return NullSession()

    def save_session(self, app, session, response):
        return None


def _configure_derived(app: Flask) -> None:
    app.session_interface = NoCookieSessions()
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Concurrent writers on SQLite wait for the lock instead of failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if not app.config.get("TESTING") and app.config["APP_ENV"] != "test":  # tests keep pytest's log capture
        configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    init_error_tracking(app.config)


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (complete metadata for migrations and table sweeps)

    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            for engine in db.engines.values():
                ping_when_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, render_as_batch=True, compare_type=True, render_item=render_migration_item)
    limiter.init_app(app)
    _init_babel(app)
    _drop_limiter_middleware(app)


def _init_babel(app: Flask) -> None:
    from app.i18n import TRANSLATIONS, babel, compile_catalogues, to_babel
    from blueprints.locale import select_locale

    compile_catalogues()
    app.config["BABEL_DEFAULT_LOCALE"] = to_babel(app.config["STORE_LOCALE"])
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["STORE_TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["STORE_TIMEZONE"])


def _drop_limiter_middleware(app: Flask) -> None:
    """Every limit here is a decorator on its route (login, pickup codes), and a decorated route
    checks its own limits when called. flask-limiter's before_request hook exists for default and
    blueprint limits, which we do not use, yet costs ~90 µs on every request — a fifth of a
    flash-sale refusal. Should default limits ever be configured, the hook stays."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [h for h in hooks if h != limiter._check_request_limit]


def register_http(app: Flask) -> None:
    # The factory is the composition root: the only place app/ reaches into blueprints/.
    from blueprints import register_blueprints

    register_blueprints(app)


def register_commands(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
