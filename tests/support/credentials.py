"""Accounts for the tests and their Basic credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from convmem.auth import service as auth
from convmem.storage.db import Database


class AccountCredentials(Protocol):
    """Anything with an account SID and its token (``Credentials``, what ``auth.create_account``
    returns)."""

    @property
    def account_sid(self) -> str: ...

    @property
    def auth_token(self) -> str: ...


@dataclass(frozen=True)
class Credentials:
    account_sid: str
    auth_token: str


def basic_auth(creds: AccountCredentials | None) -> tuple[str, str] | None:
    """httpx's ``auth`` for ``creds`` (None: no credentials)."""
    return (creds.account_sid, creds.auth_token) if creds is not None else None


def new_account(db: Database) -> Credentials:
    issued = auth.create_account(db)
    return Credentials(issued.account_sid, issued.auth_token)
