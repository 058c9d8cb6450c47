"""The in-app inbox, mounted on the store (shopper messages) and leader (leader messages) APIs."""
from __future__ import annotations

from app.notifications import inbox
from blueprints.auth import Role, current_account
from blueprints.base import Blueprint
from blueprints.pagination import SQLPage
from blueprints.schemas.pickup_ops import CountSchema, InboxQuerySchema, NotificationSchema


def add_inbox_routes(blp: Blueprint, role: Role, audience: str) -> None:
    @blp.route("/inbox", methods=["GET"], endpoint="inbox")
    @blp.requires(role)
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.paginate(SQLPage, page_size=20)
    def list_inbox(query):
        """Messages, newest first (unread=true: only unread)"""
        return inbox.inbox(current_account().id, audience, unread_only=query["unread"])

    @blp.route("/inbox/unread-count", methods=["GET"], endpoint="inbox_unread_count")
    @blp.requires(role)
    @blp.response(200, CountSchema)
    def unread_count():
        """How many messages are unread"""
        return {"count": inbox.unread_count(current_account().id, audience)}

    @blp.route("/inbox/<id:notification_id>/read", methods=["POST"], endpoint="inbox_mark_read")
    @blp.requires(role)
    @blp.response(200, NotificationSchema)
    @blp.errors(404)
    def mark_read(notification_id):
        """Mark one message read"""
        return inbox.mark_read(current_account().id, audience, notification_id)

    @blp.route("/inbox/read-all", methods=["POST"], endpoint="inbox_read_all")
    @blp.requires(role)
    @blp.response(200, CountSchema)
    def read_all():
        """Mark every message read; returns how many changed"""
        return {"count": inbox.mark_all_read(current_account().id, audience)}
