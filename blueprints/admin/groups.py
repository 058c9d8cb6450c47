from __future__ import annotations

from app.groups import services as groups
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.groups import (
    GroupInputSchema,
    GroupListQuerySchema,
    GroupSchema,
    GroupTransferInputSchema,
    GroupTransferSchema,
    GroupUpdateSchema,
    MemberSchema,
)


@blp.route("/groups", methods=["GET"])
@blp.requires(Role.STAFF, "groups.read")
@blp.arguments(GroupListQuerySchema, location="query")
@blp.response(200, GroupSchema(many=True))
@blp.paginate(SQLPage)
def list_groups(query):
    """All groups; search by name or neighbourhood, filter by leader"""
    return groups.list_groups(q=query.get("q"), leader_id=query.get("leader_id"))


@blp.route("/groups", methods=["POST"])
@blp.requires(Role.STAFF, "groups.manage")
@blp.arguments(GroupInputSchema)
@blp.response(201, GroupSchema)
@blp.errors(404, 409)
def create_group(data):
    """Open a group at a pickup point (optionally with its leader); it gets a public link"""
    return groups.create_group(data)


@blp.route("/groups/<id:group_id>", methods=["GET"])
@blp.requires(Role.STAFF, "groups.read")
@blp.response(200, GroupSchema)
@blp.errors(404)
def get_group(group_id):
    """One group"""
    return groups.get_group(group_id)


@blp.route("/groups/<id:group_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "groups.manage")
@blp.arguments(GroupUpdateSchema)
@blp.response(200, GroupSchema)
@blp.errors(404)
def update_group(changes, group_id):
    """Edit name, neighbourhood, notice and admission rule (leader and pickup point: use transfer)"""
    return groups.update_group(groups.get_group(group_id), changes, as_staff=True)


@blp.route("/groups/<id:group_id>/transfer", methods=["POST"])
@blp.requires(Role.STAFF, "groups.manage")
@blp.arguments(GroupTransferInputSchema)
@blp.response(201, GroupTransferSchema)
@blp.errors(404, 409)
def transfer_group(data, group_id):
    """Move the group to another leader and/or pickup point; members and history stay with the group"""
    return groups.transfer_group(groups.get_group(group_id), staff_id=current_account().id, **data)


@blp.route("/groups/<id:group_id>/transfers", methods=["GET"])
@blp.requires(Role.STAFF, "groups.read")
@blp.response(200, GroupTransferSchema(many=True))
@blp.paginate(SQLPage)
@blp.errors(404)
def list_transfers(group_id):
    """The group's history of leaders and pickup points"""
    groups.get_group(group_id)
    return groups.transfers_of(group_id)


@blp.route("/groups/<id:group_id>/members", methods=["GET"])
@blp.requires(Role.STAFF, "groups.read")
@blp.response(200, MemberSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
@blp.errors(404)
def list_members(group_id):
    """Current members of the group"""
    groups.get_group(group_id)
    return groups.current_members(group_id)
