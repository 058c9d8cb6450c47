"""Group leaders (团长): applications, approval, suspension."""
