from __future__ import annotations

import marshmallow as ma

from blueprints import fields as f
from blueprints.schemas.common import Schema


class CashOwedSchema(Schema):
    leader_id = ma.fields.Integer()
    leader_name = ma.fields.String()
    owed_cents = ma.fields.Integer(metadata={"description": "Cash collected at pickup not yet remitted"})
    oldest_at = ma.fields.DateTime(allow_none=True, metadata={"description": "When the oldest cash owed was taken"})
    age_days = ma.fields.Integer()


class CashLineSchema(Schema):
    bucket = f.Function(lambda x: x.bucket.value, returns=ma.fields.String())
    leader_id = ma.fields.Integer(allow_none=True)
    amount_cents = ma.fields.Integer()


class CashEntrySchema(Schema):
    id = ma.fields.Integer()
    kind = f.Function(lambda e: e.kind.value, returns=ma.fields.String())
    ref = ma.fields.String()
    order_id = ma.fields.Integer(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    payout_id = ma.fields.Integer(allow_none=True, metadata={"description": "The payout this cash was netted against"})
    created_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(CashLineSchema))


class RemitSchema(Schema):
    amount_cents = f.Int(1, 10**11, required=True)
    reference = f.name(120, required=True, metadata={"description": "Bank transfer or receipt reference"})


class LeaderCashSchema(Schema):
    owed_cents = ma.fields.Integer()
    oldest_at = ma.fields.DateTime(allow_none=True)
    entries = ma.fields.List(ma.fields.Nested(CashEntrySchema))
