"""Server texts in both languages (docs/i18n.md "Server"): the language saved on an account wins over
Accept-Language, field errors and domain errors read in the caller's language, codes stay English."""
from __future__ import annotations

from app.accounts.models import Account
from app.extensions import db
from tests.factories import PASSWORD, make_leader, make_shopper, make_staff

STORE = "/api/v1/store"
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def test_a_shopper_saves_a_language_and_is_answered_in_it_whatever_the_browser_asks(client, zh_store):
    shopper = make_shopper()
    db.session.commit()
    assert client.get(f"{STORE}/me", headers=shopper.headers).get_json()["locale"] is None

    saved = client.patch(f"{STORE}/me", json={"locale": "en"}, headers=shopper.headers)
    assert saved.status_code == 200 and saved.get_json()["locale"] == "en"
    assert saved.get_json()["name"] == shopper.account.name  # a language alone leaves the name

    # A Chinese browser, but the account says English: the 404 is English.
    missing = client.get(f"{STORE}/orders/999999", headers={**shopper.headers, **ZH})
    assert missing.status_code == 404 and missing.headers["Content-Language"] == "en"
    assert missing.get_json()["error"]["code"] == "order_not_found"
    assert missing.get_json()["error"]["message"] == "Order not found"

    client.patch(f"{STORE}/me", json={"locale": None}, headers=shopper.headers)
    again = client.get(f"{STORE}/orders/999999", headers=shopper.headers)
    assert again.headers["Content-Language"] == "zh-CN" and again.get_json()["error"]["message"] == "订单不存在"


def test_an_unknown_language_is_refused_in_the_callers_language_and_changes_nothing(client, zh_store):
    shopper = make_shopper()
    db.session.commit()
    for headers, message in ((ZH, "应为以下之一：zh-CN, en。"), (EN, "Must be one of: zh-CN, en.")):
        refused = client.patch(f"{STORE}/me", json={"locale": "fr"}, headers={**shopper.headers, **headers})
        assert refused.status_code == 422
        error = refused.get_json()["error"]
        assert error["code"] == "validation_error"
        assert error["details"]["fields"]["json"]["locale"] == [message]
    empty = client.patch(f"{STORE}/me", json={}, headers={**shopper.headers, **EN})
    assert empty.status_code == 422
    assert db.session.get(Account, shopper.id).locale is None


def test_staff_save_their_language_with_patch_admin_me(client, zh_store):
    staff = make_staff()
    db.session.commit()
    saved = client.patch("/api/v1/admin/me", json={"locale": "en"}, headers=staff.headers)
    assert saved.status_code == 200 and saved.get_json()["locale"] == "en"
    assert client.get("/api/v1/admin/me", headers=staff.headers).get_json()["locale"] == "en"
    wrong = client.get("/api/v1/admin/orders/999999", headers=staff.headers)
    assert wrong.headers["Content-Language"] == "en"


def test_a_leader_sees_the_language_kept_on_their_shopper_account(client):
    leader = make_leader()
    db.session.commit()
    client.patch(f"{STORE}/me", json={"locale": "zh-CN"}, headers=leader.headers)
    me = client.get("/api/v1/leader/me", headers={**leader.headers, **EN})
    assert me.get_json()["locale"] == "zh-CN" and me.headers["Content-Language"] == "zh-CN"


def test_field_errors_in_both_languages(client):
    for headers, required, email in ((ZH, "此项必填。", "邮箱地址无效。"),
                                     (EN, "This field is required.", "Not a valid e-mail address.")):
        bad = client.post(f"{STORE}/auth/register", json={"email": "not-an-address", "password": "long enough 123"},
                          headers=headers)
        assert bad.status_code == 422
        fields = bad.get_json()["error"]["details"]["fields"]["json"]
        assert fields["name"] == [required] and fields["email"] == [email]


def test_a_conflict_in_both_languages(client):
    make_shopper(email="taken@example.com")
    db.session.commit()
    body = {"name": "王芳", "email": "taken@example.com", "password": PASSWORD}
    zh = client.post(f"{STORE}/auth/register", json=body, headers=ZH)
    en = client.post(f"{STORE}/auth/register", json=body, headers=EN)
    assert zh.status_code == en.status_code == 409
    assert zh.get_json()["error"]["code"] == en.get_json()["error"]["code"]
    assert zh.get_json()["error"]["message"] == "该邮箱或手机号码已注册"
    assert en.get_json()["error"]["message"] == "An account with this e-mail or phone already exists"


def test_http_errors_in_both_languages(client):
    assert client.get("/api/v1/nowhere", headers=ZH).get_json()["error"]["message"] == "这里什么都没有，请检查地址"
    assert client.get("/api/v1/nowhere", headers=EN).get_json()["error"]["message"] == \
        "Nothing is here; check the address"
    wrong_method = client.delete(f"{STORE}/client-config", headers=ZH)
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]["message"] == "该地址不支持此请求方法"


def test_a_notification_is_written_in_its_recipients_language_not_the_callers(app, zh_store):
    import datetime as dt

    from app.i18n import Day, _
    from app.notifications.models import OutboxEvent
    from app.notifications.outbox import Recipient, emit

    english, unset = make_shopper(), make_shopper()
    db.session.get(Account, english.id).locale = "en"
    db.session.commit()
    # An English-speaking caller's request causes it; one reader chose English, the other nothing.
    with app.test_request_context(headers=EN):
        text = _("Order %(number)s is paid. Pick it up at %(point)s on %(day)s.", number="A1",
                 point="枫林苑", day=Day(dt.date(2026, 12, 4)))
        emit("order.paid", {}, [Recipient(english.id, "shopper", _("Payment received"), text),
                                Recipient(unset.id, "shopper", _("Payment received"), text)])
        db.session.commit()
    event = db.session.query(OutboxEvent).one()
    to_english, to_store_default = event.recipients
    assert to_english["title"] == "Payment received"
    assert to_english["body"] == "Order A1 is paid. Pick it up at 枫林苑 on Dec 4, 2026."
    assert to_store_default["title"] == "支付成功"
    assert to_store_default["body"] == "订单 A1 已支付，请于 2026年12月4日 到 枫林苑 提货。"


def test_csv_headers_in_the_callers_language(client):
    staff = make_staff()
    db.session.commit()
    url = "/api/v1/admin/pick-lists.csv?delivery_date=2026-12-04"
    zh = client.get(url, headers={**staff.headers, **ZH}).get_data(as_text=True)
    en = client.get(url, headers={**staff.headers, **EN}).get_data(as_text=True)
    assert zh.lstrip("\ufeff").splitlines()[0] == "商品编码,商品,规格,数量,自提点数"
    assert en.lstrip("\ufeff").splitlines()[0] == "sku,product,variant,quantity,pickup_points"


def test_a_staff_conflict_and_a_leader_refusal_in_both_languages(client):
    from tests.factories import make_category

    staff = make_staff()
    make_category(name="蔬菜")
    shopper = make_shopper()
    db.session.commit()
    taken = {"name": "蔬菜"}
    zh = client.post("/api/v1/admin/categories", json=taken, headers={**staff.headers, **ZH})
    en = client.post("/api/v1/admin/categories", json=taken, headers={**staff.headers, **EN})
    assert zh.status_code == en.status_code == 409
    assert zh.get_json()["error"]["message"] == "已有同名的商品分类"
    assert en.get_json()["error"]["message"] == "A category with this name already exists"

    not_leader = client.get("/api/v1/leader/me", headers={**shopper.headers, **ZH})
    assert not_leader.status_code == 403 and not_leader.get_json()["error"]["message"] == "你不是团长"
