"""Merchant content (names, descriptions) in the reader's language, from the translations the merchant
entered; the original when there is none."""
from __future__ import annotations

import pytest

from tests.assertions import assert_error, database_unchanged
from tests.factories import (
    code_of,
    if_match,
    make_buyer,
    make_campaign,
    make_category,
    make_group,
    make_product,
    make_staff,
)

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _catalogue(client, group, headers):
    r = client.get(f"/api/v1/store/groups/{code_of(group)}/products", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _shelf():
    category = make_category(name="时令水果", translations={"en": {"name": "Fruit"}})
    translated = make_product(
        name="红富士苹果", description="脆甜多汁。", category_id=category.id,
        translations={"en": {"name": "Fuji apples", "description": "Crisp and juicy."}},
        skus=[{"code": "APPLE-5", "name": "5斤装", "price_cents": 2990, "stock_total": 10,
               "translations": {"en": {"name": "2.5 kg box"}}}])
    untranslated = make_product(name="小白菜", description="当天采摘。")
    return translated, untranslated


def test_an_english_reader_sees_the_translations_and_the_original_otherwise(client):
    group = make_group()
    _shelf()
    apples, greens = _catalogue(client, group, EN)
    assert (apples["name"], apples["description"], apples["original_name"]) == ("Fuji apples", "Crisp and juicy.",
                                                                               "红富士苹果")
    assert apples["category"]["name"] == "Fruit" and apples["skus"][0]["name"] == "2.5 kg box"
    assert (greens["name"], greens["description"]) == ("小白菜", "当天采摘。")  # no translation: as written
    one = client.get(f"/api/v1/store/groups/{code_of(group)}/products/{apples['id']}", headers=EN).get_json()
    assert one["name"] == "Fuji apples"
    assert [c["name"] for c in client.get("/api/v1/store/categories", headers=EN).get_json()] == ["Fruit"]


def test_a_chinese_reader_sees_the_merchants_text(client):
    group = make_group()
    _shelf()
    apples, _greens = _catalogue(client, group, ZH)
    assert (apples["name"], apples["description"]) == ("红富士苹果", "脆甜多汁。")
    assert apples["category"]["name"] == "时令水果" and apples["skus"][0]["name"] == "5斤装"
    assert [c["name"] for c in client.get("/api/v1/store/categories", headers=ZH).get_json()] == ["时令水果"]


def test_the_saved_language_of_the_account_wins_for_campaigns(client):
    staff = make_staff()
    buyer = make_buyer(make_group())
    sku = make_product(name="土鸡蛋", skus=[{"code": "EGG-30", "name": "30枚", "price_cents": 2990, "stock_total": 90,
                                             "translations": {"en": {"name": "30 eggs"}}}],
                       translations={"en": {"name": "Free-range eggs"}}).skus[0]
    make_campaign(staff=staff, items=[(sku.id, 1990, 50)], name="鸡蛋秒杀", description="限时特价",
                  translations={"en": {"name": "Egg flash sale", "description": "Limited-time price"}})
    assert client.patch("/api/v1/store/me", headers=buyer.headers, json={"locale": "en"}).status_code == 200
    campaign = client.get("/api/v1/store/campaigns", headers=buyer.headers | ZH).get_json()[0]
    assert (campaign["name"], campaign["description"]) == ("Egg flash sale", "Limited-time price")
    assert (campaign["items"][0]["product_name"], campaign["items"][0]["sku_name"]) == ("Free-range eggs", "30 eggs")


def test_staff_set_and_replace_translations_and_see_the_originals(client):
    staff = make_staff()
    r = client.post("/api/v1/admin/categories", headers=staff.headers,
                    json={"name": "蔬菜", "translations": {"en": {"name": "  Vegetables "}}})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["translations"] == {"en": {"name": "Vegetables"}}
    product = make_product(name="菠菜")
    r = client.patch(f"/api/v1/admin/products/{product.id}",
                     headers=if_match(client, f"/api/v1/admin/products/{product.id}", staff.headers | EN),
                     json={"translations": {"en": {"name": "Spinach", "description": "Picked today."}}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["name"] == "菠菜" and body["translations"]["en"]["name"] == "Spinach"  # staff edit the original
    r = client.patch(f"/api/v1/admin/products/{product.id}",
                     headers=if_match(client, f"/api/v1/admin/products/{product.id}", staff.headers),
                     json={"translations": None})
    assert r.status_code == 200 and r.get_json()["translations"] is None


@pytest.mark.parametrize("translations", [
    {"fr": {"name": "Épinards"}},                      # a language the store does not speak
    {"en": {"title": "Spinach"}},                      # not a translatable field
    {"en": {"name": ""}},                              # empty
    {"en": {"name": "x" * 121}},                       # longer than the original may be
    {"en": {"name": 5}},                               # not text
    {"en": "Spinach"},                                 # not an object of fields
    ["en", "Spinach"],                                 # not an object of languages
])
def test_bad_translations_are_422_and_change_nothing(client, translations):
    staff = make_staff()
    product = make_product(name="菠菜")
    with database_unchanged():
        assert_error(client.patch(f"/api/v1/admin/products/{product.id}",
                                  headers=if_match(client, f"/api/v1/admin/products/{product.id}", staff.headers),
                                  json={"translations": translations}), 422, "validation_error")
        assert_error(client.post("/api/v1/admin/categories", headers=staff.headers,
                                 json={"name": "蔬菜", "translations": translations}), 422, "validation_error")


def test_a_sku_and_a_campaign_validate_their_own_fields(client):
    staff = make_staff()
    product = make_product(name="菠菜")
    with database_unchanged():
        assert_error(client.patch(f"/api/v1/admin/skus/{product.skus[0].id}",
                                  headers=if_match(client, f"/api/v1/admin/skus/{product.skus[0].id}", staff.headers),
                                  json={"translations": {"en": {"description": "no SKU descriptions"}}}),
                     422, "validation_error")
        assert_error(client.post("/api/v1/admin/campaigns", headers=staff.headers,
                                 json={"kind": "flash_sale", "name": "秒杀", "starts_at": "2030-01-01T10:00:00",
                                       "ends_at": "2030-01-01T12:00:00",
                                       "translations": {"en": {"description": "x" * 2001}}}),
                     422, "validation_error")
