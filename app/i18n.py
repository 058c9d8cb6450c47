"""Server-side texts in the reader's language (Flask-Babel, gettext catalogues in app/translations).

Write every text a person reads as ``_("Only %(left)s left", left=3)`` — named placeholders, so a
translation may reorder them. ``_`` is lazy: a message raised in a service is rendered when the
response is written, in the language negotiated for that request (see blueprints/locale.py). Texts
stored or sent outside a request (notifications, outbound messages) are rendered with
``in_locale(tag)`` for their recipient. Error ``code``s stay stable English keys; only messages are
translated. The Chinese catalogue is app/translations/zh_Hans_CN (Babel expands zh_CN to
zh_Hans_CN and gettext looks for exactly that); it is compiled to .mo at start-up when the .po is newer (``compile``).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Babel, force_locale, gettext, lazy_gettext, ngettext

babel = Babel()
_ = lazy_gettext
gettext_now = gettext
__all__ = ["_", "babel", "gettext_now", "ngettext", "in_locale", "to_babel", "to_tag", "LOCALES"]

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


def compile_catalogues(root: Path = TRANSLATIONS) -> None:
    """Compile every messages.po whose .mo is missing or older (the .mo files are not committed)."""
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo_path)  # atomic: two workers starting together never read half a file
