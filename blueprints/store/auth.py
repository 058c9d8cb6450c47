from __future__ import annotations

from flask import current_app

from app.accounts import services as accounts
from app.accounts.models import AccountKind
from app.extensions import limiter
from app.members import birthday
from blueprints.auth import Role, current_account, current_token
from blueprints.schemas.accounts import (
    LoginSchema,
    ProfileUpdateSchema,
    RegisterSchema,
    ShopperAccountSchema,
    TokenSchema,
)
from blueprints.store import blp


def auth_rate_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


@blp.route("/auth/register", methods=["POST"])
@limiter.limit(auth_rate_limit)
@blp.arguments(RegisterSchema)
@blp.response(201, TokenSchema)
@blp.errors(409, 429)
def register(data):
    """Create a shopper account (e-mail and/or phone) and log in"""
    return accounts.register_shopper(**data)


@blp.route("/auth/login", methods=["POST"])
@limiter.limit(auth_rate_limit)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.errors(401, 429)
def login(data):
    """Log in with e-mail or phone and password; returns a bearer token"""
    return accounts.login(AccountKind.SHOPPER, data["login"], data["password"])


@blp.route("/auth/logout", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(204)
def logout():
    """Revoke the token used for this request"""
    accounts.logout(current_token())


@blp.route("/me", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, ShopperAccountSchema)
def me():
    """The logged-in shopper, with their current group and birthday. On their birthday this also
    hands over the store's birthday coupon if the daily sweep has not yet."""
    account = current_account()
    birthday.grant_if_birthday(account)
    return account


@blp.route("/me", methods=["PATCH"])
@blp.requires(Role.SHOPPER)
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, ShopperAccountSchema)
@blp.errors(422)
def update_me(data):
    """Change the shopper's display name and/or their language (locale: zh-CN, en, or null to follow
    the browser). Leaders keep theirs here too. Answers and messages to them follow it."""
    return accounts.update_profile(current_account().id, **data)
