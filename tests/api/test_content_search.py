"""Product search finds a product by its original (Chinese) name or by any translation of its name,
in any case and whatever language the reader reads: the shop's catalogue and the admin's list."""
from __future__ import annotations

from tests.factories import code_of, make_group, make_product, make_staff

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _shelf():
    apples = make_product(name="红富士苹果", description="脆甜多汁。",
                          translations={"en": {"name": "Fuji apples", "description": "Crisp and juicy."}})
    pie = make_product(name="苹果派", translations={"en": {"name": "Apple pie"}})
    # The English word is only in its description: a name search must not find it.
    greens = make_product(name="小白菜", translations={"en": {"description": "Picked today, not apples."}})
    plain = make_product(name="Rice 5kg")  # no translations at all (NULL)
    return apples, pie, greens, plain


def _store_search(client, group, q, headers):
    r = client.get(f"/api/v1/store/groups/{code_of(group)}/products", query_string={"q": q}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return [p["id"] for p in r.get_json()]


def test_the_shop_finds_a_product_by_its_english_name_in_either_language(client):
    group = make_group()
    apples, pie, greens, plain = _shelf()
    for headers in (EN, ZH):
        assert _store_search(client, group, "FUJI", headers) == [apples.id]
        assert _store_search(client, group, "apple", headers) == [apples.id, pie.id]
        assert _store_search(client, group, "苹果", headers) == [apples.id, pie.id]
        assert _store_search(client, group, "rice", headers) == [plain.id]
    # What the search reads is the name: not the description, not the JSON's keys or language tags.
    assert _store_search(client, group, "juicy", EN) == []
    assert _store_search(client, group, "picked", EN) == []
    assert _store_search(client, group, "name", EN) == []
    assert _store_search(client, group, "en", EN) == []
    assert _store_search(client, group, "%", EN) == []  # a wildcard is a literal character
    assert greens.id not in _store_search(client, group, "apples", EN)


def test_the_admin_product_search_matches_translated_names(client):
    staff = make_staff()
    apples, pie, _greens, _plain = _shelf()

    def search(q):
        r = client.get("/api/v1/admin/products", query_string={"q": q}, headers=staff.headers)
        assert r.status_code == 200, r.get_json()
        return [p["id"] for p in r.get_json()]

    assert search("fuji APPLES") == [apples.id]
    assert search("Apple") == [apples.id, pie.id]
    assert search("红富士") == [apples.id]
    assert search("juicy") == [] and search("description") == []
