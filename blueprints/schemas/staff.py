from __future__ import annotations

import marshmallow as ma

from app.staff.services import permissions_of
from blueprints import fields as f
from blueprints.schemas.common import QuerySchema, Schema

ROLE_KEY = ma.validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="Lower-case letters, digits and _; 2 to 40 long")
PERMISSION = f.Str(max_length=60)


class StaffSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    locale = ma.fields.String(allow_none=True, metadata={
        "description": "The language the staff member chose (zh-CN or en; PATCH /admin/me); null until chosen"})
    role = ma.fields.String(attribute="staff_role")
    is_active = ma.fields.Boolean()
    permissions = f.Function(lambda a: sorted(permissions_of(a)), metadata={
        "description": "What this staff member may do; the dashboard hides what is missing"},
                             returns=ma.fields.List(ma.fields.String()))
    created_at = ma.fields.DateTime()


class StaffInviteSchema(Schema):
    name = f.name(80, required=True)
    email = f.Email(required=True)
    role = f.Str(max_length=40, required=True)


class InvitedStaffSchema(StaffSchema):
    initial_password = ma.fields.String(metadata={
        "description": "Shown once: pass it on to the new staff member, who logs in with it"})


class StaffUpdateSchema(Schema):
    name = f.name(80)
    role = f.Str(max_length=40)


class RoleSchema(Schema):
    id = ma.fields.Integer(allow_none=True, metadata={"description": "null for built-in roles"})
    key = ma.fields.String()
    name = ma.fields.String()
    builtin = ma.fields.Boolean(dump_default=False)  # a custom role (a row) has no such attribute
    permissions = ma.fields.List(ma.fields.String())


class RoleInputSchema(Schema):
    key = f.Str(max_length=40, required=True, validate=[ROLE_KEY])
    name = f.name(80, required=True)
    permissions = ma.fields.List(PERMISSION, required=True, validate=ma.validate.Length(max=100))


class RoleUpdateSchema(Schema):
    name = f.name(80)
    permissions = ma.fields.List(PERMISSION, validate=ma.validate.Length(max=100))


class PermissionSchema(Schema):
    key = ma.fields.String()
    description = ma.fields.String()


class AuditQuerySchema(QuerySchema):
    actor_id = f.QueryInt(minimum=1)
    action = f.Str(max_length=120)
    object_type = f.Str(max_length=60)
    object_id = f.Str(max_length=60)
    since = ma.fields.AwareDateTime(default_timezone=None)
    until = ma.fields.AwareDateTime(default_timezone=None)


class AuditEntrySchema(Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    actor_id = ma.fields.Integer()
    actor_name = ma.fields.String()
    actor_role = ma.fields.String()
    action = ma.fields.String()
    method = ma.fields.String()
    path = ma.fields.String()
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.String(allow_none=True)
    changes = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "Per changed row: table, id, op (insert/update/delete/statement) and the fields' before/after"})
    ip_address = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)


class ApprovalRequestSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "commission_rule, commission_rule_end, commission_settings "
                                                     "refund or payout"})
    status = ma.fields.String(metadata={"description": "pending, approved or rejected"})
    subject_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "The rule ended, the order refunded, the payout approved"})
    amount_cents = ma.fields.Integer(allow_none=True, metadata={"description": "A refund's or payout's total"})
    payload = ma.fields.Dict(metadata={"description": "The change as asked for"})
    requested_by_id = ma.fields.Integer()
    decided_by_id = ma.fields.Integer(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    result_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "What approving made: the rule, the settings row, the refund, the payout approved"})
    created_at = ma.fields.DateTime()


class ApprovalQuerySchema(QuerySchema):
    status = f.Choice(["pending", "approved", "rejected"], load_default=None)


class ApprovalRejectSchema(Schema):
    reason = f.Str(max_length=200, load_default=None, allow_none=True)
