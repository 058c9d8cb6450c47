from __future__ import annotations

from app.errors import not_found
from app.leader_cash import ledger
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.leader_cash import CashEntrySchema, CashOwedSchema, RemitSchema
from blueprints.schemas.orders import IdempotencyHeaderSchema


@blp.route("/leader-cash", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.response(200, CashOwedSchema(many=True))
def cash_by_leader():
    """Cash collected at pickup that each leader still owes, most first, with its age"""
    return ledger.outstanding_by_leader()


@blp.route("/leaders/<id:leader_id>/cash", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.response(200, CashEntrySchema(many=True))
@blp.errors(404)
@blp.paginate(SQLPage, page_size=50)
def leader_statement(leader_id):
    """One leader's cash ledger, newest first (collections, remittances, cash refunds)"""
    from app.extensions import db
    from app.leaders.models import Leader

    if db.session.get(Leader, leader_id) is None:
        raise not_found("leader", id=leader_id)
    return ledger.statement(leader_id)


@blp.route("/leaders/<id:leader_id>/cash/remittances", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.send")
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(RemitSchema)
@blp.response(201, CashEntrySchema)
@blp.errors(404, 409, 422)
def remit(headers, data, leader_id):
    """Record cash a leader paid in, with its reference: never more than they owe. Once per
    Idempotency-Key (a retry returns the same entry)."""
    entry = ledger.remit(leader_id, data["amount_cents"], data["reference"], current_account().id,
                         headers["idempotency_key"])
    return entry
