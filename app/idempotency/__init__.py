"""Idempotency keys for unsafe requests (after brandur.org's Stripe-like keys in Postgres)."""
