"""Pickup points (自提点): address, location, opening hours, closures."""
