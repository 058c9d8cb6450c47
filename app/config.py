"""Settings from the environment, validated once at start-up.

Every setting is read here and nowhere else. A bad value stops start-up with a ConfigError that
names each offending variable and says why, instead of failing later inside a request.
"""
from __future__ import annotations

import os
import re
import secrets
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from babel.numbers import get_currency_precision, list_currencies
from environs import Env, EnvValidationError
from limits import parse_many
from marshmallow import ValidationError
from marshmallow.validate import OneOf, Range

ENVIRONMENTS = ("development", "production", "test")
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"


class ConfigError(Exception):
    """Raised when the environment holds an invalid setting; the message says which and why."""


def _timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not an IANA timezone name (e.g. Asia/Shanghai)") from exc


def _currency(value: str) -> None:
    if value.upper() not in list_currencies():
        raise ValidationError(f"{value!r} is not an ISO 4217 currency code (e.g. CNY, USD)")


def _country(value: str) -> None:
    if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f"{value!r} is not an ISO 3166 country code (e.g. CN, GB)")


def _prefix(*prefixes: str):
    def check(value: str) -> None:
        if value and not value.startswith(prefixes):
            raise ValidationError(f"must start with {' or '.join(prefixes)}")

    return check


POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")


def _database_url(value: str) -> None:
    scheme = urlsplit(value).scheme
    if scheme not in POSTGRES_SCHEMES + ("sqlite",):
        raise ValidationError(f"scheme {scheme or '(none)'!r} is not supported; use sqlite:/// or postgresql://")


