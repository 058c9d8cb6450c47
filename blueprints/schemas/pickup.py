from __future__ import annotations

import marshmallow as ma

from app.clock import local_today
from app.pickup_points.models import PointStatus
from blueprints import fields as f
from blueprints.privacy import point_phone
from blueprints.schemas.common import QuerySchema, Schema

TIME_FORMAT = "%H:%M"


class HoursSchema(Schema):
    weekday = f.Int(0, 6, required=True, metadata={"description": "0 = Monday … 6 = Sunday"})
    opens_at = ma.fields.Time(format=TIME_FORMAT, required=True, metadata={"example": "08:30"})
    closes_at = ma.fields.Time(format=TIME_FORMAT, required=True, metadata={"example": "20:00"})


class ClosureSchema(Schema):
    date = ma.fields.Date()
    reason = ma.fields.String(allow_none=True)


class ClosureRangeSchema(Schema):
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    reason = f.Str(max_length=200, load_default=None)
    move_to = ma.fields.Date(load_default=None, metadata={
        "description": "Where orders booked on these days go (an open day); default: each to the next open day"})


class PickupPointInputSchema(Schema):
    name = f.name(120, required=True)
    address = f.name(300, required=True)
    latitude = f.Latitude(required=True)
    longitude = f.Longitude(required=True)
    contact_name = f.Str(max_length=80, allow_none=True)
    contact_phone = f.Phone(allow_none=True)
    hours = ma.fields.List(ma.fields.Nested(HoursSchema), validate=ma.validate.Length(max=42))


class StaffPickupPointInputSchema(PickupPointInputSchema):
    status = f.Choice(PointStatus)
    leader_id = f.Id(allow_none=True)


class PickupPointSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    address = ma.fields.String()
    latitude = ma.fields.Float()
    longitude = ma.fields.Float()
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    leader_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String()
    hours = ma.fields.List(ma.fields.Nested(HoursSchema))
    upcoming_closures = f.Method("_upcoming_closures",
                                 returns=ma.fields.List(ma.fields.Nested(ClosureSchema)))

    def _upcoming_closures(self, point):
        today = local_today()
        return ClosureSchema(many=True).dump([c for c in point.closures if c.date >= today])


class NearbyQuerySchema(QuerySchema):
    lat = ma.fields.Float(required=True, validate=ma.validate.Range(-90, 90), allow_nan=False)
    lng = ma.fields.Float(required=True, validate=ma.validate.Range(-180, 180), allow_nan=False)
    radius_km = ma.fields.Float(load_default=5.0, validate=ma.validate.Range(0.1, 50), allow_nan=False)
    limit = f.QueryInt(1, 100, load_default=20)


class PublicPickupPointSchema(PickupPointSchema):
    """A pickup point as the shop shows it: its contact phone (usually the leader's own) in full
    only to members of a group at this point, masked to anyone else."""

    contact_phone = f.Function(point_phone, allow_none=True, metadata={
        "description": "In full for members of a group at this point; masked (+86138****8000) otherwise"},
                               returns=ma.fields.String())


class NearbyPointSchema(Schema):
    distance_m = ma.fields.Integer()
    pickup_point = ma.fields.Nested(PublicPickupPointSchema, attribute="point")
