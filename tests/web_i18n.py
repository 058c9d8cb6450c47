"""Reading the web client's texts for the i18n checks (tests/unit/test_web_i18n.py, tests/e2e).

- The catalogues (static/js/i18n/<lang>.js) are `export default { "key": "text", ... };` with JSON
  values (a plural entry is an object of plural forms); `//` comment lines are allowed.
- JS string literals are read with tree-sitter's JavaScript grammar (real tokens: no regex or
  comment is mistaken for a string).
- HTML is read with the standard library's parser: fixed text lives in `data-i18n` attributes.

What counts as user-visible text in a literal, and the allow-list of non-text literals that look
like words, are below; docs/i18n.md ("Web client") explains them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import tree_sitter_javascript
from tree_sitter import Language, Parser

STATIC = Path(__file__).resolve().parents[1] / "static"
I18N = STATIC / "js" / "i18n"
LANGS = ("zh-CN", "en")
KEY_PREFIXES = ("common", "status", "index", "notfound", "shop", "leader", "admin")
KEY = re.compile(rf"^(?:{'|'.join(KEY_PREFIXES)})(?:\.[A-Za-z0-9_]+)+$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

# Literals that look like words but are not text a person reads: HTTP header names, the
# authorisation scheme and key names of keyboard events. A literal is compared whole (after its
# ${…} parts are taken out and it is trimmed).
NON_TEXT = frozenset({
    "Accept", "Accept-Language", "Authorization", "Bearer", "Content-Disposition", "Content-Type", "Idempotency-Key",
    "X-Payout-Count", "ArrowLeft", "ArrowRight", "End", "Enter", "Escape", "Home",
})
# Object keys whose values are markup, not text: el("p", "", {class: "card order"}).
MARKUP_PROPERTIES = frozenset({"class", "id", "role", "type", "inputmode", "autocomplete", "href", "rel", "style"})
# Latin words a zh-CN text may keep: product and format names.
LATIN_IN_CHINESE = frozenset({"API", "CSV", "English", "JSON", "OpenAPI", "Stripe", "js"})

_TWO_WORDS = re.compile(r"[A-Za-z]{2,}[ \t\u00a0]+[A-Za-z]{2,}")
_CAPITALISED = re.compile(r"(?<![A-Za-z])[A-Z][a-z]{2,}")


def looks_like_text(literal: str) -> bool:
    """Whether a string literal reads as words for a person: any Chinese, two words in a row, or a
    capitalised word ("Wallet", "Pay now", "Nothing here yet."). Lower-case single words ("div",
    "secondary", "bar") are taken as identifiers; the browser tests catch one shown on a page."""
    bare = re.sub(r"\$\{[^}]*\}|\x00", " ", literal).strip()
    if not bare or bare in NON_TEXT:
        return False
    return bool(CJK.search(bare) or _TWO_WORDS.search(bare) or _CAPITALISED.search(bare))


# --- catalogues ---------------------------------------------------------------------------------

def parse_catalogue(source: str) -> dict:
    body = source[source.index("export default {") + len("export default "):source.rindex("};") + 1]
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("//"))
    body = re.sub(r",(\s*})", r"\1", body)  # JSON has no trailing commas
    return json.loads(body)


@cache
def catalogue(lang: str) -> dict:
    return parse_catalogue((I18N / f"{lang}.js").read_text(encoding="utf-8"))


def forms(entry) -> list[str]:
    """The texts of an entry: one, or each plural form."""
    return list(entry.values()) if isinstance(entry, dict) else [entry]


def placeholders(entry) -> set[str]:
    return {name for text in forms(entry) for name in PLACEHOLDER.findall(text)}


def text(key: str, lang: str = "zh-CN", **params) -> str:
    """What t(key, params) shows in `lang` (the same rules as static/js/i18n/index.js)."""
    entry = catalogue(lang)[key]
    if isinstance(entry, dict):
        count = int(params.get("count", 0))
        form = "one" if lang == "en" and count == 1 else "other"
        entry = entry.get(f"={count}", entry.get(form, entry["other"]))
    return PLACEHOLDER.sub(lambda m: str(params[m[1]]) if m[1] in params else m[0], entry)


# --- JavaScript ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    path: Path
    line: int
    value: str          # the literal's text; a template's ${…} parts are "${}"
    template: bool
    t_key: bool         # the first argument of a t(…) call
    property_name: bool  # a key of an object literal ({"Idempotency-Key": …})
    property_of: str     # the key whose value it is ({class: "card order"} → "class"), else ""

    @property
    def is_code(self) -> bool:
        """Not text, whatever it looks like: a key, an object's key, or a markup attribute's value."""
        return self.property_name or self.property_of in MARKUP_PROPERTIES

    def where(self) -> str:
        return f"{self.path.relative_to(STATIC.parent)}:{self.line}: {self.value!r}"


_PARSER = Parser(Language(tree_sitter_javascript.language()))


def js_files() -> list[Path]:
    """The client's own scripts: not the catalogues (they are the text) and not vendor/."""
    return sorted(p for p in (STATIC / "js").rglob("*.js") if p.parent != I18N or p.name == "index.js")


