"""Backend-specific engine setup: one module per database."""
