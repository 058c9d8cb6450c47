from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import WebhookDelivery
from app.settings import services as settings
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.pickup_ops import (
    SettingsSchema,
    SettingsUpdateSchema,
    WebhookDeliverySchema,
    WebhookSecretSchema,
)


@blp.route("/settings", methods=["GET"])
@blp.requires(Role.STAFF, "settings.read")
@blp.etag
@blp.response(200, SettingsSchema)
def get_settings():
    """Pickup schedule (cut-off, lead days, window), uncollected policy and the notification webhook"""
    row = settings.get_settings()
    # The first read makes the row (with a new webhook secret): keep it, or every read until the
    # first change would show another secret hint, and another ETag.
    db.session.commit()
    return row


@blp.route("/settings", methods=["PATCH"])
@blp.requires(Role.STAFF, "settings.manage")
@blp.etag
@blp.arguments(SettingsUpdateSchema)
@blp.response(200, SettingsSchema)
def update_settings(changes):
    """Change store settings; groups may override the schedule (PATCH /groups/{id}); `If-Match` required"""
    blp.check_etag(settings.get_settings(), SettingsSchema)
    return settings.update_settings(changes)


@blp.route("/settings/webhook-secret", methods=["POST"])
@blp.requires(Role.STAFF, "settings.manage")
@blp.response(200, WebhookSecretSchema)
def rotate_webhook_secret():
    """Make a new signing secret for the notification webhook (shown once)"""
    return settings.rotate_webhook_secret()


@blp.route("/webhook-deliveries", methods=["GET"])
@blp.requires(Role.STAFF, "settings.read")
@blp.response(200, WebhookDeliverySchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def webhook_deliveries():
    """The notification webhook's delivery log, newest first, with every attempt"""
    return sa.select(WebhookDelivery).order_by(WebhookDelivery.id.desc())
