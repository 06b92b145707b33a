"""arrears: plain-text, Git-based case files for chasing unpaid invoices."""

__version__ = "0.1.0"
