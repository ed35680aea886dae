"""Credential formats and hashing (no storage here).

Account SIDs are ``AC`` + 32 hex, API key SIDs ``SK`` + 32 hex, like Twilio's. Tokens and
secrets are 128+ bit random strings; we store only their SHA-256, which is safe for values of
that entropy and costs microseconds per request (a password KDF would cost tens of ms)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-f]{32}$")
API_KEY_SID_RE = re.compile(r"^SK[0-9a-f]{32}$")
_SECRET_ALPHABET = string.ascii_letters + string.digits


def new_account_sid() -> str:
    return "AC" + secrets.token_hex(16)


def new_auth_token() -> str:
    return secrets.token_hex(16)


def new_api_key_sid() -> str:
    return "SK" + secrets.token_hex(16)


def new_api_key_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(32))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
