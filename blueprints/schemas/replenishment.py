"""Replenishment wire shapes: the shopper's predictions, reminders, and the reorder request."""
from __future__ import annotations

import marshmallow as ma

from app.payments.providers import METHODS
from app.replenishment.models import Basis
from app.replenishment.reminders import reorder_url
from blueprints import fields as f
from blueprints.schemas.common import Schema
from blueprints.schemas.content import localized_of

BASIS = {"description": "history: your own purchase gaps (3 purchases or more); usage_days: the product's "
                        "usage days per unit × units bought", "enum": [b.value for b in Basis]}


class ReminderLineSchema(Schema):
    sku_id = ma.fields.Integer()
    quantity = ma.fields.Integer()


class ReminderSchema(Schema):
    id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = f.Function(lambda r: localized_of(r.product, "name"), returns=ma.fields.String())
    basis = ma.fields.String(metadata=BASIS)
    basis_order_id = ma.fields.Integer(metadata={"description": "The latest purchase it was predicted from"})
    last_purchase_on = ma.fields.Date()
    cycle_days = ma.fields.Integer()
    run_out_on = ma.fields.Date()
    remind_on = ma.fields.Date()
    lines = ma.fields.List(ma.fields.Nested(ReminderLineSchema), metadata={"description": "What a reorder places"})
    order_id = ma.fields.Integer(allow_none=True, metadata={"description": "The order placed from this reminder"})
    reorder_url = f.Function(lambda r: reorder_url(r.id), metadata={
        "description": "POST it with a payment_method to place the same lines again (once per reminder)"},
                             returns=ma.fields.String())
    created_at = ma.fields.DateTime(metadata={"description": "When the reminder was sent"})


class OutlookSchema(Schema):
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    basis = ma.fields.String(metadata=BASIS)
    purchases = ma.fields.Integer(metadata={"description": "Purchase days counted (paid, net of refunds, last year)"})
    last_purchase_on = ma.fields.Date()
    units = ma.fields.Integer(metadata={"description": "Units bought in the latest purchase"})
    days_per_unit = f.Function(lambda o: round(float(o.days_per_unit), 2), returns=ma.fields.Float())
    cycle_days = ma.fields.Integer(metadata={"description": "How long the latest purchase is predicted to last"})
    run_out_on = ma.fields.Date()
    remind_on = ma.fields.Date()
    subscribed = ma.fields.Boolean(metadata={"description": "You subscribe to it: no reminders"})
    order_coming = ma.fields.Boolean(metadata={"description": "An order of it is still to be paid or collected: "
                                                              "no reminder"})
    reminder = ma.fields.Nested(ReminderSchema, allow_none=True,
                                metadata={"description": "The reminder sent for this cycle, if any"})


class ReorderSchema(Schema):
    payment_method = f.Choice(METHODS, required=True, metadata={
        "description": "stripe (card), pay_at_pickup (if your group offers it), or wallet"})
