"""Base layer: what every other layer shares and nothing here imports from above.

Typed errors, the id rule, the contract's tables and vocabulary (schema), the settings with their
defaults, periods and the mainland working-day calendar, and a GC helper for speed."""
