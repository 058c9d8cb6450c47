"""Which language a page chooses (docs/i18n.md): the account's saved choice > this device's choice
> the browser's language > the store's default; and every API call says which (Accept-Language)."""
from __future__ import annotations

from app.extensions import db
from tests.e2e.i18n import T, assert_in_language, new_page, switch_language
from tests.factories import PASSWORD, code_of, make_buyer, make_group, make_leader


def api_languages(page) -> list[str]:
    """The Accept-Language of every API request the page makes from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.headers.get("accept-language", "")) if "/api/v1/" in r.url else None)
    return seen


def test_a_browser_in_another_language_gets_the_stores_default(live_server, browser):
    page = new_page(browser, locale="fr-FR")
    page.goto(live_server)
    page.get_by_role("heading", name=T("index.title")).wait_for()
    assert_in_language(page, "zh-CN", shot="home")
    assert page.console_errors == []
    page.context.close()


def test_an_english_browser_gets_english_until_the_person_chooses_chinese(live_server, browser):
    page = new_page(browser, locale="en-US")
    page.goto(live_server)
    page.get_by_role("heading", name=T("index.title", "en")).wait_for()
    assert_in_language(page, "en", shot="home")

    switch_language(page, "zh-CN")
    assert page.evaluate("localStorage.getItem('locale')") == "zh-CN"
    # The device's choice holds on every page, over the browser's English, and the API hears it.
    sent = api_languages(page)
    page.goto(f"{live_server}/leader")
    page.get_by_role("heading", name=T("leader.title")).wait_for()
    assert_in_language(page, "zh-CN")
    page.goto(f"{live_server}/admin")
    page.get_by_role("heading", name=T("admin.login.title")).wait_for()
    assert_in_language(page, "zh-CN")
    assert sent and set(sent) == {"zh-CN"}, sent
    assert page.console_errors == []
    page.context.close()


def test_a_logged_in_shoppers_choice_is_kept_on_the_account_where_the_server_keeps_one(live_server, browser, client):
    group = make_group(make_leader(), name="枫林苑")
    buyer = make_buyer(group, name="陈静")
    db.session.commit()
    keeps_locale = "locale" in client.get("/api/v1/store/me", headers=buyer.headers).get_json()

    page = new_page(browser)
    patches = []
    page.on("request", lambda r: patches.append(r.post_data_json) if r.method == "PATCH" else None)
    page.goto(f"{live_server}/g/{code_of(group)}")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(buyer.account.email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.locator("#member-status.ok").wait_for()
    sent = api_languages(page)
    switch_language(page, "en")
    page.get_by_text(T("shop.membership.member", "en", name="陈静", group="枫林苑")).wait_for()
    assert set(sent) == {"en"}, sent
    assert page.console_errors == []  # an older server (no `locale` on accounts) is not asked: no failed request
    if keeps_locale:
        # The account remembers: a new device (a Chinese browser, nothing saved) opens in English.
        assert patches == [{"locale": "en"}]
        assert client.get("/api/v1/store/me", headers=buyer.headers).get_json()["locale"] == "en"
        other = new_page(browser)
        other.goto(f"{live_server}/g/{code_of(group)}")
        other.evaluate(f"localStorage.setItem('storefront.token', {buyer.token!r})")
        other.reload()
        other.get_by_text(T("shop.membership.member", "en", name="陈静", group="枫林苑")).wait_for()
        assert_in_language(other, "en")
        other.context.close()
    else:
        assert patches == []
    page.context.close()
