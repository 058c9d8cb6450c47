"""Payments behind one provider interface (Stripe, pay at pickup; the wallet later), refunds, webhooks."""
