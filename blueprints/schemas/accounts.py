from __future__ import annotations

import marshmallow as ma

from app.groups.bindings import current_binding
from app.i18n import LOCALES, gettext_now
from app.members.birthday import birthday_status
from blueprints import fields as f
from blueprints.schemas.common import Schema
from blueprints.schemas.profile import BirthdaySchema


class RegisterSchema(Schema):
    name = f.name(80, required=True)
    email = f.Email(load_default=None)
    phone = f.Phone(load_default=None)
    # The rules (length after normalising, common passwords) are app/accounts/password_policy.py's.
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=512), load_only=True,
                                metadata={"description": "At least 8 characters; not a common password"})

    @ma.validates_schema
    def needs_login(self, data, **kwargs):
        if not data.get("email") and not data.get("phone"):
            raise ma.ValidationError(gettext_now("Give an e-mail address or a phone number."), "email")


class LoginSchema(Schema):
    login = f.Str(min_length=3, max_length=254, required=True,
                  metadata={"description": "E-mail address or phone number"})
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=128), load_only=True)


class StaffLoginSchema(LoginSchema):
    pass


class ProfileUpdateSchema(Schema):
    name = f.name(80, metadata={"description": "The display name"})
    locale = f.Choice(LOCALES, allow_none=True, metadata={
        "description": "The language to answer and write to this person in (zh-CN or en); null: follow "
                       "the browser's Accept-Language, messages in the store's language"})

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError(gettext_now("Give a name or a language to change."), "name")


class GroupBriefSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class MemberStandingSchema(Schema):
    active = ma.fields.Boolean()
    tier = ma.fields.String(allow_none=True, metadata={"description": "The tier's name while a member"})
    points_balance = ma.fields.Integer()


class AccountSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    locale = ma.fields.String(allow_none=True, metadata={
        "description": "The language the person chose (zh-CN or en); null until chosen"})


class TokenSchema(Schema):
    token = ma.fields.String()
    token_type = ma.fields.Constant("Bearer")
    expires_at = ma.fields.DateTime()
    account = ma.fields.Nested(AccountSchema)


class ShopperAccountSchema(AccountSchema):
    group = f.Function(
        lambda a: GroupBriefSchema().dump(b.group) if (b := current_binding(a.id)) else None,
        allow_none=True, metadata={"description": "The shopper's current group, if any"},
        returns=ma.fields.Nested(GroupBriefSchema),
    )
    phone_verified_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "When the phone was verified by a code; null: not verified"})
    birthday = f.Function(
        lambda a: BirthdaySchema().dump(birthday_status(a)) if a.birth_month else None,
        allow_none=True, metadata={"description": "The shopper's birthday (GET /me/birthday), if set"},
        returns=ma.fields.Nested(BirthdaySchema),
    )
    member = f.Method("_member", returns=ma.fields.Nested(MemberStandingSchema), metadata={
        "description": "Store membership now: {active, tier, points_balance} (details: GET /membership)"})

    def _member(self, account) -> dict:
        from app.loyalty.services import standing

        now = standing(account.id)
        return {"active": now.member, "tier": now.tier.name if now.member and now.tier else None,
                "points_balance": now.points_balance}
