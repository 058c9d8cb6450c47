"""The permissions an admin operation can require, and the built-in roles that bundle them.

Permissions are data declared on each route (`@blp.requires(Role.STAFF, "campaigns.approve")`),
so the OpenAPI document lists them and a test fails on a route that declares none. A role is just a
set of these keys: the built-in ones below, or a custom one an owner makes (app/staff/models.py).
"""
from __future__ import annotations

from app.i18n import _

# Every logged-in staff member may see and log out themselves, whatever their role.
SELF = "self"

PERMISSIONS: dict[str, object] = {
    "analytics.read": _("Read analytics and reports"),
    "audit.read": _("Read and export the audit log"),
    "batches.read": _("See delivery batches and pick lists"),
    "batches.manage": _("Close and dispatch delivery batches"),
    "campaigns.read": _("See campaigns and their numbers"),
    "campaigns.edit": _("Create, edit and submit campaigns"),
    "campaigns.approve": _("Approve or reject submitted campaigns"),
    "catalog.read": _("See products and categories"),
    "catalog.edit": _("Edit products, SKUs, stock and categories"),
    "commissions.read": _("See commission rules, balances and journals"),
    "commissions.rules": _("Change commission rules and settings"),
    "coupons.manage": _("Make, issue and void coupons"),
    "groups.read": _("See groups and their members"),
    "groups.manage": _("Create, edit and transfer groups"),
    "leaders.read": _("See leaders and applications"),
    "leaders.manage": _("Approve, reject, suspend and reinstate leaders"),
    "lotteries.read": _("See lotteries"),
    "lotteries.manage": _("Run lotteries"),
    "loyalty.read": _("See the loyalty programme and tiers"),
    "loyalty.manage": _("Change the loyalty programme, tiers and wallet bonuses"),
    "orders.read": _("See orders and refunds"),
    "orders.manage": _("Cancel orders and move their pickup point"),
    "orders.refund": _("Refund orders"),
    "payouts.read": _("See payouts"),
    "payouts.approve": _("Approve or reject payouts"),
    "payouts.send": _("Send, export and mark payouts paid; set payout accounts"),
    "pickup_points.read": _("See pickup points"),
    "pickup_points.manage": _("Edit pickup points and closures"),
    "pickups.verify": _("Hand orders over against their pickup code"),
    "routes.read": _("See delivery routes, route runs, sorting sheets and loading manifests"),
    "routes.manage": _("Edit delivery routes, plan route runs and assign their drivers"),
    "routes.drive": _("See one's own route runs and mark their stops delivered"),
    "posts.read": _("See share posts"),
    "posts.moderate": _("Hide and unhide share posts"),
    "settings.read": _("See the store settings"),
    "settings.manage": _("Change the store settings"),
    "shoppers.read": _("See shoppers"),
    "shoppers.points": _("Adjust a shopper's points"),
    "staff.manage": _("Invite staff, change their roles, deactivate them; manage roles"),
    "stock.read": _("See stock movements, locations and count sheets"),
    "stock.manage": _("Write off stock, transfer it, and run stock-takes"),
    "subscriptions.read": _("See subscriptions and plans"),
    "subscriptions.manage": _("Edit subscription plans"),
}

# Held only by owners: a custom role may not include them, so nobody below an owner can grant
# themselves more or read what others did.
OWNER_ONLY = frozenset({"staff.manage", "audit.read"})

READ_ALL = frozenset(p for p in PERMISSIONS if p.endswith(".read") and p not in OWNER_ONLY)

BUILTIN_ROLES: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "operations": frozenset({
        "analytics.read", "batches.read", "campaigns.read", "campaigns.edit", "campaigns.approve", "catalog.read",
        "catalog.edit", "commissions.read", "coupons.manage", "groups.read", "groups.manage", "leaders.read",
        "leaders.manage", "lotteries.read", "lotteries.manage", "loyalty.read", "loyalty.manage", "orders.read",
        "orders.manage", "pickup_points.read", "pickup_points.manage", "posts.read", "posts.moderate",
        "settings.read", "shoppers.read", "shoppers.points", "subscriptions.read", "subscriptions.manage",
        "stock.read", "stock.manage"}),
    "finance": frozenset({
        "analytics.read", "commissions.read", "commissions.rules", "orders.read", "orders.refund", "payouts.read",
        "payouts.approve", "payouts.send", "settings.read", "shoppers.read", "loyalty.read", "campaigns.read",
        "leaders.read", "stock.read"}),
    "warehouse": frozenset({"batches.read", "batches.manage", "catalog.read", "catalog.edit", "orders.read",
                            "pickup_points.read", "routes.read", "routes.manage", "stock.read", "stock.manage"}),
    "driver": frozenset({"batches.read", "pickups.verify", "pickup_points.read", "routes.drive"}),
    "customer_service": frozenset({
        "orders.read", "orders.manage", "orders.refund", "shoppers.read", "shoppers.points", "posts.read",
        "posts.moderate", "groups.read", "leaders.read", "pickup_points.read", "subscriptions.read",
        "catalog.read", "campaigns.read", "coupons.manage", "pickups.verify"}),
}

ROLE_NAMES: dict[str, object] = {
    "owner": _("Owner"),
    "operations": _("Operations"),
    "finance": _("Finance"),
    "warehouse": _("Warehouse"),
    "driver": _("Driver"),
    "customer_service": _("Customer service"),
}


def is_known(permission: str) -> bool:
    return permission == SELF or permission in PERMISSIONS
