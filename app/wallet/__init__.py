"""The stored-value wallet: a ledger of principal and bonus, top-ups, payments and refunds."""
