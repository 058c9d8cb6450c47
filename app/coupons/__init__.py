"""Coupons: templates the merchant defines, coupons issued from them, redeemed at checkout."""
