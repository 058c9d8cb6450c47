"""Stock: the movements ledger, write-offs, transfers, locations and stock-takes (docs/supply.md)."""
from __future__ import annotations

from app.extensions import db
from app.inventory import adjustments, movements, stocktake
from app.inventory.adjustments import WriteOffCause
from app.inventory.models import StockLocation
from app.persistence import commit_unique
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.stock import (
    CountsInputSchema,
    LocationSchema,
    MovementQuerySchema,
    MovementSchema,
    StockTakeInputSchema,
    StockTakeSchema,
    TransferInputSchema,
    WriteOffInputSchema,
)


@blp.route("/stock/movements", methods=["GET"])
@blp.requires(Role.STAFF, "stock.read")
@blp.arguments(MovementQuerySchema, location="query")
@blp.response(200, MovementSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_movements(query):
    """Stock movements, newest first; filter by SKU, reason, reference type, campaign or regular
    stock, store-local date range"""
    return movements.query(query)


@blp.route("/stock/write-offs", methods=["POST"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.arguments(WriteOffInputSchema)
@blp.response(201, MovementSchema)
@blp.errors(404, 409, 422)
def write_off(data):
    """Write off spoiled, damaged or expired units (only units not sold or held); `other` needs a note"""
    return adjustments.write_off(data["sku_id"], data["quantity"], WriteOffCause(data["cause"]),
                                 actor_id=current_account().id, note=data["note"], location_id=data["location_id"])


@blp.route("/stock/transfers", methods=["POST"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.arguments(TransferInputSchema)
@blp.response(201, MovementSchema(many=True))
@blp.errors(404, 422)
def transfer(data):
    """Move units from one location to another (two movements: out and in)"""
    return adjustments.transfer(data["sku_id"], data["quantity"], data["from_location_id"], data["to_location_id"],
                                actor_id=current_account().id, note=data["note"])


@blp.route("/stock/locations", methods=["GET"])
@blp.requires(Role.STAFF, "stock.read")
@blp.response(200, LocationSchema(many=True))
def list_locations():
    """Stock locations (the main warehouse is always there)"""
    adjustments.default_location_id()
    db.session.commit()
    return db.session.scalars(db.select(StockLocation).order_by(StockLocation.id)).all()


@blp.route("/stock/locations", methods=["POST"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.arguments(LocationSchema)
@blp.response(201, LocationSchema)
@blp.errors(409, 422)
def create_location(data):
    """A new stock location (code unique)"""
    location = StockLocation(code=data["code"].upper(), name=data["name"])
    db.session.add(location)
    commit_unique("stock_location", code="duplicate_stock_location", location_code=location.code)
    return location


@blp.route("/stock/stock-takes", methods=["POST"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.arguments(StockTakeInputSchema)
@blp.response(201, StockTakeSchema)
@blp.errors(404, 422)
def open_stock_take(data):
    """A new count sheet for a location: the given SKUs, or every active SKU, with what the books say"""
    return stocktake.open_sheet(actor_id=current_account().id, location_id=data["location_id"],
                                sku_ids=data["sku_ids"], note=data["note"])


@blp.route("/stock/stock-takes", methods=["GET"])
@blp.requires(Role.STAFF, "stock.read")
@blp.response(200, StockTakeSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
def list_stock_takes():
    """Count sheets, newest first"""
    from app.inventory.models import StockTake

    return db.select(StockTake).order_by(StockTake.id.desc())


@blp.route("/stock/stock-takes/<id:stock_take_id>", methods=["GET"])
@blp.requires(Role.STAFF, "stock.read")
@blp.response(200, StockTakeSchema)
@blp.errors(404)
def get_stock_take(stock_take_id):
    """One count sheet with its lines"""
    return stocktake.get(stock_take_id)


@blp.route("/stock/stock-takes/<id:stock_take_id>/counts", methods=["PUT"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.arguments(CountsInputSchema)
@blp.response(200, StockTakeSchema)
@blp.errors(404, 409, 422)
def enter_counts(data, stock_take_id):
    """Enter counted quantities (null clears one); only while the sheet is open"""
    return stocktake.enter_counts(stock_take_id, {c["sku_id"]: c["counted"] for c in data["counts"]})


@blp.route("/stock/stock-takes/<id:stock_take_id>/confirm", methods=["POST"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.response(200, StockTakeSchema)
@blp.errors(404, 409)
def confirm_stock_take(stock_take_id):
    """Write one `counted` adjustment per SKU whose count differs from on hand; twice is once"""
    return stocktake.confirm(stock_take_id, actor_id=current_account().id)


@blp.route("/stock/stock-takes/<id:stock_take_id>/cancel", methods=["POST"])
@blp.requires(Role.STAFF, "stock.manage")
@blp.response(200, StockTakeSchema)
@blp.errors(404, 409)
def cancel_stock_take(stock_take_id):
    """Cancel an open count sheet (nothing is adjusted)"""
    return stocktake.cancel(stock_take_id)
