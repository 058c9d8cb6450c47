from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.groups.models import Binding
from tests.factories import code_of, make_category, make_group, make_leader, make_product


def test_a_new_shopper_opens_a_group_link_registers_and_joins_the_group(live_server, page):
    leader = make_leader(name="Wang Fang")
    group = make_group(leader, name="Maple Court neighbours")
    fruit = make_category(name="Fruit")
    make_product(name="Fuji apples", category_id=fruit.id)
    make_product(name="Northeast rice")
    group_id = group.id

    page.goto(f"{live_server}/g/{code_of(group)}")
    page.get_by_role("heading", name="Maple Court neighbours").wait_for()
    assert "Leader: Wang Fang" in page.locator("#group-meta").inner_text()
    page.get_by_text("Fuji apples").wait_for()
    assert page.locator("#products article").count() == 2

    form = page.locator("#register-form")
    form.get_by_label("Name").fill("New neighbour")
    form.get_by_label("E-mail").fill("neighbour@example.com")
    form.get_by_label("Password (8+ characters)").fill("s3cret-pass")
    form.get_by_role("button", name="Register").click()
    page.get_by_role("button", name="Join this group").click()
    page.get_by_text("you are a member of Maple Court neighbours").wait_for()

    db.session.commit()  # the browser's requests committed on other connections
    bound = db.session.scalar(sa.select(Binding.group_id).where(Binding.ended_at.is_(None)))
    assert bound == group_id
    # Category filter works in the page.
    page.get_by_label("Category").select_option(label="Fruit")
    page.get_by_role("button", name="Show").click()
    page.wait_for_function("document.querySelectorAll('#products article').length === 1")
    assert page.console_errors == []


def test_an_unknown_group_link_shows_a_friendly_page(live_server, page):
    response = page.goto(f"{live_server}/g/NOSUCH99")
    assert response.status == 404
    assert "does not work" in page.locator("h1").inner_text()
