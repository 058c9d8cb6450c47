"""Every server text a person reads has a zh_CN translation: `pybabel extract` over app/ and
blueprints/ (as CI runs it) must find no msgid the catalogue leaves empty, fuzzy or missing, and the
catalogue must hold no msgid the code no longer uses. Placeholders must match, or a translation would
raise KeyError when rendered."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extract(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_", "-k", "gettext_now",
                    "-o", str(pot), "app", "blueprints"], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return read_po(fh)


def _catalogue():
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh_Hans_CN")


def test_every_server_message_has_a_chinese_translation(tmp_path):
    template, zh = _extract(tmp_path), _catalogue()
    missing = [m.id for m in template if m.id and (m.id not in zh or not zh[m.id].string or zh[m.id].fuzzy)]
    assert not missing, f"add zh_CN translations to {PO.relative_to(ROOT)} for: {missing}"


def test_catalogue_has_no_unused_messages(tmp_path):
    used = {m.id for m in _extract(tmp_path) if m.id}
    unused = [m.id for m in _catalogue() if m.id and m.id not in used]
    assert not unused, f"remove from {PO.relative_to(ROOT)} (no longer in the code): {unused}"


def test_translations_keep_their_placeholders():
    wrong = [m.id for m in _catalogue() if m.id and m.string
             and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))]
    assert not wrong, f"placeholders differ between English and Chinese: {wrong}"
