from __future__ import annotations

from app.accounts import services as accounts
from app.accounts.models import AccountKind
from app.extensions import limiter
from blueprints.admin import blp
from blueprints.auth import Role, current_account, current_token
from blueprints.schemas.accounts import ProfileUpdateSchema, StaffLoginSchema, TokenSchema
from blueprints.schemas.staff import StaffSchema
from blueprints.store.auth import auth_rate_limit


@blp.route("/auth/login", methods=["POST"])
@limiter.limit(auth_rate_limit)
@blp.arguments(StaffLoginSchema)
@blp.response(200, TokenSchema)
@blp.errors(401, 429)
def login(data):
    """Staff log in with their e-mail and password"""
    return accounts.login(AccountKind.STAFF, data["login"], data["password"])


@blp.route("/auth/logout", methods=["POST"])
@blp.requires(Role.STAFF, "self")
@blp.response(204)
def logout():
    """Revoke the token used for this request"""
    accounts.logout(current_token())


@blp.route("/me", methods=["GET"])
@blp.requires(Role.STAFF, "self")
@blp.response(200, StaffSchema)
def me():
    """The logged-in staff member, with their role and permissions"""
    return current_account()


@blp.route("/me", methods=["PATCH"])
@blp.requires(Role.STAFF, "self")
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, StaffSchema)
@blp.errors(422)
def update_me(data):
    """Change the staff member's display name and/or their language (locale: zh-CN, en or null)"""
    return accounts.update_profile(current_account().id, **data)
