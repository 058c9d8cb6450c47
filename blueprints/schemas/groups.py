from __future__ import annotations

import marshmallow as ma

from app.groups.bindings import current_binding
from app.groups.models import AdmissionRule
from app.groups.services import member_count, public_link
from app.i18n import gettext_now
from app.leaders.models import ApplicationStatus, LeaderStatus
from blueprints import fields as f
from blueprints.schemas.accounts import AccountSchema, GroupBriefSchema
from blueprints.schemas.common import QuerySchema, Schema, link_url
from blueprints.schemas.pickup import PickupPointSchema, PublicPickupPointSchema


class LeaderBriefSchema(Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    status = ma.fields.String()


class LeaderSchema(LeaderBriefSchema):
    account_id = ma.fields.Integer()
    phone = ma.fields.String()
    status_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class GroupInputSchema(Schema):
    name = f.name(80, required=True)
    neighbourhood = f.name(120, required=True)
    notice = f.Str(max_length=2000, allow_none=True)
    admission_rule = f.Choice(AdmissionRule, load_default=AdmissionRule.OPEN.value)
    min_spend_cents = f.Cents(allow_none=True)
    pay_at_pickup_allowed = ma.fields.Boolean(load_default=False)
    leader_id = f.Id(allow_none=True)
    pickup_point_id = f.Id(required=True)


class GroupUpdateSchema(Schema):
    cutoff_time = ma.fields.Time(format="%H:%M", allow_none=True, metadata={"description": "null: the store's"})
    lead_days = f.Int(0, 14, allow_none=True)
    pickup_from = ma.fields.Time(format="%H:%M", allow_none=True)
    pickup_until = ma.fields.Time(format="%H:%M", allow_none=True)
    name = f.name(80)
    neighbourhood = f.name(120)
    notice = f.Str(max_length=2000, allow_none=True)
    admission_rule = f.Choice(AdmissionRule)
    min_spend_cents = f.Cents(allow_none=True)
    pay_at_pickup_allowed = ma.fields.Boolean()


class LeaderGroupUpdateSchema(Schema):
    name = f.name(80)
    notice = f.Str(max_length=2000, allow_none=True)


class GroupTransferInputSchema(Schema):
    leader_id = f.Id(allow_none=True, metadata={"description": "New leader; null leaves the group without one"})
    pickup_point_id = f.Id()
    reason = f.Str(max_length=500, load_default=None)

    @ma.validates_schema
    def changes_something(self, data, **kwargs):
        if "leader_id" not in data and "pickup_point_id" not in data:
            raise ma.ValidationError(gettext_now("Give leader_id and/or pickup_point_id."), "leader_id")


class GroupTransferSchema(Schema):
    id = ma.fields.Integer()
    group_id = ma.fields.Integer()
    from_leader_id = ma.fields.Integer(allow_none=True)
    to_leader_id = ma.fields.Integer(allow_none=True)
    from_pickup_point_id = ma.fields.Integer()
    to_pickup_point_id = ma.fields.Integer()
    reason = ma.fields.String(allow_none=True)
    staff_account_id = ma.fields.Integer()
    open_orders_kept = ma.fields.Integer(metadata={
        "description": "Orders not yet collected: they stay at the old point; their shoppers were told"})
    created_at = ma.fields.DateTime()


class PublicLeaderSchema(Schema):
    display_name = ma.fields.String()


class PublicGroupSchema(Schema):
    """What a group link shows to anyone, logged in or not."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    neighbourhood = ma.fields.String()
    notice = ma.fields.String(allow_none=True)
    admission_rule = ma.fields.String()
    min_spend_cents = ma.fields.Integer(allow_none=True)
    pay_at_pickup_allowed = ma.fields.Boolean()
    leader = ma.fields.Nested(PublicLeaderSchema, allow_none=True)
    pickup_point = ma.fields.Nested(PublicPickupPointSchema)


class GroupSchema(PublicGroupSchema):
    """A group as its leader and the merchant see it: the leader's id and status, link and size."""

    pickup_point = ma.fields.Nested(PickupPointSchema)

    cutoff_time = ma.fields.Time(format="%H:%M", allow_none=True)
    lead_days = ma.fields.Integer(allow_none=True)
    pickup_from = ma.fields.Time(format="%H:%M", allow_none=True)
    pickup_until = ma.fields.Time(format="%H:%M", allow_none=True)
    leader = ma.fields.Nested(LeaderBriefSchema, allow_none=True)
    code = f.Function(lambda g: public_link(g.id).code, returns=ma.fields.String())
    url = f.Function(lambda g: link_url(public_link(g.id).code), returns=ma.fields.String())
    member_count = f.Function(lambda g: member_count(g.id), returns=ma.fields.Integer())
    created_at = ma.fields.DateTime()


class GroupLandingSchema(Schema):
    code = ma.fields.String()
    group = ma.fields.Nested(PublicGroupSchema)
    invited_by = ma.fields.String(allow_none=True, metadata={
        "description": "The link owner's name, masked to its initial (陈**) for anyone but the owner"})


class LinkSchema(Schema):
    code = ma.fields.String()
    url = f.Function(lambda link: link_url(link.code), returns=ma.fields.String())
    group_id = ma.fields.Integer()
    group_name = f.Function(lambda link: link.group.name, returns=ma.fields.String())
    owner_account_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()


class MintLinkSchema(Schema):
    group_id = f.Id(required=True)


class BindingSchema(Schema):
    id = ma.fields.Integer()
    group = ma.fields.Nested(GroupBriefSchema)
    referrer_account_id = ma.fields.Integer(allow_none=True)
    link_code = f.Function(lambda b: b.link.code if b.link else None, allow_none=True,
                           metadata={"description": "The link the shopper followed"},
                           returns=ma.fields.String())
    leader_id = ma.fields.Integer(allow_none=True)
    bound_at = ma.fields.DateTime()
    ended_at = ma.fields.DateTime(allow_none=True)
    end_reason = ma.fields.String(allow_none=True)


class JoinResultSchema(Schema):
    joined = ma.fields.Boolean(metadata={"description": "False when the shopper was already a member"})
    binding = ma.fields.Nested(BindingSchema)


class MemberSchema(Schema):
    account_id = ma.fields.Integer()
    name = f.Function(lambda b: b.account.name, returns=ma.fields.String())
    referrer_account_id = ma.fields.Integer(allow_none=True)
    bound_at = ma.fields.DateTime()


class GroupListQuerySchema(QuerySchema):
    q = f.Str(max_length=80)
    leader_id = f.QueryInt(1)


class LeaderApplicationInputSchema(Schema):
    name = f.name(80, required=True)
    phone = f.Phone(required=True)
    motivation = f.Str(max_length=2000, load_default=None)
    point_name = f.name(120, required=True)
    point_address = f.name(300, required=True)
    point_latitude = f.Latitude(required=True)
    point_longitude = f.Longitude(required=True)


class LeaderApplicationSchema(Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    name = ma.fields.String()
    phone = ma.fields.String()
    motivation = ma.fields.String(allow_none=True)
    point_name = ma.fields.String()
    point_address = ma.fields.String()
    point_latitude = ma.fields.Float()
    point_longitude = ma.fields.Float()
    status = ma.fields.String()
    decision_reason = ma.fields.String(allow_none=True)
    reviewed_at = ma.fields.DateTime(allow_none=True)
    leader_id = ma.fields.Integer(allow_none=True)
    pickup_point_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()


class ApplicationQuerySchema(QuerySchema):
    status = f.Choice(ApplicationStatus)


class LeaderQuerySchema(QuerySchema):
    status = f.Choice(LeaderStatus)


class ReasonSchema(Schema):
    reason = f.name(500, required=True)


class ShopperQuerySchema(QuerySchema):
    q = f.Str(max_length=80, metadata={"description": "Search name, e-mail or phone"})


class ShopperSchema(AccountSchema):
    lifetime_spend_cents = ma.fields.Integer()
    phone_verified_at = ma.fields.DateTime(allow_none=True)
    current_binding = f.Function(
        lambda a: BindingSchema().dump(b) if (b := current_binding(a.id)) else None, allow_none=True,
                                 returns=ma.fields.Nested(BindingSchema)
    )
