from __future__ import annotations

from blueprints.auth import Role, current_leader
from blueprints.leader import blp
from blueprints.schemas.groups import LeaderSchema


@blp.route("/me", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, LeaderSchema)
def me():
    """The caller's leader record"""
    return current_leader()
