"""Pydantic wire models, camelCase exactly as on the wire."""
