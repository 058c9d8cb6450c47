"""Replenishment for the shopper: when their repeat-use products run out, the reminders sent,
and the one-step reorder from a reminder."""
from __future__ import annotations

from app.orders import services as orders
from app.replenishment import reorder, services
from blueprints.auth import Role, current_account
from blueprints.idempotent import respond
from blueprints.pagination import SQLPage
from blueprints.schemas.orders import OrderSchema
from blueprints.schemas.replenishment import OutlookSchema, ReminderSchema, ReorderSchema
from blueprints.store import blp


@blp.route("/replenishment", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, OutlookSchema(many=True))
def my_replenishment():
    """The repeat-use products you bought in the last year, soonest run-out first: when each is
    predicted to run out, when you will be reminded, and the reminder sent for this cycle"""
    return services.outlook(current_account().id)


@blp.route("/replenishment/reminders", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, ReminderSchema(many=True))
@blp.paginate(SQLPage)
def my_reminders():
    """Replenishment reminders you were sent, newest first"""
    return services.reminders_of(current_account().id)


@blp.route("/replenishment/reminders/<id:reminder_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, ReminderSchema)
@blp.errors(404)
def my_reminder(reminder_id):
    """One of your replenishment reminders (the reorder link in its message points here)"""
    return services.own_reminder(current_account().id, reminder_id)


def _render(order_id: int) -> tuple[int, dict]:
    return 201, OrderSchema().dump(orders.get_order(order_id))


@blp.route("/replenishment/reminders/<id:reminder_id>/reorder", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(ReorderSchema)
@blp.response(201, OrderSchema)
@blp.errors(404, 409, 422)
def reorder_from_reminder(data, reminder_id):
    """Place the reminder's lines again, at today's prices, for pickup at your group's point.

    One order per reminder: calling again returns that order (header `Idempotent-Replayed: true`),
    unless it ended unpaid (expired or cancelled), when a new one is placed. No Idempotency-Key
    is needed. Refusals are those of checkout (e.g. `409 insufficient_stock`, `422 sku_not_available`)."""
    return respond(reorder.reorder(current_account().id, reminder_id, data["payment_method"], _render))
