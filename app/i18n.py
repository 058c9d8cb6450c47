"""Server-side texts in the reader's language (Flask-Babel, gettext catalogues in app/translations).

Write every text a person reads as ``_("Only %(left)s left", left=3)`` — named placeholders, so a
translation may reorder them. ``_`` is lazy: a message raised in a service is rendered when the
response is written, in the language negotiated for that request (see blueprints/locale.py). Texts
stored or sent outside a request (notifications, outbound messages) are rendered with
``in_locale(tag)`` for their recipient. Error ``code``s stay stable English keys; only messages are
translated. The Chinese catalogue is app/translations/zh_Hans_CN/*.po (Babel expands zh_CN to
zh_Hans_CN and gettext looks for exactly that), in parts per
area, compiled together to LC_MESSAGES/messages.mo at start-up when a part is newer.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Babel, force_locale, gettext, lazy_gettext, ngettext

babel = Babel()
_ = lazy_gettext
gettext_now = gettext
__all__ = ["_", "babel", "gettext_now", "ngettext", "in_locale", "for_reader", "reader_locale", "to_babel", "to_tag",
           "LOCALES"]

# Language tags as the web speaks them (BCP 47) → the catalogue names Babel uses.
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def to_babel(tag: str) -> str:
    return LOCALES.get(tag, tag.replace("-", "_"))


def to_tag(locale) -> str:
    """The tag we speak for a Babel locale (Babel expands zh_CN to zh_Hans_CN; we say zh-CN)."""
    language = str(locale).split("_")[0]
    return "zh-CN" if language == "zh" else language


@contextlib.contextmanager
def in_locale(tag: str | None) -> Iterator[None]:
    """Render texts for someone other than the caller (a notification's recipient)."""
    if not tag:
        yield
        return
    with force_locale(to_babel(tag)):
        yield


def reader_locale(account) -> str:
    """The language to write to someone in, whoever is asking: their saved choice, else the store's
    (not the caller's: a shopper's action may notify a leader who reads the other language)."""
    from flask import current_app

    saved = getattr(account, "locale", None)
    return saved if saved in LOCALES else current_app.config["STORE_LOCALE"]


def for_reader(account) -> contextlib.AbstractContextManager[None]:
    """`with for_reader(account): title = str(_("..."))` renders a stored or sent text for its reader."""
    return in_locale(reader_locale(account))


def format_day(day) -> str:
    """A date for a reader, in the language being rendered: 2027年3月1日 / Mar 1, 2027."""
    from flask_babel import format_date

    return format_date(day, "medium")


def format_money(cents: int, currency: str | None = None) -> str:
    """An amount in minor units for a reader: ¥12.50 in both languages (narrow symbol, never CN¥)."""
    from babel.numbers import format_currency, get_currency_precision
    from flask import current_app
    from flask_babel import get_locale

    code = currency or current_app.config["STORE_CURRENCY"]
    amount = cents / 10 ** get_currency_precision(code)
    return format_currency(amount, code, locale=get_locale() or "en", currency_digits=True,
                           format_type="standard").replace("CN¥", "¥")


class Day:
    """A date that formats itself when a message is rendered, so a text made now for someone else
    (a notification) shows it in the reader's language: _("Pick up on %(day)s", day=Day(d))."""

    def __init__(self, day):
        self.day = day

    def __str__(self) -> str:
        return format_day(self.day)


def format_when(moment) -> str:
    """A moment on the store's clock, 24-hour: 2026年12月4日 14:05 / Dec 4, 2026 14:05."""
    from flask_babel import format_date, format_time

    return f"{format_date(moment, 'medium')} {format_time(moment, 'HH:mm')}"


class When:
    """A moment that formats itself (store time zone, 24-hour) at rendering time, like Day."""

    def __init__(self, moment):
        self.moment = moment

    def __str__(self) -> str:
        return format_when(self.moment)


class Money:
    """An amount (minor units) that formats itself at rendering time, like Day."""

    def __init__(self, cents: int, currency: str | None = None):
        self.cents, self.currency = cents, currency

    def __str__(self) -> str:
        return format_money(self.cents, self.currency)


def catalogue_parts(locale_dir: Path) -> list[Path]:
    """A language's catalogue is kept in parts, one .po per area of the product (errors.po,
    payments.po, aftersales.po ...), so that work on different areas never edits the same file."""
    return sorted(locale_dir.glob("*.po"))


def read_catalogue(locale_dir: Path) -> Catalog:
    """All parts of one language as one catalogue (a msgid in two parts: the first part wins)."""
    merged = Catalog(locale=locale_dir.name)
    for part in catalogue_parts(locale_dir):
        with part.open("rb") as fh:
            for message in read_po(fh, locale=locale_dir.name):
                if message.id and message.id not in merged:
                    merged[message.id] = message
    return merged


def compile_catalogues(root: Path = TRANSLATIONS) -> None:
    """Compile each language's parts into LC_MESSAGES/messages.mo when a part is newer (.mo files
    are build output, not committed)."""
    for locale_dir in (d for d in root.iterdir() if d.is_dir()):
        parts = catalogue_parts(locale_dir)
        mo_path = locale_dir / "LC_MESSAGES" / "messages.mo"
        newest = max((p.stat().st_mtime for p in parts), default=0)
        if not parts or (mo_path.exists() and mo_path.stat().st_mtime >= newest):
            continue
        mo_path.parent.mkdir(exist_ok=True)
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, read_catalogue(locale_dir))
        tmp.replace(mo_path)  # atomic: two workers starting together never read half a file
