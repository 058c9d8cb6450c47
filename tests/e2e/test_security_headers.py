"""Every HTML page is sent with a Content-Security-Policy (no inline script or style), frame and
sniffing protection and a referrer policy, and loads in a real browser without a CSP violation."""
from __future__ import annotations

import pytest

from tests.factories import code_of, make_group, make_leader

PAGES = {  # path → something the page draws once its scripts ran
    "/": "#language-switch select, #language-switch button",
    "/g/{code}": "#login-form",
    "/g/NO-SUCH-LINK": "#language-switch select, #language-switch button",
    "/leader": "#login-form",
    "/admin": "#login-form",
    "/api/docs": ".swagger-ui .info .title",
}


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


@pytest.mark.parametrize("path", PAGES)
def test_the_page_sends_security_headers_and_runs_without_a_csp_violation(live_server, page, path):
    group = make_group(make_leader())
    violations = _watch_csp(page)
    response = page.goto(live_server + path.format(code=code_of(group)))
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    page.locator(PAGES[path]).first.wait_for()
    page.wait_for_load_state("networkidle")
    assert violations == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_an_inline_script_would_be_blocked(live_server, page):
    """The policy is really enforced: a script added inline to a page does not run."""
    violations = _watch_csp(page)
    page.goto(live_server + "/")
    page.evaluate("""() => { const s = document.createElement('script');
                              s.textContent = 'window.__ran = true'; document.body.append(s); }""")
    assert page.evaluate("() => window.__ran === undefined")
    assert any("inline script" in v for v in violations)
