"""CSV downloads (pick lists, analytics) for spreadsheets and warehouse systems."""
from __future__ import annotations

import csv
import io

from flask import Response

from app.i18n import _, gettext_now

# A text cell starting with one of these is run as a formula by spreadsheet programs; shopper names
# and campaign names are user input, so such cells get a leading apostrophe (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


# Column headers in the caller's language. The msgid is the column's stable id, which is what an
# English reader gets (integrations read those ids); zh-CN readers get a Chinese label.
COLUMN_LABELS = {
    "order": _("order"), "pickup_code": _("pickup_code"), "shopper": _("shopper"), "sku": _("sku"),
    "product": _("product"), "variant": _("variant"), "quantity": _("quantity"), "pickup_points": _("pickup_points"),
    "from_cents": _("from_cents"), "to_cents": _("to_cents"), "customers": _("customers"), "referrers": _("referrers"),
    "cohort": _("cohort"), "leader_id": _("leader_id"), "leader_name": _("leader_name"), "orders": _("orders"),
    "sales_cents": _("sales_cents"), "unique_buyers": _("unique_buyers"), "repurchase_rate": _("repurchase_rate"),
    "commission_cents": _("commission_cents"), "pickup_rate": _("pickup_rate"),
    "uncollected_rate": _("uncollected_rate"), "campaign_id": _("campaign_id"), "name": _("name"), "kind": _("kind"),
    "status": _("status"), "stock_total": _("stock_total"), "sold": _("sold"),
    "sell_through_pct": _("sell_through_pct"), "revenue_cents": _("revenue_cents"), "month": _("month"),
    "buyers": _("buyers"), "returning": _("returning"), "days": _("days"), "repeated": _("repeated"),
    "repeat_rate": _("repeat_rate"),
    # purchasing (app/purchasing) and margin (app/analytics/margin.py)
    "purchase_order": _("purchase_order"), "supplier": _("supplier"), "delivery_date": _("delivery_date"),
    "unit_cost_cents": _("unit_cost_cents"), "line_cost_cents": _("line_cost_cents"), "supplier_id": _("supplier_id"),
    "purchase_orders": _("purchase_orders"), "ordered": _("ordered"), "accepted": _("accepted"),
    "rejected": _("rejected"), "short": _("short"), "discrepancy_rate": _("discrepancy_rate"),
    "reject_reasons": _("reject_reasons"), "key": _("key"), "units": _("units"), "cost_cents": _("cost_cents"),
    "margin_cents": _("margin_cents"), "margin_pct": _("margin_pct"), "uncosted_units": _("uncosted_units"),
    # the audit log export (app/staff/audit.py CSV_HEADER)
    "id": _("id"), "at": _("at"), "actor_id": _("actor_id"), "actor_name": _("actor_name"),
    "actor_role": _("actor_role"), "action": _("action"), "method": _("method"), "path": _("path"),
    "object_type": _("object_type"), "object_id": _("object_id"), "ip_address": _("ip_address"),
    "request_id": _("request_id"), "changes": _("changes"),
}


def column_label(column: str) -> str:
    if column in COLUMN_LABELS:
        return str(COLUMN_LABELS[column])
    if column.startswith("month_") and column[6:].isdigit():  # cohort tables: month_0, month_1 ...
        return gettext_now("month_%(n)s", n=column[6:])
    return column


def csv_response(filename: str, header: list[str], rows: list[list], *, translate: bool = True) -> Response:
    """translate=False keeps a fixed machine header (the bank's payout file)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column_label(c) for c in header] if translate else header)
    writer.writerows([_safe(v) for v in row] for row in rows)
    # A UTF-8 BOM so spreadsheet programs read Chinese product names correctly.
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
