"""Which language a request is answered in: the account's saved choice > Accept-Language > the
store's STORE_LOCALE (docs/i18n.md). The answer carries it as Content-Language."""
from __future__ import annotations

from flask import Flask, current_app, g, request

from app.i18n import LOCALES, to_babel, to_tag


def select_locale() -> str:
    saved = getattr(g, "account_locale", None)  # set by the auth layer once it knows the caller
    if saved in LOCALES:
        return to_babel(saved)
    if request:
        best = request.accept_languages.best_match(offered_languages(), default=None)
        if best:
            return to_babel(canonical_language(best))
    return to_babel(current_app.config["STORE_LOCALE"])


def offered_languages() -> list[str]:
    # "zh" and "zh-Hans" readers get zh-CN; "en-GB" readers get en (werkzeug matches the primary tag).
    return ["zh-CN", "zh", "zh-Hans", "zh-Hans-CN", "en"]


def canonical_language(tag: str) -> str:
    return "en" if tag.lower().startswith("en") else "zh-CN"


def register_locale(app: Flask) -> None:
    @app.after_request
    def content_language(response):
        from flask_babel import get_locale

        if request.path.startswith(("/api/", "/webhooks/")) or response.mimetype == "application/json":
            response.headers.setdefault("Content-Language", to_tag(get_locale()))
        return response
