"""The web client's texts stay translated: both catalogues hold the same keys with the same
placeholders, every key is used, every key used exists, and no text a person reads is written
into static/ outside the catalogues (docs/i18n.md, "Web client")."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web_i18n import (
    KEY,
    LANGS,
    LATIN_IN_CHINESE,
    catalogue,
    forms,
    html_files,
    js_files,
    literals,
    looks_like_text,
    parse_catalogue,
    placeholders,
    read_page,
)


def all_literals():
    return [lit for path in js_files() for lit in literals(path)]


def test_both_catalogues_hold_the_same_keys():
    zh, en = (set(catalogue(lang)) for lang in LANGS)
    assert zh == en, {"only in zh-CN": sorted(zh - en), "only in en": sorted(en - zh)}
    assert len(zh) > 300  # the whole client, not a stub


def test_keys_are_dotted_names_under_a_known_section():
    bad = [key for key in catalogue("en") if not KEY.match(key)]
    assert bad == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_entry_is_text_or_plural_forms_with_an_other(lang):
    def plural(entry) -> bool:
        return isinstance(entry, dict) and "other" in entry and all(isinstance(v, str) and v for v in entry.values())

    bad = [key for key, entry in catalogue(lang).items()
           if not (isinstance(entry, str) and entry.strip() or plural(entry))]
    assert bad == []


def test_both_languages_fill_the_same_placeholders():
    zh, en = catalogue("zh-CN"), catalogue("en")
    differ = {key: (sorted(placeholders(zh[key])), sorted(placeholders(en[key])))
              for key in en if placeholders(zh[key]) != placeholders(en[key])}
    assert differ == {}


def test_chinese_texts_are_translated():
    """A zh-CN entry keeps no English words beyond product and format names (Stripe, CSV, API…)."""
    english = {key: text for key, entry in catalogue("zh-CN").items() for text in forms(entry)
               if set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", text))) - LATIN_IN_CHINESE}
    assert english == {}


def used_keys() -> set[str]:
    from_js = {lit.value for lit in all_literals() if KEY.match(lit.value)}
    from_html = {key for path in html_files() for key in read_page(path.read_text(encoding="utf-8")).keys}
    return from_js | from_html


def test_every_catalogue_key_is_used_somewhere_in_static():
    unused = sorted(set(catalogue("en")) - used_keys())
    assert unused == [], f"unused keys (remove them, or use them): {unused}"


def test_every_key_the_pages_name_is_in_the_catalogues():
    """A t("…") argument, a data-i18n attribute and every key-shaped literal (the status maps)."""
    named = {lit.where(): lit.value for lit in all_literals() if lit.t_key or KEY.match(lit.value)}
    for path in html_files():
        named |= {f"{path.name}: {key}": key for key in read_page(path.read_text(encoding="utf-8")).keys}
    missing = {where: key for where, key in named.items() if key not in catalogue("en")}
    assert missing == {}


def test_t_is_called_with_literal_keys_only():
    """t(`shop.${x}`) would hide keys from the checks above: a computed key must be a literal elsewhere."""
    computed = [lit.where() for lit in all_literals() if lit.t_key and lit.template]
    assert computed == []


def test_no_text_in_the_scripts_bypasses_t():
    bypass = [lit.where() for lit in all_literals()
              if not lit.t_key and not lit.is_code and not KEY.match(lit.value) and looks_like_text(lit.value)]
    assert bypass == [], "user-visible text must come from the catalogues through t(): " + "; ".join(bypass)


@pytest.mark.parametrize("path", html_files(), ids=lambda p: p.name)
def test_no_text_in_the_pages_outside_data_i18n(path):
    page = read_page(path.read_text(encoding="utf-8"))
    assert page.bare == []
    assert re.search(r'<html lang="zh-CN">', path.read_text(encoding="utf-8"))  # zh-CN until the script picks


def test_the_scanner_catches_a_new_sentence_and_lets_code_through(tmp_path: Path):
    """The checks above are only as good as this: what a contributor might add, it must catch."""
    script = tmp_path / "new.js"
    script.write_text("\n".join([
        'el("p", "Your parcel is here.");', 'el("button", "Retry");', "box.textContent = `Only ${n} left`;",
        'el("p", "到货了");', 'el("div", "", { class: "card secondary" });',
        'headers["Content-Type"] = "application/json";', 'const re = /"Not a string"/; // "Not a string either"',
        't("shop.title"); label("order", "paid");']), encoding="utf-8")
    caught = [lit.value for lit in literals(script)
              if not lit.t_key and not lit.is_code and not KEY.match(lit.value) and looks_like_text(lit.value)]
    assert caught == ["Your parcel is here.", "Retry", "Only ${} left", "到货了"]
    page = read_page('<p>Hello there</p><p data-i18n="shop.title"></p><button aria-label="Close"></button>'
                     '<code translate="no">/g/ABCD2345</code>'
                     '<label><span data-i18n="shop.auth.name"></span> <input></label>')
    assert page.bare == [(1, "Hello there"), (1, 'aria-label="Close"')]
    assert page.keys == ["shop.title", "shop.auth.name"]


def test_the_catalogue_format_allows_comments_and_trailing_commas():
    source = '// header\nexport default {\n  // section\n  "a.b": "x",\n  "a.c": {"one": "1", "other": "n"},\n};\n'
    assert parse_catalogue(source) == {"a.b": "x", "a.c": {"one": "1", "other": "n"}}

