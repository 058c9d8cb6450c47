from __future__ import annotations

import marshmallow as ma

from app.commissions.rules import settings
from blueprints import fields as f
from blueprints.auth import Role, current_leader
from blueprints.leader import blp
from blueprints.schemas.common import Schema
from blueprints.schemas.groups import LeaderSchema
from blueprints.schemas.leader_cash import LeaderCashSchema


class PayoutTermsSchema(Schema):
    provider = ma.fields.String(metadata={"description": "bank_export or stripe_connect: how payouts leave"})
    minimum_cents = ma.fields.Integer(metadata={"description": "The smallest payout you can request"})
    fee_cents = ma.fields.Integer(metadata={"description": "Fixed fee per payout"})
    fee_bps = ma.fields.Integer(metadata={"description": "Plus this share of the amount, basis points"})
    has_stripe_account = ma.fields.Boolean(metadata={"description": "A Stripe payout account is linked "
                                                                    "(details: GET /payout-account)"})


class LeaderMeSchema(LeaderSchema):
    locale = f.Function(lambda leader: leader.account.locale, allow_none=True, metadata={
        "description": "The language the leader chose (zh-CN or en; null until chosen); set with PATCH /store/me"},
                        returns=ma.fields.String())
    payout_terms = f.Method("_terms", metadata={"description": "How and from what amount you are paid out"},
                            returns=ma.fields.Nested(PayoutTermsSchema))

    def _terms(self, leader) -> dict:
        terms = settings()
        return PayoutTermsSchema().dump({
            "provider": terms.payout_provider.value, "minimum_cents": terms.payout_min_cents,
            "fee_cents": terms.payout_fee_cents, "fee_bps": terms.payout_fee_bps,
            "has_stripe_account": leader.stripe_account_id is not None})


@blp.route("/me", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, LeaderMeSchema)
def me():
    """The caller's leader record, with the store's payout terms for them"""
    return current_leader()


@blp.route("/cash", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, LeaderCashSchema)
def my_cash():
    """Cash you collected at pickup and still owe the merchant, with your ledger's latest entries"""
    from app.extensions import db
    from app.leader_cash import ledger

    leader_id = current_leader().id
    owed = ledger.outstanding(leader_id)
    entries = list(db.session.scalars(ledger.statement(leader_id).limit(50)))
    return {"owed_cents": owed, "oldest_at": ledger.oldest_unremitted(leader_id, owed), "entries": entries}
