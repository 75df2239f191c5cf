"""relance-tui: keyboard-driven collection of unpaid invoices."""

__version__ = "0.1.0"
