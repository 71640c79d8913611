"""apiward: an AI-powered API security gateway."""

__version__ = "0.1.0"
