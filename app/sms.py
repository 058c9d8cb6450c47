"""Sending text messages (verification codes). The one place to plug in a real SMS provider.

SMS_SENDER names a class as "package.module:Class"; it is built once per app with no arguments
(read its credentials from the environment or app config) and must have
`send(to: str, text: str) -> None`, raising SmsError when the message could not be handed over.
The default logs each message, which is what development and tests want; in production it refuses
to log codes and fails instead, so a missing provider is noticed.
"""
from __future__ import annotations

import importlib
import logging
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider could not take the message (unreachable, refused)."""


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> None: ...


class LoggingSmsSender:
    """Writes messages to the log instead of sending them (development, demos)."""

    def send(self, to: str, text: str) -> None:
        if current_app.config["APP_ENV"] == "production":
            raise SmsError("No SMS provider is configured (SMS_SENDER)")
        log.info("SMS to %s: %s", to, text)


def load_sender(path: str) -> SmsSender:
    module_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(module_name), attr)()


def sms_sender() -> SmsSender:
    """The app's sender, built on first use (tests put their own in app.extensions['sms'])."""
    sender = current_app.extensions.get("sms")
    if sender is None:
        sender = current_app.extensions["sms"] = load_sender(current_app.config["SMS_SENDER"])
    return sender
