"""Incoming webhooks (/webhooks/...): payment providers' callbacks. Stripe's lands with checkout (issue 3)."""
