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

from app.i18n import catalogue_parts, read_catalogue

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "app/translations/zh_Hans_CN"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extract(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_", "-k", "gettext_now",
                    "-o", str(pot), "app", "blueprints"], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return read_po(fh)


def _catalogue():
    return read_catalogue(ZH)


def test_every_server_message_has_a_chinese_translation(tmp_path):
    template, zh = _extract(tmp_path), _catalogue()
    missing = [m.id for m in template if m.id and (m.id not in zh or not zh[m.id].string or zh[m.id].fuzzy)]
    assert not missing, f"add zh-CN translations (a part in {ZH.relative_to(ROOT)}/) for: {missing}"


def test_catalogue_has_no_unused_messages(tmp_path):
    used = {m.id for m in _extract(tmp_path) if m.id}
    unused = [m.id for m in _catalogue() if m.id and m.id not in used]
    assert not unused, f"remove from {ZH.relative_to(ROOT)}/*.po (no longer in the code): {unused}"


def test_translations_keep_their_placeholders():
    wrong = [m.id for m in _catalogue() if m.id and m.string
             and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))]
    assert not wrong, f"placeholders differ between English and Chinese: {wrong}"


def test_no_message_is_translated_in_two_parts():
    seen: dict[str, str] = {}
    twice = []
    for part in catalogue_parts(ZH):
        with part.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.id in seen:
                    twice.append((message.id, seen[message.id], part.name))
                seen.setdefault(message.id, part.name)
    assert not twice, f"each msgid belongs in one part: {twice}"
