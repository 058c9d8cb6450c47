"""A request is answered in the account's saved language, else the best of Accept-Language, else the
store's STORE_LOCALE; the error code stays the same English key in every language."""
from __future__ import annotations

import json


def _deep_body():
    return ("[" * 40 + "]" * 40).encode()


def _post_deep(client, **headers):
    return client.post("/api/v1/store/auth/login", data=_deep_body(),
                       headers={"Content-Type": "application/json", **headers})


def test_store_default_is_chinese_when_the_caller_names_no_language(client, zh_store):
    response = _post_deep(client)
    assert response.status_code == 400
    assert response.headers["Content-Language"] == "zh-CN"
    assert response.get_json()["error"] == {"code": "json_too_deep", "message": "请求内容嵌套超过 32 层",
                                            "details": {"max_depth": 32}}


def test_accept_language_english_gets_english(client):
    response = _post_deep(client, **{"Accept-Language": "en-GB,en;q=0.8"})
    assert response.headers["Content-Language"] == "en"
    body = json.loads(response.data)
    assert body["error"]["code"] == "json_too_deep"
    assert body["error"]["message"] == "The body nests deeper than 32 levels"


def test_chinese_variants_and_quality_order(client, zh_store):
    assert _post_deep(client, **{"Accept-Language": "zh"}).headers["Content-Language"] == "zh-CN"
    assert _post_deep(client, **{"Accept-Language": "fr, en;q=0.5, zh-CN;q=0.9"}).headers["Content-Language"] == "zh-CN"
    assert _post_deep(client, **{"Accept-Language": "fr, en;q=0.5"}).headers["Content-Language"] == "en"


def test_unsupported_language_falls_back_to_the_store_locale(app, client):
    assert _post_deep(client, **{"Accept-Language": "fr-FR"}).headers["Content-Language"] == "en"
    app.config["STORE_LOCALE"] = "zh-CN"
    try:
        assert _post_deep(client, **{"Accept-Language": "fr-FR"}).headers["Content-Language"] == "zh-CN"
    finally:
        app.config["STORE_LOCALE"] = "en"
