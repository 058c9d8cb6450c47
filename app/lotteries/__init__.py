"""Lotteries for group members: committed seeds, a reproducible draw, prizes as coupons."""
