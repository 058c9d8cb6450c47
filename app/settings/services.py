"""The store settings row: read (created with defaults on first use) and edited by staff."""
from __future__ import annotations

import secrets
from typing import Any

from app.errors import InvalidRequest
from app.extensions import db
from app.i18n import _
from app.persistence import single_row
from app.settings.models import StoreSettings, UncollectedPolicy

EDITABLE = ("cutoff_time", "lead_days", "pickup_from", "pickup_until", "reminder_after_days",
            "uncollected_after_days", "uncollected_policy", "restocking_fee_bps", "webhook_url",
            "birthday_coupon_template_id", "replenishment_remind_days_before", "online_methods", "wallet_enabled",
            "refund_approval_above_cents")


def get_settings() -> StoreSettings:
    return single_row(StoreSettings, webhook_secret=new_webhook_secret())


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def update_settings(changes: dict[str, Any]) -> StoreSettings:
    if changes.get("birthday_coupon_template_id") is not None:
        _check_coupon_template(changes["birthday_coupon_template_id"])
    from app.payments.methods import validate_settings

    validate_settings(changes.get("online_methods"), changes.get("campaign_methods"))
    settings = get_settings()
    if "campaign_methods" in changes:  # a new dict: JSON columns see reassignment, not mutation
        settings.campaign_methods = {**(settings.campaign_methods or {}), **changes["campaign_methods"]}
    for key in EDITABLE:
        if key in changes:
            setattr(settings, key, changes[key])
    if "uncollected_policy" in changes:
        settings.uncollected_policy = UncollectedPolicy(changes["uncollected_policy"])
    if settings.pickup_from >= settings.pickup_until:
        raise InvalidRequest(_("pickup_from must be before pickup_until"), code="invalid_pickup_window")
    if settings.uncollected_after_days <= settings.reminder_after_days:
        raise InvalidRequest(_("uncollected_after_days must be after reminder_after_days"),
                             code="invalid_uncollected_days")
    db.session.commit()
    return settings


def _check_coupon_template(template_id: int) -> None:
    from app.coupons.models import CouponTemplate

    if db.session.get(CouponTemplate, template_id) is None:
        raise InvalidRequest(_("No coupon template with this id"), code="unknown_coupon_template",
                             details={"birthday_coupon_template_id": template_id})


def rotate_webhook_secret() -> StoreSettings:
    settings = get_settings()
    settings.webhook_secret = new_webhook_secret()
    db.session.commit()
    return settings
