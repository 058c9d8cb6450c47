"""Wire schemas of purchasing: suppliers, offers, safety stock, the plan, purchase orders, receipts."""
from __future__ import annotations

import marshmallow as ma

from app.i18n import gettext_now
from app.purchasing.models import PoStatus
from blueprints import fields as f
from blueprints.schemas.common import QuerySchema, Schema

MAX_UNITS = 1_000_000


def Units(**kwargs):  # noqa: N802
    return f.Int(0, MAX_UNITS, **kwargs)


class SupplierInputSchema(Schema):
    name = f.name(120, required=True)
    contact_name = f.Str(max_length=80, allow_none=True)
    phone = f.Phone(allow_none=True)
    email = f.Email(allow_none=True)
    address = f.Str(max_length=300, allow_none=True)
    note = f.Str(max_length=500, allow_none=True)
    min_order_cents = f.Cents(load_default=0, metadata={"description": "Smallest order total at cost; 0: none"})
    active = ma.fields.Boolean(load_default=True)


class OfferInputSchema(Schema):
    cost_cents = f.Cents(required=True)
    lead_days = f.Int(0, 60, load_default=0)
    min_units = Units(load_default=0)
    preferred = ma.fields.Boolean(load_default=False)


class OfferSchema(Schema):
    supplier_id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    cost_cents = ma.fields.Integer()
    lead_days = ma.fields.Integer()
    min_units = ma.fields.Integer()
    preferred = ma.fields.Boolean()


class SupplierSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    contact_name = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    min_order_cents = ma.fields.Integer()
    active = ma.fields.Boolean()
    offers = ma.fields.List(ma.fields.Nested(OfferSchema))


class SupplierQuerySchema(QuerySchema):
    active = ma.fields.Boolean(load_default=None)


class CostPriceSchema(Schema):
    id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    supplier_id = ma.fields.Integer(allow_none=True)
    cost_cents = ma.fields.Integer()
    effective_at = ma.fields.DateTime()
    actor_id = ma.fields.Integer(allow_none=True)


class SafetyStockInputSchema(Schema):
    units = Units(required=True)


class SafetyStockSchema(Schema):
    sku_id = ma.fields.Integer()
    units = ma.fields.Integer()


class PurchasePlanQuerySchema(QuerySchema):
    delivery_date = f.BusinessDate(required=True)


class PurchasePlanLineSchema(Schema):
    sku_id = ma.fields.Integer()
    sku_code = ma.fields.String()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    confirmed = ma.fields.Integer()
    subscriptions = ma.fields.Integer()
    late = ma.fields.Integer(metadata={"description": "Forecast of orders still to come before the cut-off"})
    replenishment = ma.fields.Integer(metadata={"description": "Forecast of reorders from replenishment reminders"})
    safety_stock = ma.fields.Integer()
    on_hand = ma.fields.Integer()
    on_order = ma.fields.Integer()
    need = ma.fields.Integer()
    supplier_id = ma.fields.Integer(allow_none=True)
    unit_cost_cents = ma.fields.Integer(allow_none=True)


class ProposalLineSchema(Schema):
    sku_id = ma.fields.Integer()
    sku_code = ma.fields.String()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    need = ma.fields.Integer()
    quantity = ma.fields.Integer()
    min_units = ma.fields.Integer()
    unit_cost_cents = ma.fields.Integer()
    late_delivery = ma.fields.Boolean(metadata={"description": "No supplier's lead time reaches the day"})


class ProposalSchema(Schema):
    supplier_id = ma.fields.Integer()
    supplier_name = ma.fields.String()
    delivery_date = f.BusinessDate()
    lines = ma.fields.List(ma.fields.Nested(ProposalLineSchema))
    total_cents = ma.fields.Integer()
    min_order_cents = ma.fields.Integer()
    below_minimum = ma.fields.Boolean()
    confirm_key = ma.fields.String()


class PurchasePlanSchema(Schema):
    delivery_date = f.BusinessDate()
    cutoff_at = ma.fields.DateTime()
    final = ma.fields.Boolean(metadata={"description": "False: before the cut-off, a forecast"})
    late_share = ma.fields.Float()
    reorder_share = ma.fields.Float()
    computed_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(PurchasePlanLineSchema))
    proposals = ma.fields.List(ma.fields.Nested(ProposalSchema))
    unsourced = ma.fields.List(ma.fields.Integer(), metadata={"description": "SKUs to buy with no supplier"})


