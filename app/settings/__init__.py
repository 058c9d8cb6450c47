"""Merchant-editable store settings (one row): pickup schedule, uncollected policy, webhooks."""
