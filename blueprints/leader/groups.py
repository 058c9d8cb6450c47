from __future__ import annotations

from app.groups import bindings
from app.groups import services as groups
from blueprints.auth import Role, current_leader
from blueprints.leader import blp
from blueprints.pagination import SQLPage
from blueprints.schemas.groups import GroupSchema, LeaderGroupUpdateSchema, LinkSchema, MemberSchema


@blp.route("/groups", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, GroupSchema(many=True))
@blp.paginate(SQLPage)
def my_groups():
    """Groups the caller leads"""
    return groups.list_groups(leader_id=current_leader().id)


@blp.route("/groups/<id:group_id>", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, GroupSchema)
@blp.errors(404)
def get_group(group_id):
    """One of the caller's groups"""
    return groups.get_group_of_leader(group_id, current_leader().id)


@blp.route("/groups/<id:group_id>", methods=["PATCH"])
@blp.requires(Role.LEADER)
@blp.arguments(LeaderGroupUpdateSchema)
@blp.response(200, GroupSchema)
@blp.errors(404)
def update_group(changes, group_id):
    """Rename the group or change its notice (admission rules are the merchant's)"""
    group = groups.get_group_of_leader(group_id, current_leader().id)
    return groups.update_group(group, changes, as_staff=False)


@blp.route("/groups/<id:group_id>/members", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, MemberSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
@blp.errors(404)
def members(group_id):
    """Current members of one of the caller's groups, oldest first"""
    groups.get_group_of_leader(group_id, current_leader().id)
    return groups.current_members(group_id)


@blp.route("/groups/<id:group_id>/link", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.response(201, LinkSchema)
@blp.errors(404)
def my_link(group_id):
    """The leader's own link for the group (the same one each time)"""
    groups.get_group_of_leader(group_id, current_leader().id)
    return bindings.mint_link(current_leader().account_id, group_id)
