from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Account, AccountKind
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.groups import ShopperQuerySchema, ShopperSchema


@blp.route("/shoppers", methods=["GET"])
@blp.requires(Role.STAFF, "shoppers.read")
@blp.arguments(ShopperQuerySchema, location="query")
@blp.response(200, ShopperSchema(many=True))
@blp.paginate(SQLPage)
def list_shoppers(query):
    """Shoppers with their current group"""
    stmt = sa.select(Account).where(Account.kind == AccountKind.SHOPPER).order_by(Account.id)
    if q := query.get("q"):
        stmt = stmt.where(sa.or_(Account.name.icontains(q, autoescape=True),
                                 Account.email.icontains(q, autoescape=True),
                                 Account.phone.icontains(q, autoescape=True)))
    return stmt
