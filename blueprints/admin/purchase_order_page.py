"""The printable purchase order (采购单): one HTML page in the reader's language, no script, its
stylesheet from our own origin (the pages' CSP allows nothing inline)."""
from __future__ import annotations

from flask import request
from flask_babel import get_locale
from markupsafe import escape

from app.clock import store_tz
from app.i18n import _, format_money, gettext_now, to_tag
from app.purchasing.models import PurchaseOrder

# Outside the f-strings below, where the message extractor would not see them.
LABEL = {"supplier": _("Supplier"), "contact": _("Contact"), "delivery_date": _("Delivery date"),
         "status": _("Status"), "made_at": _("Made at"), "note": _("Note"), "total": _("Total")}
STATUS = {"draft": _("Draft"), "sent": _("Sent"), "partly_received": _("Partly received"),
          "received": _("Received"), "cancelled": _("Cancelled")}


def _cells(values, tag: str = "td") -> str:
    return "".join(f"<{tag}>{escape(v)}</{tag}>" for v in values)


def render_purchase_order(po: PurchaseOrder, lines: list[dict]) -> str:
    supplier = po.supplier
    head = _cells([gettext_now("SKU"), gettext_now("Product"), gettext_now("Variant"), gettext_now("Quantity"),
                   gettext_now("Unit cost"), gettext_now("Line cost")], "th")
    body = "".join(f"<tr>{_cells([ln['sku_code'], ln['product_name'], ln['sku_name'], ln['quantity'], format_money(ln['unit_cost_cents']), format_money(ln['line_cost_cents'])])}</tr>"  # noqa: E501
                   for ln in lines)
    contact = " · ".join(str(x) for x in (supplier.contact_name, supplier.phone, supplier.email, supplier.address) if x)
    created = po.created_at.astimezone(store_tz()).strftime("%Y-%m-%d %H:%M")
    title = gettext_now("Purchase order %(number)s", number=po.number)
    lang = to_tag(get_locale())
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><link rel="stylesheet" href="{escape(request.url_root)}static/print.css"></head>
<body class="print-page"><h1>{escape(title)}</h1>
<dl><dt>{escape(LABEL["supplier"])}</dt><dd>{escape(supplier.name)}</dd>
<dt>{escape(LABEL["contact"])}</dt><dd>{escape(contact or "—")}</dd>
<dt>{escape(LABEL["delivery_date"])}</dt><dd>{po.delivery_date.isoformat()}</dd>
<dt>{escape(LABEL["status"])}</dt><dd>{escape(STATUS[po.status.value])}</dd>
<dt>{escape(LABEL["made_at"])}</dt><dd>{created}</dd>
<dt>{escape(LABEL["note"])}</dt><dd>{escape(po.note or "—")}</dd></dl>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>
<tfoot><tr><th colspan="5">{escape(LABEL["total"])}</th><td>{escape(format_money(po.total_cents))}</td></tr></tfoot>
</table></body></html>"""
