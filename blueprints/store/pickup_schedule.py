from __future__ import annotations

from app.db import utcnow
from app.errors import Conflict
from app.groups.bindings import current_binding
from app.i18n import _
from app.pickup.schedule import slot_of_group
from blueprints.auth import Role, current_account
from blueprints.inbox import add_inbox_routes
from blueprints.schemas.pickup_ops import PickupSlotSchema
from blueprints.store import blp


@blp.route("/pickup-schedule", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, PickupSlotSchema)
@blp.errors(409)
def pickup_schedule():
    """When an order placed now could be picked up at your group's pickup point (date and window)"""
    binding = current_binding(current_account().id)
    if binding is None:
        raise Conflict(_("Join a group through its link first"), code="not_in_a_group")
    return slot_of_group(binding.group, utcnow())


add_inbox_routes(blp, Role.SHOPPER, "shopper")
