"""The shopper's birthday and phone verification (GET /me itself is in auth.py)."""
from __future__ import annotations

from flask import current_app

from app.accounts import phone_verification
from app.extensions import limiter
from app.members import birthday
from blueprints.auth import Role, current_account
from blueprints.schemas.accounts import ShopperAccountSchema
from blueprints.schemas.profile import (
    BirthdayInputSchema,
    BirthdaySchema,
    PhoneCodeConfirmSchema,
    PhoneCodeRequestSchema,
    PhoneCodeSentSchema,
)
from blueprints.store import blp


@blp.route("/me/birthday", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, BirthdaySchema)
def get_birthday():
    """The shopper's birthday (all null if not set), when it may next change, and the next perk date"""
    return birthday.birthday_status(current_account())


@blp.route("/me/birthday", methods=["PUT"])
@blp.requires(Role.SHOPPER)
@blp.arguments(BirthdayInputSchema)
@blp.response(200, BirthdaySchema)
@blp.errors(409, 422)
def set_birthday(data):
    """Set the birthday (month and day; year optional). The first time is free; after that it may
    change once every 365 days (409 birthday_change_too_soon, with next_change_on). On their
    birthday (store timezone) the shopper gets the store's birthday coupon, once a year."""
    return birthday.set_birthday(current_account().id, **data)


def phone_code_limit() -> str:
    return current_app.config["PHONE_CODE_RATE_LIMIT"]


@blp.route("/me/phone-verification", methods=["POST"])
@blp.requires(Role.SHOPPER)
@limiter.limit(phone_code_limit)
@blp.arguments(PhoneCodeRequestSchema)
@blp.response(202, PhoneCodeSentSchema)
@blp.errors(409, 422, 429)
def request_phone_code(data):
    """Text a 6-digit code to the number (the account's phone unless another is given). It expires
    in 10 minutes and takes 5 tries; a new one may be asked for after 60 s, at most 5 a day."""
    return phone_verification.request_code(current_account().id, data["phone"])


@blp.route("/me/phone-verification/confirm", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(PhoneCodeConfirmSchema)
@blp.response(200, ShopperAccountSchema)
@blp.errors(409, 422)
def confirm_phone_code(data):
    """Confirm the latest code: the number becomes the account's (login) phone, marked verified,
    which groups with the verified_phone admission rule require"""
    return phone_verification.confirm_code(current_account().id, data["code"])
