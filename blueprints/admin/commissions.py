"""Merchant: commission rules and settings, balances per party, the store's liability."""
from __future__ import annotations

import sqlalchemy as sa

from app.commissions import views
from app.commissions.models import CommissionRule
from app.commissions.rules import settings as commission_settings
from app.errors import not_found
from app.extensions import db
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import RowPage, SQLPage
from blueprints.schemas.commissions import (
    BalanceSchema,
    BalancesQuerySchema,
    CommissionRuleSchema,
    CommissionSettingsSchema,
    JournalLineSchema,
    LiabilitySchema,
    RuleEndSchema,
)


@blp.route("/commission-rules", methods=["GET"])
@blp.requires(Role.STAFF)
@blp.response(200, CommissionRuleSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_commission_rules():
    """Commission rules, newest first"""
    return sa.select(CommissionRule).order_by(CommissionRule.id.desc())


@blp.route("/commission-rules", methods=["POST"])
@blp.requires(Role.STAFF)
@blp.arguments(CommissionRuleSchema)
@blp.response(201, CommissionRuleSchema)
def create_commission_rule(data):
    """Add a rule; orders placed while it is valid snapshot its rates on their lines"""
    rule = CommissionRule(**data)
    db.session.add(rule)
    db.session.commit()
    return rule


@blp.route("/commission-rules/<id:rule_id>/end", methods=["POST"])
@blp.requires(Role.STAFF)
@blp.arguments(RuleEndSchema)
@blp.response(200, CommissionRuleSchema)
@blp.errors(404, 422)
def end_commission_rule(data, rule_id):
    """End a rule at a time (rates already on order lines stay as they were)"""
    from app.errors import InvalidRequest

    rule = db.session.get(CommissionRule, rule_id)
    if rule is None:
        raise not_found("commission_rule", id=rule_id)
    if data["valid_until"] <= rule.valid_from:
        raise InvalidRequest("valid_until must be after valid_from", code="invalid_window")
    rule.valid_until = data["valid_until"]
    db.session.commit()
    return rule


@blp.route("/commission-settings", methods=["GET"])
@blp.requires(Role.STAFF)
@blp.response(200, CommissionSettingsSchema)
def get_commission_settings():
    """The after-sale window and whether referrers get a share"""
    row = commission_settings()
    db.session.commit()
    return row


@blp.route("/commission-settings", methods=["PATCH"])
@blp.requires(Role.STAFF)
@blp.arguments(CommissionSettingsSchema)
@blp.response(200, CommissionSettingsSchema)
def update_commission_settings(changes):
    """Change the after-sale window (applies to settlements from now on) or the referrer share
    (applies to orders placed from now on)"""
    row = commission_settings()
    for name, value in changes.items():
        setattr(row, name, value)
    db.session.commit()
    return row


@blp.route("/commissions/balances", methods=["GET"])
@blp.requires(Role.STAFF)
@blp.arguments(BalancesQuerySchema, location="query")
@blp.response(200, BalanceSchema(many=True))
@blp.paginate(RowPage, page_size=50)
def commission_balances(query):
    """Pending, available and paid-out commission per leader (and referrer)"""
    return views.all_balances(query["negative_only"])


@blp.route("/commissions/liability", methods=["GET"])
@blp.requires(Role.STAFF)
@blp.response(200, LiabilitySchema)
def commission_liability():
    """What the store owes in commission, pending and available"""
    return views.liability()


@blp.route("/commissions/accounts/<id:account_id>/entries", methods=["GET"])
@blp.requires(Role.STAFF)
@blp.response(200, JournalLineSchema(many=True))
@blp.paginate(RowPage, page_size=50)
@blp.errors(404)
def party_commission_entries(account_id):
    """One party's commission lines, newest first"""
    from app.accounts.models import Account

    if db.session.get(Account, account_id) is None:
        raise not_found("account", id=account_id)
    return views.lines_of(account_id)
