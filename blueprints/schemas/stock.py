"""Wire schemas of the stock screens: movements, write-offs, transfers, locations, stock-takes."""
from __future__ import annotations

import marshmallow as ma

from app.inventory.adjustments import WriteOffCause
from app.inventory.models import MovementReason
from blueprints import fields as f
from blueprints.schemas.common import QuerySchema, Schema


class MovementSchema(Schema):
    id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    sku_code = f.Function(lambda m: m.sku.code, returns=ma.fields.String())
    campaign_item_id = ma.fields.Integer(allow_none=True)
    reason = f.Function(lambda m: m.reason.value, returns=ma.fields.String())
    quantity = ma.fields.Integer()
    total_change = ma.fields.Integer()
    reserved_change = ma.fields.Integer()
    sold_change = ma.fields.Integer()
    reference_type = ma.fields.String(allow_none=True)
    reference_id = ma.fields.Integer(allow_none=True)
    cause = ma.fields.String(allow_none=True)
    actor_id = ma.fields.Integer(allow_none=True)
    location_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class MovementQuerySchema(QuerySchema):
    sku_id = f.QueryInt(1)
    reason = f.Choice(MovementReason)
    reference_type = f.Str(max_length=24)
    campaign = ma.fields.Boolean(metadata={"description": "true: campaign stock only; false: regular stock only"})
    created_from = f.BusinessDate(metadata={"description": "Store-local date, inclusive"})
    created_to = f.BusinessDate(metadata={"description": "Store-local date, inclusive"})


class WriteOffInputSchema(Schema):
    sku_id = f.Id(required=True)
    quantity = f.Int(1, 1_000_000, required=True)
    cause = f.Choice(WriteOffCause, required=True)
    note = f.Str(max_length=500, load_default=None, allow_none=True)
    location_id = f.Id(load_default=None, allow_none=True)


class TransferInputSchema(Schema):
    sku_id = f.Id(required=True)
    quantity = f.Int(1, 1_000_000, required=True)
    from_location_id = f.Id(required=True)
    to_location_id = f.Id(required=True)
    note = f.Str(max_length=500, load_default=None, allow_none=True)


class LocationSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    code = f.Str(min_length=1, max_length=32, required=True)
    name = f.name(80, required=True)


class StockTakeLineSchema(Schema):
    sku_id = ma.fields.Integer()
    sku_code = f.Function(lambda ln: ln.sku.code, returns=ma.fields.String())
    expected = ma.fields.Integer()
    counted = ma.fields.Integer(allow_none=True)
    adjustment = ma.fields.Integer(allow_none=True)


class StockTakeSchema(Schema):
    id = ma.fields.Integer()
    location_id = ma.fields.Integer()
    status = f.Function(lambda t: t.status.value, returns=ma.fields.String())
    note = ma.fields.String(allow_none=True)
    created_by_id = ma.fields.Integer(allow_none=True)
    confirmed_by_id = ma.fields.Integer(allow_none=True)
    confirmed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(StockTakeLineSchema))


class StockTakeInputSchema(Schema):
    location_id = f.Id(load_default=None, allow_none=True)
    sku_ids = ma.fields.List(f.Id(), validate=ma.validate.Length(max=5000), load_default=None)
    note = f.Str(max_length=500, load_default=None, allow_none=True)


class StockCountSchema(Schema):
    sku_id = f.Id(required=True)
    counted = f.Int(0, 10_000_000, required=True, allow_none=True)


class CountsInputSchema(Schema):
    counts = ma.fields.List(ma.fields.Nested(StockCountSchema), required=True,
                            validate=ma.validate.Length(min=1, max=5000))
