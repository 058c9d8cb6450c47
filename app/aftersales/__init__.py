"""After-sales (售后): a shopper asks for help on an order line; the pickup point's leader reviews;
the merchant refunds, replaces or refuses; rules settle the small ones (docs/after-sales.md)."""
