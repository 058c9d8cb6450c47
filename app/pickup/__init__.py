"""Pickup operations: schedule and cut-off, delivery batches, arrival, pickup codes, uncollected orders."""
