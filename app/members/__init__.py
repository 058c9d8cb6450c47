"""Membership: who is a member (joining, tiers, points and perks build on this)."""
