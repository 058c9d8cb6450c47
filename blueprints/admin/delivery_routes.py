"""Merchant API for delivery routes, route runs and their sheets (docs/delivery-routes.md)."""
from __future__ import annotations

from flask import Response

from app.delivery import routes, runs, sheets
from app.i18n import _
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.csv_response import COLUMN_LABELS, csv_response
from blueprints.pagination import SQLPage
from blueprints.privacy import mask_name
from blueprints.schemas.delivery import (
    DriverSchema,
    RouteInputSchema,
    RoutePatchSchema,
    RouteQuerySchema,
    RouteSchema,
    RunInputSchema,
    RunPatchSchema,
    RunQuerySchema,
    RunSchema,
    SheetSchema,
    SortingSheetSchema,
)

# This area's CSV columns, in the caller's language like the others (blueprints/csv_response.py).
COLUMN_LABELS.update({"stop": _("stop"), "pickup_point": _("pickup_point"), "address": _("address"),
                      "bags": _("bags"), "qr": _("qr"), "replacement_for": _("replacement_for")})


@blp.route("/routes", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.arguments(RouteQuerySchema, location="query")
@blp.response(200, RouteSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_routes(query):
    """Delivery routes (线路) by departure, each with its stops in driving order"""
    return routes.list_routes(**query)


@blp.route("/routes", methods=["POST"])
@blp.requires(Role.STAFF, "routes.manage")
@blp.arguments(RouteInputSchema)
@blp.response(201, RouteSchema)
@blp.errors(409, 422)
def create_route(data):
    """A route: pickup points in driving order and a planned departure; a point is on one active route at most"""
    return routes.create_route(**data)


@blp.route("/routes/<id:route_id>", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.response(200, RouteSchema)
@blp.errors(404)
def get_route(route_id):
    """One route with its stops"""
    return routes.get_route(route_id)


@blp.route("/routes/<id:route_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "routes.manage")
@blp.arguments(RoutePatchSchema)
@blp.response(200, RouteSchema)
@blp.errors(404, 409, 422)
def update_route(data, route_id):
    """Rename, move the departure, reorder or replace the stops, (de)activate; planned runs keep their stops"""
    return routes.update_route(routes.get_route(route_id), data)


@blp.route("/route-runs", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.arguments(RunQuerySchema, location="query")
@blp.response(200, RunSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_runs(query):
    """Route runs by day, driver and route"""
    return runs.list_runs(**query)


@blp.route("/route-runs", methods=["POST"])
@blp.requires(Role.STAFF, "routes.manage")
@blp.arguments(RunInputSchema)
@blp.response(201, RunSchema)
@blp.errors(404, 409, 422)
def plan_run(data):
    """Plan a route's run for a delivery day with a driver (one per route and day; a repeat is 409)"""
    return runs.plan_run(**data)


@blp.route("/route-runs/<id:run_id>", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.response(200, RunSchema)
@blp.errors(404)
def get_run(run_id):
    """One route run with its stops and the driver's delivered marks"""
    return runs.get_run(run_id)


@blp.route("/route-runs/<id:run_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "routes.manage")
@blp.arguments(RunPatchSchema)
@blp.response(200, RunSchema)
@blp.errors(404, 422)
def assign_driver(data, run_id):
    """Assign (or unassign) the run's driver"""
    run = runs.get_run(run_id)
    return runs.assign_driver(run, data["driver_id"]) if "driver_id" in data else run


@blp.route("/drivers", methods=["GET"])
@blp.requires(Role.STAFF, "routes.manage")
@blp.response(200, DriverSchema(many=True))
def list_drivers():
    """Staff who may drive routes (their role holds routes.drive): whom a run can be given to"""
    return runs.drivers()


def sheet(run, stops) -> dict:
    return {"run": run, "stops": stops, "loaded": sheets.loading_totals(stops),
            "totals": {"stops": len(stops), "bags": sum(len(s.bags) for s in stops),
                       "units": sum(s.units for s in stops)}}


@blp.route("/route-runs/<id:run_id>/sorting-sheet", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.response(200, SortingSheetSchema)
@blp.errors(404)
def sorting_sheet(run_id):
    """The sorting sheet (分拣单): per stop each SKU's quantity, and per order a bag label (masked name, QR)"""
    run = runs.get_run(run_id)
    return sheet(run, sheets.load(run))


@blp.route("/route-runs/<id:run_id>/manifest", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.response(200, SheetSchema)
@blp.errors(404)
def manifest(run_id):
    """The loading manifest: per stop in driving order, its bags and SKU counts; the truck's totals"""
    run = runs.get_run(run_id)
    return sheet(run, sheets.load(run))


@blp.route("/route-runs/<id:run_id>/sorting-sheet.csv", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.response(200, description="CSV: one row per bag and line (label printers read the qr column)",
              content_type="text/csv")
@blp.errors(404)
def sorting_sheet_csv(run_id):
    """The sorting sheet as CSV"""
    run = runs.get_run(run_id)
    rows = [[s.position, s.pickup_point.name, b.order_number, mask_name(b.shopper_name), b.replacement_for or "",
             ln["sku_code"], ln["product_name"], ln["sku_name"], ln["quantity"], b.qr_text]
            for s in sheets.load(run) for b in s.bags for ln in b.lines]
    return _csv(run, "sorting-sheet", ["stop", "pickup_point", "order", "shopper", "replacement_for", "sku",
                                       "product", "variant", "quantity", "qr"], rows)


@blp.route("/route-runs/<id:run_id>/manifest.csv", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.response(200, description="CSV: one row per stop and SKU", content_type="text/csv")
@blp.errors(404)
def manifest_csv(run_id):
    """The loading manifest as CSV"""
    run = runs.get_run(run_id)
    rows = [[s.position, s.pickup_point.name, s.pickup_point.address, len(s.bags), row["sku_code"],
             row["product_name"], row["sku_name"], row["quantity"]] for s in sheets.load(run) for row in s.skus]
    return _csv(run, "manifest", ["stop", "pickup_point", "address", "bags", "sku", "product", "variant",
                                  "quantity"], rows)


def _csv(run, kind: str, header: list[str], rows: list[list]) -> Response:
    return csv_response(f"{kind}-{run.delivery_date}-route-{run.route_id}.csv", header, rows)
