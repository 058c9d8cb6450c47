"""Replenishment: predicting when a shopper runs out of a repeat-use product, reminding them a few
days before (with a one-step reorder), and suggesting a subscription once they keep coming back.
See docs/replenishment.md."""
