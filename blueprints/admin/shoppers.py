from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa

from app.accounts.models import Account, AccountKind
from app.groups.bindings import current_binding
from blueprints import fields as f
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.accounts import AccountSchema
from blueprints.schemas.common import QuerySchema
from blueprints.schemas.groups import BindingSchema


class ShopperQuerySchema(QuerySchema):
    q = f.Str(max_length=80, metadata={"description": "Search name, e-mail or phone"})


class ShopperSchema(AccountSchema):
    lifetime_spend_cents = ma.fields.Integer()
    current_binding = ma.fields.Function(
        lambda a: BindingSchema().dump(b) if (b := current_binding(a.id)) else None, allow_none=True
    )


@blp.route("/shoppers", methods=["GET"])
@blp.requires(Role.STAFF)
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