def _value(node) -> str:
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(child.text.decode())
        elif child.type == "escape_sequence":
            parts.append(child.text.decode().encode().decode("unicode_escape"))
        elif child.type == "template_substitution":
            parts.append("${}")
    return "".join(parts)


def _is_t_key(node) -> bool:
    args = node.parent
    if args is None or args.type != "arguments" or args.named_children[:1] != [node]:
        return False
    call = args.parent
    return call.type == "call_expression" and call.child_by_field_name("function").text == b"t"


def _property_of(node) -> str:
    """The object key a literal is the value of, through ?: and + ({class: x ? "a b" : "c"} → "class")."""
    while node.parent.type in ("ternary_expression", "binary_expression", "parenthesized_expression"):
        node = node.parent
    parent = node.parent
    if parent.type != "pair" or parent.child_by_field_name("key") == node:
        return ""
    return parent.child_by_field_name("key").text.decode().strip("\"'")


def literals(path: Path, source: bytes | None = None) -> list[Literal]:
    source = path.read_bytes() if source is None else source
    found = []
    stack = [_PARSER.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type in ("string", "template_string"):
            parent = node.parent
            if parent.type not in ("import_statement", "export_statement"):
                key = parent.child_by_field_name("key") if parent.type == "pair" else None
                found.append(Literal(path, node.start_point[0] + 1, _value(node), node.type == "template_string",
                                     _is_t_key(node), key == node, _property_of(node)))
        stack.extend(reversed(node.children))
    return found


# --- HTML ---------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class _Page(HTMLParser):
    """Collects the keys a page names and the text it holds outside them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, text allowed inside: script, style, translate="no")
        self.keys: list[str] = []
        self.bare: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name == "data-i18n" or (name.startswith("data-i18n-") and name[len("data-i18n-"):] in TEXT_ATTRIBUTES):
                self.keys.append(value or "")
            elif name in TEXT_ATTRIBUTES and value and re.search(r"[A-Za-z]|" + CJK.pattern, value):
                self.bare.append((self.getpos()[0], f'{name}="{value}"'))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.bare.append((self.getpos()[0], f'value="{attrs["value"]}"'))
        if tag not in VOID:
            exempt = tag in ("script", "style") or attrs.get("translate") == "no"
            self.stack.append((tag, exempt or (bool(self.stack) and self.stack[-1][1])))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if (self.stack and self.stack[-1][1]) or not re.search(r"[A-Za-z]|" + CJK.pattern, data):
            return
        self.bare.append((self.getpos()[0], data.strip()))


def html_files() -> list[Path]:
    return sorted(STATIC.glob("*.html"))


def read_page(source: str) -> _Page:
    page = _Page()
    page.feed(source)
    page.close()
    return page
