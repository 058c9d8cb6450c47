"""Language checks for the browser tests: what a page shows is all in the page's language.

Everything the API sent (names, addresses, codes, and for now the server's own messages) is data,
not the client's text: the page records the API's answers (`record_api`), and their strings are
taken out of what is on screen before it is read. What remains must be Chinese in zh-CN (no Latin
word outside ALLOWED_LATIN) and free of Chinese in English.
"""
from __future__ import annotations

import contextlib
import re

from tests.e2e.artifacts import screenshot
from tests.web_i18n import CJK, catalogue, text

# Names and codes a zh-CN page may show in Latin letters: product/format names kept in the zh-CN
# catalogue (Stripe, CSV, API…), the language menu's "English", and Chart.js's own axis numbers.
ALLOWED_LATIN = frozenset({"API", "CSV", "English", "JSON", "OpenAPI", "Stripe", "js"})
LANGUAGE_NAMES = (catalogue("en")["common.language.zh"], catalogue("en")["common.language.en"])


def T(key: str, lang: str = "zh-CN", **params) -> str:  # noqa: N802 - reads like the client's t()
    """The text the client shows for `key` (zh-CN unless `lang` says otherwise)."""
    return text(key, lang, **params)


def record_api(page) -> None:
    """Keep the strings of every API answer the page receives (read as they arrive)."""
    page.api_strings = set()

    def keep(response):
        if "/api/v1/" not in response.url or "json" not in (response.headers.get("content-type") or ""):
            return
        with contextlib.suppress(Exception):  # a body the browser already dropped (a reload): nothing to keep
            _collect(response.json(), page.api_strings)

    page.on("response", keep)


def _collect(value, into: set[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _collect(item, into)
    elif isinstance(value, list):
        for item in value:
            _collect(item, into)
    elif isinstance(value, str) and not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        into.add(value)  # enum-like values ("ready_for_pickup") are not data: the page must label them


SHOWN = """() => {
  const parts = [document.title, document.body.innerText];
  // Marked as not to be translated (translate="no"): an example code, a URL.
  const exempt = [...document.querySelectorAll('[translate="no"]')].map((node) => node.innerText);
  for (const node of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (node.hasAttribute(name)) parts.push(node.getAttribute(name));
    }
  }
  for (const canvas of document.querySelectorAll('canvas')) {
    const chart = window.Chart?.getChart(canvas);
    if (!chart) continue;
    parts.push(...(chart.data.labels || []).map(String), ...chart.data.datasets.map((d) => d.label || ''));
    for (const scale of Object.values(chart.options.scales || {})) parts.push(scale.title?.text || '');
  }
  return {shown: parts.join('\\n'), exempt};
}"""


def shown_text(page) -> str:
    """What the page shows (text, labels for assistive technology, chart labels) less the API's data."""
    seen = page.evaluate(SHOWN)
    shown = seen["shown"]
    for data in sorted([*getattr(page, "api_strings", ()), *seen["exempt"]], key=len, reverse=True):
        shown = shown.replace(data, " ")
    for name in LANGUAGE_NAMES:  # the language menu names each language in its own words
        shown = shown.replace(name, " ")
    return shown


def assert_in_language(page, lang: str, shot: str | None = None) -> None:
    """The page is in `lang`: <html lang>, and no word of the other language outside the data."""
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
    shown = shown_text(page)
    if lang == "zh-CN":
        english = sorted(set(re.findall(r"[A-Za-z]{2,}", shown)) - ALLOWED_LATIN)
        assert english == [], f"untranslated English on a zh-CN page: {english}\n{shown}"
        assert CJK.search(shown), "a zh-CN page shows Chinese"
    else:
        chinese = CJK.findall(shown)
        assert chinese == [], f"Chinese on an English page: {''.join(chinese)}\n{shown}"
    assert "CN¥" not in shown  # ¥ in both languages
    assert not re.search(r"\b\d{1,2}:\d{2}\s?(AM|PM|am|pm|上午|下午)", shown), "24-hour times only"
    if shot:
        screenshot(page, f"{shot}-{lang}")


def switch_language(page, lang: str) -> None:
    """Choose `lang` in the page's language menu; the page reloads in it."""
    with page.expect_navigation():
        page.locator("#language").select_option(lang)
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)


def new_page(browser, locale: str = "zh-CN", **context):
    """A page in a fresh browser context (its own storage, so its own login) whose browser language
    is `locale`; it records console errors (`page.console_errors`) and the API's answers."""
    page = browser.new_context(locale=locale, **context).new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    record_api(page)
    return page


def T_pattern(key: str, lang: str = "zh-CN", **params) -> re.Pattern:  # noqa: N802
    """The text of `key` as a whole-string pattern, each placeholder not given matching anything."""
    marker = "\x00"
    names = re.findall(r"\{(\w+)\}", str(catalogue(lang)[key]))
    filled = text(key, lang, **{name: marker for name in names} | params)
    return re.compile("^" + re.escape(filled).replace(marker, ".*") + "$")


WEEKDAYS_ZH = "一二三四五六日"


def zh_datetime(moment) -> str:
    """An aware datetime as the zh-CN pages show it on the store's clock (Asia/Shanghai in tests)."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return f"{local.year}年{local.month}月{local.day}日周{WEEKDAYS_ZH[local.weekday()]} {local:%H:%M}"