class PoLineInputSchema(Schema):
    sku_id = f.Id(required=True)
    quantity = f.Int(1, MAX_UNITS, required=True)
    unit_cost_cents = f.Cents(load_default=None, allow_none=True)


class ConfirmInputSchema(Schema):
    supplier_id = f.Id(required=True)
    delivery_date = f.BusinessDate(required=True)
    confirm_key = f.Str(min_length=8, max_length=80, required=True)
    note = f.Str(max_length=500, allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(PoLineInputSchema), required=True, validate=ma.validate.Length(1, 500))


class PoPatchSchema(Schema):
    note = f.Str(max_length=500, allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(PoLineInputSchema), validate=ma.validate.Length(1, 500))


class PoLineSchema(Schema):
    id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    quantity = ma.fields.Integer()
    unit_cost_cents = ma.fields.Integer()
    accepted = ma.fields.Integer()
    rejected = ma.fields.Integer()
    short = ma.fields.Integer()
    outstanding = ma.fields.Integer()


class PurchaseOrderSchema(Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    supplier_id = ma.fields.Integer()
    supplier_name = ma.fields.String(attribute="supplier.name")
    delivery_date = f.BusinessDate()
    status = ma.fields.String()
    total_cents = ma.fields.Integer()
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    received_at = ma.fields.DateTime(allow_none=True)
    cancelled_at = ma.fields.DateTime(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(PoLineSchema))


class PoQuerySchema(QuerySchema):
    delivery_date = f.BusinessDate(load_default=None)
    status = f.Choice(list(PoStatus), load_default=None)
    supplier_id = f.QueryInt(1, load_default=None)


class ReceiptLineInputSchema(Schema):
    sku_id = f.Id(required=True)
    accepted = Units(load_default=0)
    rejected = Units(load_default=0)
    reject_reason = f.Str(max_length=200, load_default=None, allow_none=True)
    short = Units(load_default=0)


class ReceiptInputSchema(Schema):
    note = f.Str(max_length=500, allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(ReceiptLineInputSchema), required=True,
                           validate=ma.validate.Length(1, 500))


class ReceiptLineSchema(Schema):
    sku_id = ma.fields.Integer()
    accepted = ma.fields.Integer()
    rejected = ma.fields.Integer()
    reject_reason = ma.fields.String(allow_none=True)
    short = ma.fields.Integer()


class ReceiptSchema(Schema):
    id = ma.fields.Integer()
    purchase_order_id = ma.fields.Integer()
    actor_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(ReceiptLineSchema))


class DiscrepancyQuerySchema(QuerySchema):
    from_date = f.BusinessDate(required=True)
    to_date = f.BusinessDate(required=True)

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data["to_date"] < data["from_date"]:
            raise ma.ValidationError(gettext_now("to_date must not be before from_date."), "to_date")


class DiscrepancySchema(Schema):
    supplier_id = ma.fields.Integer()
    supplier_name = ma.fields.String()
    purchase_orders = ma.fields.Integer()
    ordered = ma.fields.Integer()
    accepted = ma.fields.Integer()
    rejected = ma.fields.Integer()
    short = ma.fields.Integer()
    discrepancy_rate = ma.fields.Float()
    reject_reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class MarginQuerySchema(QuerySchema):
    by = f.Choice(["sku", "campaign", "leader"], load_default="sku")
    month = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                             metadata={"description": "YYYY-MM in the store timezone; default this month"})


class MarginSchema(Schema):
    key = ma.fields.Integer(allow_none=True, metadata={"description": "sku_id, campaign_id or leader_id"})
    name = ma.fields.String(allow_none=True)
    units = ma.fields.Integer()
    revenue_cents = ma.fields.Integer()
    cost_cents = ma.fields.Integer()
    margin_cents = ma.fields.Integer()
    margin_pct = ma.fields.Float(allow_none=True)
    uncosted_units = ma.fields.Integer()
