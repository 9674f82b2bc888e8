"""The safety rule: a health condition the articles don't cover never gets a benefit answer."""
