"""What the public shop surfaces show of people (issue 20): a leader's phone only to members of a
group at their pickup point, names of other shoppers by their initial. Staff and the leader's own
console see everything (their schemas do not use these)."""
from __future__ import annotations

from flask import g

from app.accounts.models import Account
from app.groups.bindings import current_binding
from blueprints.auth import bearer_token


def mask_name(name: str | None) -> str | None:
    """陈小明 → 陈**: enough to recognise a neighbour, not to identify a stranger."""
    return f"{name[:1]}**" if name else name


def mask_phone(phone: str | None) -> str | None:
    """+8613800138000 → +86138****8000: the last four digits say whose it is, not how to call."""
    if not phone or len(phone) < 9:
        return "****" if phone else phone
    return f"{phone[:-8]}****{phone[-4:]}"


def viewer() -> Account | None:
    """The logged-in shopper on a route that does not require a login (a group link's landing page,
    nearby points), or None. A missing or expired token is simply no viewer."""
    if "account" in g:
        return g.account
    if "viewer" not in g:
        from app.accounts.services import authenticate

        token = bearer_token()
        g.viewer = authenticate(token) if token else None
    return g.viewer


def viewer_id() -> int | None:
    account = viewer()
    return account.id if account else None


def viewer_point_id() -> int | None:
    """The pickup point of the viewer's current group: its leader's phone is the viewer's to call."""
    if "viewer_point_id" not in g:
        binding = current_binding(viewer_id()) if viewer_id() else None
        g.viewer_point_id = binding.group.pickup_point_id if binding else None
    return g.viewer_point_id


def point_phone(point) -> str | None:
    return point.contact_phone if point.id == viewer_point_id() else mask_phone(point.contact_phone)
