"""Telling the shopper about their request, in the shopper's language (rendered now, outside the
request of whoever caused the change)."""
from __future__ import annotations

from flask import current_app

from app.accounts.models import Account
from app.aftersales.models import AfterSaleRequest
from app.extensions import db
from app.i18n import in_locale
from app.notifications.outbox import Recipient, emit


def tell_shopper(row: AfterSaleRequest, event_type: str, title, body) -> None:
    account = db.session.get(Account, row.account_id)
    with in_locale(getattr(account, "locale", None) or current_app.config["STORE_LOCALE"]):
        title, body = str(title), str(body)
    emit(event_type, {"aftersale_request_id": row.id, "order_id": row.order_id, "order_line_id": row.order_line_id,
                      "status": row.status.value},
         [Recipient(row.account_id, "shopper", title, body)])
