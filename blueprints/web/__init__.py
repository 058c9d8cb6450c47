"""Pages of the reference web client in static/: the group link lands here."""
from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

from app.errors import NotFound
from app.groups.bindings import resolve_link

bp = Blueprint("web", __name__)


def _page(name: str, status: int = 200):
    response = send_from_directory(current_app.static_folder, name, max_age=0)
    response.status_code = status
    return response


@bp.get("/")
def home():
    return _page("index.html")


@bp.get("/g/<code>")
def group_link(code: str):
    """A group link shared in a chat: the shop page if the code is ours, a friendly 404 if not."""
    try:
        resolve_link(code)
    except NotFound:
        return _page("not-found.html", 404)
    return _page("shop.html")


@bp.get("/leader")
def leader_console():
    """The group leader's pickup console (also where Stripe onboarding returns to)."""
    return _page("leader.html")


@bp.get("/admin")
def merchant_dashboard():
    """The merchant's dashboard: orders, campaigns, leaders, batches, payouts, analytics."""
    return _page("admin.html")


@bp.get("/driver")
def driver_page():
    """The driver's phone page: today's route runs, stops in order, delivered marks."""
    return _page("driver.html")


@bp.get("/admin/route-sheet")
def route_sheet():
    """A route run's printable sorting sheet or loading manifest (?run=<id>&kind=sorting|manifest)."""
    return _page("route-sheet.html")
