from __future__ import annotations

from app.leaders import services as leaders
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.groups import (
    ApplicationQuerySchema,
    LeaderApplicationSchema,
    LeaderQuerySchema,
    LeaderSchema,
    ReasonSchema,
)


@blp.route("/leader-applications", methods=["GET"])
@blp.requires(Role.STAFF, "leaders.read")
@blp.arguments(ApplicationQuerySchema, location="query")
@blp.response(200, LeaderApplicationSchema(many=True))
@blp.paginate(SQLPage)
def list_applications(query):
    """Leader applications, newest first; filter by status"""
    return leaders.list_applications(query.get("status"))


@blp.route("/leader-applications/<id:application_id>", methods=["GET"])
@blp.requires(Role.STAFF, "leaders.read")
@blp.response(200, LeaderApplicationSchema)
@blp.errors(404)
def get_application(application_id):
    """One leader application"""
    return leaders.get_application(application_id)


@blp.route("/leader-applications/<id:application_id>/approve", methods=["POST"])
@blp.requires(Role.STAFF, "leaders.manage")
@blp.response(200, LeaderApplicationSchema)
@blp.errors(404, 409)
def approve(application_id):
    """Approve: the shopper becomes a leader and their proposed pickup point is created"""
    return leaders.approve(application_id, current_account().id)


@blp.route("/leader-applications/<id:application_id>/reject", methods=["POST"])
@blp.requires(Role.STAFF, "leaders.manage")
@blp.arguments(ReasonSchema)
@blp.response(200, LeaderApplicationSchema)
@blp.errors(404, 409)
def reject(data, application_id):
    """Reject with a reason the applicant will see"""
    return leaders.reject(application_id, current_account().id, data["reason"])


@blp.route("/leaders", methods=["GET"])
@blp.requires(Role.STAFF, "leaders.read")
@blp.arguments(LeaderQuerySchema, location="query")
@blp.response(200, LeaderSchema(many=True))
@blp.paginate(SQLPage)
def list_leaders(query):
    """All leaders; filter by status"""
    return leaders.list_leaders(query.get("status"))


@blp.route("/leaders/<id:leader_id>", methods=["GET"])
@blp.requires(Role.STAFF, "leaders.read")
@blp.response(200, LeaderSchema)
@blp.errors(404)
def get_leader(leader_id):
    """One leader"""
    return leaders.get_leader(leader_id)


@blp.route("/leaders/<id:leader_id>/suspend", methods=["POST"])
@blp.requires(Role.STAFF, "leaders.manage")
@blp.arguments(ReasonSchema)
@blp.response(200, LeaderSchema)
@blp.errors(404)
def suspend(data, leader_id):
    """Suspend a leader: they lose the leader console; transfer their groups to keep them served"""
    return leaders.suspend(leader_id, data["reason"])


@blp.route("/leaders/<id:leader_id>/reinstate", methods=["POST"])
@blp.requires(Role.STAFF, "leaders.manage")
@blp.response(200, LeaderSchema)
@blp.errors(404)
def reinstate(leader_id):
    """Lift a suspension"""
    return leaders.reinstate(leader_id)
