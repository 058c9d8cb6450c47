"""Purchasing: suppliers and their costs, the purchase plan of a delivery day, purchase orders and
their receipt (docs/purchasing.md)."""
