"""Domain errors. Each carries a stable snake_case code; blueprints/errors.py maps them to HTTP."""
from __future__ import annotations

from typing import Any

from app.i18n import _


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotFound(DomainError):
    code = "not_found"


class AuthenticationFailed(DomainError):
    code = "unauthenticated"


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class RateLimited(DomainError):
    """Too many of something in a period (429); retry_after: seconds until it may be tried again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(message, code=code, details=details)
        self.retry_after = max(int(retry_after), 1)


class ServiceUnavailable(DomainError):
    """A service we depend on (an SMS provider) failed; nothing was changed, retry later (503)."""

    code = "service_unavailable"


class InvalidRequest(DomainError):
    """Well-formed input that breaks a business rule (422)."""

    code = "invalid_request"


# One whole sentence per resource (not "%s not found"), so each reads naturally when translated.
NOT_FOUND_MESSAGES = {
    "account": _("Account not found"),
    "product": _("Product not found"),
    "order": _("Order not found"),
    "tier": _("Tier not found"),
    "shopper": _("Shopper not found"),
    "post": _("Post not found"),
    "lottery": _("Lottery not found"),
    "leader": _("Leader not found"),
    "top_up": _("Top-up not found"),
    "subscription_plan": _("Subscription plan not found"),
    "subscription": _("Subscription not found"),
    "sku": _("SKU not found"),
    "skip": _("Skip not found"),
    "replenishment_reminder": _("Replenishment reminder not found"),
    "pickup_point": _("Pickup point not found"),
    "payout_account": _("Payout account not found"),
    "payout": _("Payout not found"),
    "payment": _("Payment not found"),
    "notification": _("Notification not found"),
    "leader_application": _("Leader application not found"),
    "group_link": _("Group link not found"),
    "group": _("Group not found"),
    "flash_sale_item": _("Flash sale item not found"),
    "delivery_batch": _("Delivery batch not found"),
    "coupon_template": _("Coupon template not found"),
    "coupon": _("Coupon not found"),
    "commission_rule": _("Commission rule not found"),
    "closure": _("Closure not found"),
    "category": _("Category not found"),
    "campaign": _("Campaign not found"),
    "bonus_tier": _("Bonus tier not found"),
    "staff": _("Staff member not found"),
    "staff_role": _("Staff role not found"),
    "supplier": _("Supplier not found"),
    "supplier_sku": _("This supplier does not supply that SKU"),
    "purchase_order": _("Purchase order not found"),
}


def not_found(resource: str, **ident: Any) -> NotFound:
    message = NOT_FOUND_MESSAGES[resource] if resource in NOT_FOUND_MESSAGES else _(
        "%(resource)s not found", resource=resource.replace("_", " "))
    return NotFound(message, code=f"{resource}_not_found", details=ident)
