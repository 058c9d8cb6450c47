"""Share posts (晒单): shoppers post about products they picked up; groups like and moderate them."""
