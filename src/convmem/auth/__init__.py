"""Accounts and API keys: credential issuing and verification."""
