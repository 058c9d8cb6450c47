from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, load_settings, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]
VARS = ["APP_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "STORE_TIMEZONE", "STORE_CURRENCY", "STORE_COUNTRY",
        "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "AUTH_RATE_LIMIT",
        "PUBLIC_BASE_URL", "SHOPPER_TOKEN_TTL_HOURS"]


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "none.env"))
    return monkeypatch


def test_defaults_are_a_working_development_store(env, tmp_path):
    s = load_settings(tmp_path)
    assert s["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'storefront.db'}"
    assert (s["STORE_TIMEZONE"], s["STORE_CURRENCY"], s["CURRENCY_EXPONENT"], s["REDIS_URL"]) == (
        "Asia/Shanghai", "CNY", 2, "")


@pytest.mark.parametrize("name, value, says", [
    ("STORE_TIMEZONE", "Mars/Olympus", "IANA timezone"),
    ("STORE_CURRENCY", "XYZ", "ISO 4217"),
    ("STORE_COUNTRY", "QQ", "ISO 3166"),
    ("DATABASE_URL", "mysql://root@localhost/db", "not supported"),
    ("REDIS_URL", "http://localhost:6379", "redis://"),
    ("STRIPE_SECRET_KEY", "pk_test_123", "sk_"),
    ("STRIPE_WEBHOOK_SECRET", "secret", "whsec_"),
    ("AUTH_RATE_LIMIT", "lots", "rate limit"),
    ("SHOPPER_TOKEN_TTL_HOURS", "forever", "integer"),
    ("PUBLIC_BASE_URL", "shop.example.com", "http"),
    ("APP_ENV", "staging", "development"),
])
def test_an_invalid_setting_stops_start_up_naming_it_and_why(env, tmp_path, name, value, says):
    env.setenv(name, value)
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert name in str(exc.value) and says in str(exc.value)


def test_every_invalid_setting_is_reported_at_once(env, tmp_path):
    env.setenv("STORE_TIMEZONE", "Nowhere")
    env.setenv("STORE_CURRENCY", "XXY")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert "STORE_TIMEZONE" in str(exc.value) and "STORE_CURRENCY" in str(exc.value)


def test_production_requires_a_long_secret_key(env, tmp_path):
    env.setenv("APP_ENV", "production")
    env.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(tmp_path)
    env.setenv("SECRET_KEY", "x" * 40)
    assert load_settings(tmp_path)["SECRET_KEY"] == "x" * 40


def test_production_refuses_to_start_without_redis_for_shared_rate_limits(env, tmp_path):
    env.setenv("APP_ENV", "production")
    env.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="REDIS_URL: must be set in production"):
        load_settings(tmp_path)
    env.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert load_settings(tmp_path)["REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_lowercase_codes_are_accepted_and_normalised(env, tmp_path):
    env.setenv("STORE_CURRENCY", "jpy")
    s = load_settings(tmp_path)
    assert (s["STORE_CURRENCY"], s["CURRENCY_EXPONENT"]) == ("JPY", 0)


@pytest.mark.parametrize("url, expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_flask_cli_exits_with_the_reason_not_a_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "STORE_TIMEZONE": "Mars/Olympus", "ENV_FILE": str(tmp_path / "none.env"),
           "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "STORE_TIMEZONE" in result.stderr and "Traceback" not in result.stderr
