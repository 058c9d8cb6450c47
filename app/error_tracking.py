"""Optional error tracking: Sentry (or a Sentry-compatible server such as GlitchTip) when SENTRY_DSN
is set, with its Flask, SQLAlchemy and RQ integrations. Every event is tagged with the request id,
so an error report leads to the JSON log lines of the same request (docs/operations.md)."""
from __future__ import annotations

from typing import Any

from app.request_context import current_request_id


def tag_request_id(event: dict, _hint: dict) -> dict:
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_error_tracking(config: dict[str, Any], **options: Any) -> bool:
    """Start the Sentry client if a DSN is configured; `options` (tests) go to sentry_sdk.init."""
    if not config.get("SENTRY_DSN"):
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration
    from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration

    sentry_sdk.init(dsn=config["SENTRY_DSN"], environment=config.get("APP_ENV"),
                    traces_sample_rate=config.get("SENTRY_TRACES_SAMPLE_RATE", 0.0),
                    integrations=[FlaskIntegration(), SqlalchemyIntegration(), RqIntegration()],
                    # No send_default_pii / data_collection: the SDK's default sends no personal data
                    # (no user ids, cookies or bodies), so shoppers' phones and tokens stay out.
                    before_send=tag_request_id, **options)
    return True
