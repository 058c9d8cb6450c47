"""The social side of the demo's history: share posts with photos and the neighbours' likes, and
lotteries for a group's members (one drawn in the past, one taking entries today)."""
from __future__ import annotations

import datetime as dt
import random

from flask import current_app

from app.demo.people import Persona
from app.demo.posts_data import POSTS
from app.demo.store import Store
from app.errors import DomainError
from app.extensions import db
from app.lotteries import services as lotteries


def post_picture_url(name: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/static/demo/posts/{name}.webp"


class Social:
    def __init__(self, store: Store, rng: random.Random):
        self.store, self.rng = store, rng
        self.unposted = {slug: (picture, text) for slug, picture, text in POSTS}
        self.posts: list[tuple[int, int]] = []  # (post id, group index)
        self.lottery_ids: list[int] = []

    def maybe_post(self, persona: Persona, product_slugs: list[str]) -> int | None:
        """After a pickup, a shopper may share a photo of something in the bag (each story told once)."""
        from app.posts import services as posts

        slug = next((s for s in product_slugs if s in self.unposted), None)
        if slug is None or self.rng.random() > 0.5:
            return None
        picture, text = self.unposted.pop(slug)
        try:
            post = posts.create_post(persona.account_id, self.store.product_ids[slug], text,
                                     [post_picture_url(picture)])
        except DomainError:
            db.session.rollback()
            self.unposted[slug] = (picture, text)
            return None
        self.posts.append((post.id, persona.group))
        return post.id

    def like(self, post_id: int, persona: Persona) -> None:
        from app.posts import services as posts

        try:
            posts.like(post_id, persona.account_id)
        except DomainError:
            db.session.rollback()

    def open_lottery(self, hood_index: int, title: str, description: str, closes_at: dt.datetime) -> int:
        """A members' lottery in one group: a first prize and three second prizes, coupons each."""
        hood = self.store.hoods[hood_index]
        first, second = self.store.prize_coupons
        lottery = lotteries.create({
            "group_id": hood.group_id, "title": title, "description": description, "entry_rule": "members",
            "entries_close_at": closes_at, "prizes": [
                {"name": "一等奖：满100减50券", "quantity": 1, "coupon_template_id": first},
                {"name": "二等奖：9折券", "quantity": 3, "coupon_template_id": second}]}, self.store.staff_id)
        lotteries.publish(lottery)
        self.lottery_ids.append(lottery.id)
        return lottery.id

    def enter(self, lottery_id: int, persona: Persona) -> None:
        try:
            lotteries.enter(lottery_id, persona.account_id)
        except DomainError:
            db.session.rollback()
