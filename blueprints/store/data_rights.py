"""The shopper's data rights: a copy of their data, and deleting their account (docs/security.md)."""
from __future__ import annotations

import marshmallow as ma

from app.accounts import data_rights
from app.extensions import limiter
from blueprints.auth import Role, current_account
from blueprints.schemas.common import Schema
from blueprints.store import blp
from blueprints.store.auth import auth_rate_limit


class DeleteAccountSchema(Schema):
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=512), load_only=True,
                                metadata={"description": "The account's password, to confirm"})


EXPORT_DESCRIPTION = ("Every row kept about you, by table (orders, order_lines, points_entries, wallet_entries, "
                      "coupons, bindings, subscriptions, notifications, ...)")


@blp.route("/me/export", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, description=EXPORT_DESCRIPTION)
@blp.doc(responses={"200": {"description": EXPORT_DESCRIPTION, "content": {"application/json": {"schema": {
    "type": "object", "required": ["exported_at", "account"],
    "properties": {"exported_at": {"type": "string", "format": "date-time"},
                   "account": {"type": "object", "description": "Your account's own columns"}},
    "additionalProperties": {"type": "array", "items": {"type": "object"}},
    "description": "Besides these two: table name → its rows about you, each row an object of its columns"}}}}})
def export_my_data():
    """Download a copy of everything the store keeps about you, as JSON (PIPL art. 45, GDPR art. 15/20)"""
    return data_rights.export_data(current_account().id)


@blp.route("/me", methods=["DELETE"])
@blp.requires(Role.SHOPPER)
@limiter.limit(auth_rate_limit)
@blp.arguments(DeleteAccountSchema)
@blp.response(204)
@blp.errors(401, 409, 422, 429)
def delete_my_account(data):
    """Delete your account: your name, e-mail, phone, birthday and password are erased and every
    session ends at once. Orders, refunds, points and the wallet stay in the merchant's books under
    an anonymous account. A group leader hands their groups over first (409 leader_account)."""
    data_rights.delete_account(current_account().id, data["password"])
