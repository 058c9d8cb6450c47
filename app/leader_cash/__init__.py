"""The leader's cash: money collected at pickup that the leader owes the merchant until remitted
(docs/commissions.md, "Leader cash")."""
