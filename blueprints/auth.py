"""Bearer-token authentication and role checks for the three API surfaces."""
from __future__ import annotations

import enum

from flask import g, request
from flask_babel import refresh

from app.accounts.models import Account, AccountKind
from app.accounts.services import authenticate
from app.errors import AuthenticationFailed, PermissionDenied
from app.i18n import _
from app.leaders.models import Leader
from app.leaders.services import require_active_leader
from app.staff.services import require_permission
from blueprints.audit import open_context

MAX_TOKEN_LENGTH = 256


class Role(enum.StrEnum):
    SHOPPER = "shopper"
    LEADER = "leader"
    STAFF = "staff"


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def authenticate_request(role: Role, permission: str | None = None) -> None:
    """Load the caller into flask.g or raise 401 (no/expired token) or 403 (wrong role, or a staff
    role without the operation's permission)."""
    token = bearer_token()
    if token is None:
        raise AuthenticationFailed(_("Log in first and send 'Authorization: Bearer <token>'"))
    account = authenticate(token)
    if account is None:
        raise AuthenticationFailed(_("Your session has expired or was logged out; log in again"), code="invalid_token")
    if role is Role.STAFF and account.kind is not AccountKind.STAFF:
        raise PermissionDenied(_("This is a merchant staff API"), code="staff_only")
    if role is not Role.STAFF and account.kind is not AccountKind.SHOPPER:
        raise PermissionDenied(_("Staff accounts cannot use the shopper or leader API"), code="shoppers_only")
    g.account, g.token = account, token
    remember_locale(account)
    if role is Role.STAFF:
        require_permission(account, permission or "")
    if role is Role.LEADER:
        g.leader = require_active_leader(account.id)
    if role is not Role.SHOPPER:
        open_context(account, account.staff_role if role is Role.STAFF else "leader")


def remember_locale(account: Account) -> None:
    """From here on the request answers in the caller's saved language (blueprints/locale.py);
    refresh() drops a language Flask-Babel may have cached before the caller was known."""
    if account.locale:
        g.account_locale = account.locale
        refresh()


def current_account() -> Account:
    return g.account


def current_leader() -> Leader:
    return g.leader


def current_token() -> str:
    return g.token
