"""Leader commissions: rules, the double-entry ledger, settlement, clawbacks."""
