"""Wire shapes of delivery routes, route runs, sorting sheets, loading manifests and the driver page."""
from __future__ import annotations

import marshmallow as ma

from app.accounts.models import Account
from app.extensions import db
from blueprints import fields as f
from blueprints.privacy import mask_name
from blueprints.schemas.common import QuerySchema, Schema

TIME_FORMAT = "%H:%M"
MAX_STOPS = 200


class RouteInputSchema(Schema):
    name = f.name(80, required=True)
    departure_time = ma.fields.Time(format=TIME_FORMAT, required=True, metadata={"example": "04:30"})
    stops = ma.fields.List(f.Id(), required=True, validate=ma.validate.Length(min=1, max=MAX_STOPS),
                           metadata={"description": "Pickup point ids in driving order"})


class RoutePatchSchema(Schema):
    name = f.name(80)
    departure_time = ma.fields.Time(format=TIME_FORMAT)
    stops = ma.fields.List(f.Id(), validate=ma.validate.Length(min=1, max=MAX_STOPS))
    active = ma.fields.Boolean()


class PointBriefSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    address = ma.fields.String()
    latitude = ma.fields.Float()
    longitude = ma.fields.Float()


class RouteStopSchema(Schema):
    position = ma.fields.Integer()
    pickup_point = ma.fields.Nested(PointBriefSchema)


class RouteSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    departure_time = ma.fields.Time(format=TIME_FORMAT)
    active = ma.fields.Boolean()
    stops = ma.fields.List(ma.fields.Nested(RouteStopSchema))


class RouteQuerySchema(QuerySchema):
    active = ma.fields.Boolean()


class RunInputSchema(Schema):
    route_id = f.Id(required=True)
    delivery_date = f.BusinessDate(required=True)
    driver_id = f.Id(load_default=None, allow_none=True)


class RunPatchSchema(Schema):
    driver_id = f.Id(allow_none=True, metadata={"description": "null: no driver"})


class RunQuerySchema(QuerySchema):
    delivery_date = f.BusinessDate()
    driver_id = f.QueryInt(1)
    route_id = f.QueryInt(1)


class DriverRunQuerySchema(QuerySchema):
    delivery_date = f.BusinessDate(metadata={"description": "Default: today and later (the store's time zone)"})


class DriverSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


def _driver_name(account_id: int | None) -> str | None:
    account = db.session.get(Account, account_id) if account_id else None
    return account.name if account else None


class RunStopSchema(Schema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    pickup_point = ma.fields.Nested(PointBriefSchema)
    delivered_at = ma.fields.DateTime(allow_none=True)
    has_photo = f.Function(lambda s: bool(s.photo_key), returns=ma.fields.Boolean())


class RunHeadSchema(Schema):
    id = ma.fields.Integer()
    route_id = ma.fields.Integer()
    route_name = f.Function(lambda r: r.route.name, returns=ma.fields.String())
    delivery_date = f.BusinessDate()
    departure_time = ma.fields.Time(format=TIME_FORMAT)
    driver_id = ma.fields.Integer(allow_none=True)
    driver_name = f.Function(lambda r: _driver_name(r.driver_id), allow_none=True, returns=ma.fields.String())


class RunSchema(RunHeadSchema):
    stops = ma.fields.List(ma.fields.Nested(RunStopSchema))


class SkuCountSchema(Schema):
    sku_code = ma.fields.String()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    quantity = ma.fields.Integer()


class BagSchema(Schema):
    order_number = ma.fields.String()
    shopper_name = f.Function(lambda b: mask_name(b.shopper_name), returns=ma.fields.String(), metadata={
        "description": "Masked (陈**): a bag is seen by many hands"})
    qr_text = ma.fields.String(metadata={"description": "The pickup QR text, PICKUP/<order number>/<code>"})
    replacement_for = ma.fields.Integer(allow_none=True)
    units = ma.fields.Integer()
    lines = ma.fields.List(ma.fields.Nested(SkuCountSchema))


class SheetStopSchema(Schema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    pickup_point = ma.fields.Nested(PointBriefSchema)
    closed = ma.fields.Boolean(metadata={"description": "The point is closed that day (its orders moved)"})
    batch_id = ma.fields.Integer(allow_none=True)
    batch_status = ma.fields.String(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    bag_count = f.Function(lambda s: len(s.bags), returns=ma.fields.Integer())
    units = ma.fields.Integer()
    skus = ma.fields.List(ma.fields.Nested(SkuCountSchema))


class SortingStopSchema(SheetStopSchema):
    bags = ma.fields.List(ma.fields.Nested(BagSchema))


class SheetSchema(Schema):
    run = ma.fields.Nested(RunHeadSchema)
    stops = ma.fields.List(ma.fields.Nested(SheetStopSchema))
    totals = ma.fields.Dict()
    loaded = ma.fields.List(ma.fields.Nested(SkuCountSchema), metadata={"description": "Each SKU over the run"})


class SortingSheetSchema(SheetSchema):
    stops = ma.fields.List(ma.fields.Nested(SortingStopSchema))
