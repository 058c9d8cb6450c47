from __future__ import annotations

from app.accounts.models import Account
from app.errors import NotFound
from app.extensions import db
from app.groups import bindings
from app.i18n import _
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.privacy import mask_name, viewer_id
from blueprints.schemas.groups import (
    BindingSchema,
    GroupLandingSchema,
    JoinResultSchema,
    LinkSchema,
    MintLinkSchema,
    PublicGroupSchema,
)
from blueprints.store import blp


@blp.route("/groups/<code:code>", methods=["GET"])
@blp.response(200, GroupLandingSchema)
@blp.errors(404)
def group_landing(code):
    """What a group link opens: the group, its leader and pickup point, and who shared the link.
    Public: a shopper sees this before registering."""
    link = bindings.resolve_link(code)
    owner = db.session.get(Account, link.owner_account_id) if link.owner_account_id else None
    invited_by = None if owner is None else owner.name if owner.id == viewer_id() else mask_name(owner.name)
    return {"code": link.code, "group": link.group, "invited_by": invited_by}


@blp.route("/groups/<code:code>/join", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(201, JoinResultSchema)
@blp.alt_response(200, schema=JoinResultSchema, description="Already a member: nothing changed", success=True)
@blp.errors(404, 409)
def join_group(code):
    """Join the link's group (leaving the current one, which is kept in the history); the link's
    owner is recorded as referrer. Invitation-only and minimum-spend groups are enforced here."""
    result = bindings.join(current_account(), code)
    return result, (201 if result.joined else 200)


@blp.route("/me/group", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, PublicGroupSchema)
@blp.errors(404)
def my_group():
    """The shopper's current group"""
    binding = bindings.current_binding(current_account().id)
    if binding is None:
        raise NotFound(_("You have not joined a group yet: open a group link"), code="not_in_a_group")
    return binding.group


@blp.route("/me/bindings", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, BindingSchema(many=True))
@blp.paginate(SQLPage)
def my_bindings():
    """Every group the shopper has belonged to, newest first"""
    return bindings.history(current_account().id)


@blp.route("/links", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(MintLinkSchema)
@blp.response(201, LinkSchema)
@blp.errors(403, 404)
def mint_link(data):
    """Get the shopper's own link for their group, so neighbours they invite are attributed to them"""
    return bindings.mint_link(current_account().id, data["group_id"])


@blp.route("/links", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, LinkSchema(many=True))
@blp.paginate(SQLPage)
def my_links():
    """The shopper's personal links"""
    return bindings.links_of(current_account().id)
