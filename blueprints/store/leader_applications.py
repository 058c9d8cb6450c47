from __future__ import annotations

import sqlalchemy as sa

from app.leaders import services as leaders
from app.leaders.models import LeaderApplication
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.groups import LeaderApplicationInputSchema, LeaderApplicationSchema
from blueprints.store import blp


@blp.route("/leader-applications", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(LeaderApplicationInputSchema)
@blp.response(201, LeaderApplicationSchema)
@blp.errors(409)
def apply_to_lead(data):
    """Apply to become a group leader, proposing the pickup point you would run"""
    return leaders.apply(current_account().id, data)


@blp.route("/leader-applications", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, LeaderApplicationSchema(many=True))
@blp.paginate(SQLPage)
def my_applications():
    """The shopper's leader applications and their outcome"""
    return (
        sa.select(LeaderApplication)
        .where(LeaderApplication.account_id == current_account().id)
        .order_by(LeaderApplication.id.desc())
    )
