"""Notifications: an outbox written with the change, then an in-app inbox and a signed webhook."""