def normalise_database_url(value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme in POSTGRES_SCHEMES:
        # One driver everywhere: psycopg 3. Heroku-style postgres:// is accepted for convenience.
        return "postgresql+psycopg" + value[len(scheme):]
    return value


def _redis_url(value: str) -> None:
    if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ValidationError("must be a redis://, rediss:// or unix:// URL")


def _http_url(value: str) -> None:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ValidationError("must be an http(s) URL such as https://shop.example.com")


def _rate_limit(value: str) -> None:
    try:
        parse_many(value)
    except ValueError as exc:
        raise ValidationError(f"{value!r} is not a rate limit such as '10 per minute;100 per hour'") from exc


def _origins(value: list[str]) -> None:
    for origin in value:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise ValidationError(f"{origin!r} is not an origin such as https://shop.example.com "
                                  "(scheme and host, no path; '*' is not accepted: list the front ends)")


def _import_path(value: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", value):
        raise ValidationError(f"{value!r} is not an import path such as 'mypackage.sms:MySender'")


def _read(env: Env, instance_path: Path) -> dict[str, Any]:
    app_env = env.str("APP_ENV", "development", validate=OneOf(ENVIRONMENTS))
    default_db = f"sqlite:///{instance_path / 'storefront.db'}"
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": env.str("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": env.str("DATABASE_URL", default_db, validate=_database_url),
        "REDIS_URL": env.str("REDIS_URL", "", validate=_redis_url),
        "STORE_NAME": env.str("STORE_NAME", "Neighbourhood Fresh"),
        "STORE_TIMEZONE": env.str("STORE_TIMEZONE", "Asia/Shanghai", validate=_timezone),
        "STORE_CURRENCY": env.str("STORE_CURRENCY", "CNY", validate=_currency),
        "STORE_COUNTRY": env.str("STORE_COUNTRY", "CN", validate=_country),
        # The language of a request that names none it supports (docs/i18n.md).
        "STORE_LOCALE": env.str("STORE_LOCALE", "zh-CN", validate=OneOf(("zh-CN", "en"))),
        "PUBLIC_BASE_URL": env.str("PUBLIC_BASE_URL", "http://127.0.0.1:5000", validate=_http_url),
        "STRIPE_SECRET_KEY": env.str("STRIPE_SECRET_KEY", "", validate=_prefix("sk_", "rk_")),
        "STRIPE_PUBLISHABLE_KEY": env.str("STRIPE_PUBLISHABLE_KEY", "", validate=_prefix("pk_")),
        "STRIPE_WEBHOOK_SECRET": env.str("STRIPE_WEBHOOK_SECRET", "", validate=_prefix("whsec_")),
        "STRIPE_API_BASE": env.str("STRIPE_API_BASE", "", validate=_http_url),
        # Subscriptions renew (order created, card charged) this long before their delivery's cut-off;
        # declined charges are retried this many days after the first failure, then paused (dunning).
        "SUBSCRIPTION_RENEWAL_LEAD_HOURS": env.int("SUBSCRIPTION_RENEWAL_LEAD_HOURS", 24, validate=Range(0, 24 * 14)),
        "SUBSCRIPTION_RETRY_DAYS": env.list("SUBSCRIPTION_RETRY_DAYS", [1, 3, 5], subcast=int),
        "SHOPPER_TOKEN_TTL_HOURS": env.int("SHOPPER_TOKEN_TTL_HOURS", 24 * 30, validate=Range(1, 24 * 365)),
        "STAFF_TOKEN_TTL_HOURS": env.int("STAFF_TOKEN_TTL_HOURS", 12, validate=Range(1, 24 * 30)),
        "AUTH_RATE_LIMIT": env.str("AUTH_RATE_LIMIT", "10 per minute;100 per hour", validate=_rate_limit),
        # Number of reverse proxies in front of the app whose X-Forwarded-For we trust (rate limits
        # key on the client address, so this must be right in production).
        "TRUSTED_PROXIES": env.int("TRUSTED_PROXIES", 0, validate=Range(0, 5)),
        # An unpaid order holds its stock this long; after it, the stock is back on sale even if no
        # sweep has run yet.
        "RESERVATION_TTL_MINUTES": env.int("RESERVATION_TTL_MINUTES", 15, validate=Range(1, 24 * 60)),
        # Orders still unpaid this long after the payment started are checked with the provider.
        "PAYMENT_RECONCILE_AFTER_MINUTES": env.int("PAYMENT_RECONCILE_AFTER_MINUTES", 10,
                                                   validate=Range(1, 24 * 60)),
        # Wrong pickup codes a leader may try (a right code is never counted).
        "PICKUP_CODE_RATE_LIMIT": env.str("PICKUP_CODE_RATE_LIMIT", "10 per minute;50 per hour", validate=_rate_limit),
        # Share posts (晒单) a shopper may publish per store-local day.
        "SHARE_POSTS_PER_DAY": env.int("SHARE_POSTS_PER_DAY", 5, validate=Range(1, 1000)),
        # Verification-code requests per client address (each shopper and number is limited too).
        "PHONE_CODE_RATE_LIMIT": env.str("PHONE_CODE_RATE_LIMIT", "5 per minute;30 per hour", validate=_rate_limit),
        # The SMS provider for verification codes, as "package.module:Class" (see app/sms.py).
        "SMS_SENDER": env.str("SMS_SENDER", "app.sms:LoggingSmsSender", validate=_import_path),
        "IDEMPOTENCY_KEY_TTL_HOURS": env.int("IDEMPOTENCY_KEY_TTL_HOURS", 24, validate=Range(1, 24 * 30)),
        # Front ends on other origins that may call /api from a browser (CORS); none by default.
        "CORS_ALLOWED_ORIGINS": env.list("CORS_ALLOWED_ORIGINS", [], validate=_origins),
        # Production without Redis refuses to start (rate limits must be shared by every worker);
        # this lets a single-process run (the benchmarks) count them in memory all the same.
        "ALLOW_LOCAL_RATE_LIMITS": env.bool("ALLOW_LOCAL_RATE_LIMITS", False),
        # After-sale photos (app/aftersales/storage.py): local files under the instance folder, or an
        # S3-compatible bucket (AWS S3, MinIO, Aliyun OSS, Tencent COS) through boto3.
        "AFTERSALE_STORAGE": env.str("AFTERSALE_STORAGE", "local", validate=OneOf(("local", "s3"))),
        "AFTERSALE_S3_BUCKET": env.str("AFTERSALE_S3_BUCKET", ""),
        "AFTERSALE_S3_ENDPOINT_URL": env.str("AFTERSALE_S3_ENDPOINT_URL", "", validate=_http_url),
        "AFTERSALE_S3_REGION": env.str("AFTERSALE_S3_REGION", ""),
        "AFTERSALE_PHOTO_MAX_BYTES": env.int("AFTERSALE_PHOTO_MAX_BYTES", 8 * 1024 * 1024,
                                             validate=Range(64 * 1024, 32 * 1024 * 1024)),
        "MAX_CONTENT_LENGTH": env.int("MAX_CONTENT_LENGTH", 1024 * 1024, validate=Range(1024, 64 * 1024 * 1024)),
        # Operations (docs/operations.md): one JSON object per log line with the request id, or text.
        "LOG_FORMAT": env.str("LOG_FORMAT", "json", validate=OneOf(("json", "text"))),
        "LOG_LEVEL": env.str("LOG_LEVEL", "INFO", validate=OneOf(("DEBUG", "INFO", "WARNING", "ERROR"))),
        # Error tracking: off unless a DSN is given (sentry.io or a self-hosted Sentry/GlitchTip).
        "SENTRY_DSN": env.str("SENTRY_DSN", ""),
        "SENTRY_TRACES_SAMPLE_RATE": env.float("SENTRY_TRACES_SAMPLE_RATE", 0.0, validate=Range(0.0, 1.0)),
        # Prometheus metrics at /metrics: refused (404) unless METRICS_TOKEN is set and sent as a bearer token.
        "METRICS_TOKEN": env.str("METRICS_TOKEN", ""),
    }


def _check_secret_key(settings: dict[str, Any]) -> None:
    key = settings["SECRET_KEY"]
    if settings["APP_ENV"] == "production":
        if len(key) < 32:
            raise ConfigError(
                "SECRET_KEY: must be set to a random string of at least 32 characters in production "
                f"(got {len(key)}); generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
    elif not key:
        settings["SECRET_KEY"] = DEV_SECRET_KEY if settings["APP_ENV"] == "development" else secrets.token_hex(32)


def _check_shared_limits(settings: dict[str, Any]) -> None:
    """Rate limits (logins, pickup codes, phone codes) are counted in Redis so that every gunicorn
    worker, host and the CLI share one count. Without it each worker counts alone, and N workers let
    N times the limit through (issue 20). Production refuses to start rather than run so."""
    if settings["APP_ENV"] == "production" and not settings["REDIS_URL"] and not settings["ALLOW_LOCAL_RATE_LIMITS"]:
        raise ConfigError(
            "REDIS_URL: must be set in production: rate limits (logins, pickup codes, verification codes) "
            "are shared between workers and processes through Redis; without it each worker counts alone "
            "(docs/security.md; ALLOW_LOCAL_RATE_LIMITS=true accepts that for a single-process run)")


def load_settings(instance_path: Path) -> dict[str, Any]:
    """Read and validate every setting from the environment (and a .env file if present)."""
    env = Env(eager=False)
    env.read_env(os.environ.get("ENV_FILE") or None, recurse=False)
    settings = _read(env, instance_path)
    try:
        env.seal()
    except EnvValidationError as exc:
        lines = [f"{name}: {'; '.join(msgs)}" for name, msgs in exc.error_messages.items()]
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(lines)) from None
    _check_secret_key(settings)
    _check_shared_limits(settings)
    settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(settings["SQLALCHEMY_DATABASE_URI"])
    settings["STORE_CURRENCY"] = settings["STORE_CURRENCY"].upper()
    settings["STORE_COUNTRY"] = settings["STORE_COUNTRY"].upper()
    settings["PUBLIC_BASE_URL"] = settings["PUBLIC_BASE_URL"].rstrip("/")
    settings["CORS_ALLOWED_ORIGINS"] = [o.strip() for o in settings["CORS_ALLOWED_ORIGINS"] if o.strip()]
    settings["CURRENCY_EXPONENT"] = get_currency_precision(settings["STORE_CURRENCY"])
    return settings


class Defaults:
    """Settings that are not read from the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Pooled connections idle this long are pinged before use (app/db.py ping_when_idle).
    DATABASE_PING_AFTER_IDLE_SECONDS = 10
    API_TITLE = "Community group-buying storefront"
    API_VERSION = "v1"
    # 3.1: nullable nested objects as anyOf [$ref, null], which client generators read correctly.
    OPENAPI_VERSION = "3.1.0"
    # Paths carry /api/v1 already: the server is the host that serves the document.
    API_SPEC_OPTIONS = {"servers": [{"url": "/", "description": "This server (the host serving this document)"}]}
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Vendored (static/vendor/swagger-ui) so the docs work without internet access.
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    # flask-limiter writes only the legacy X-RateLimit-* fields: blueprints/rate_limit_headers.py writes the IETF ones.
    RATELIMIT_HEADERS_ENABLED = False
    # If Redis is unreachable, count in memory rather than fail every login with a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_KEY_PREFIX = "storefront"
    REDIS_PREFIX = "sf"  # our keys in Redis (flash-sale gate, token cache)
    JSON_SORT_KEYS = False
    # argon2id cost (OWASP's recommended minimum is m=19 MiB, t=2).
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_KIB = 19 * 1024
    PASSWORD_HASH_PARALLELISM = 1
