"""The command line and authentication: ``accounts create`` and ``keys create`` against the
database of a running server, the bootstrap account, first-start credentials, HTTP Basic
with account tokens and API keys, and secrets stored only as hashes."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from convmem.auth import service as auth
from convmem.storage.db import Database
from convmem.storage.tables import accounts, api_keys
from tests.support.credentials import Credentials
from tests.support.databases import BACKEND
from tests.support.live import CONVMEM, LiveServer, free_port, start_server, stop, stop_server, wait_ready
from tests.support.wire import create_store

STORES = "/v1/ControlPlane/Stores"
ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
API_KEY_SID = re.compile(r"^SK[0-9a-f]{32}$")


def _clean_env() -> dict[str, str]:
    """The environment without any CONVMEM_* setting, so only the command's options count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CONVMEM_")}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CONVMEM, *args], env=_clean_env(), capture_output=True, text=True, timeout=60)


def _one_json_object(stdout: str) -> dict[str, str]:
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, stdout
    parsed = json.loads(lines[0])
    assert isinstance(parsed, dict)
    return parsed


def _status(url: str, user: str, password: str) -> int:
    return httpx.get(f"{url}{STORES}", auth=(user, password), timeout=10).status_code


@pytest.mark.e2e
def test_accounts_create_works_against_the_live_server(server: LiveServer, database_url: str) -> None:
    result = _cli("accounts", "create", "--database-url", database_url)
    assert result.returncode == 0, result.stderr
    issued = _one_json_object(result.stdout)
    assert set(issued) == {"accountSid", "authToken"}
    assert ACCOUNT_SID.match(issued["accountSid"])
    assert len(issued["authToken"]) >= 32
    assert _status(server.url, issued["accountSid"], issued["authToken"]) == 200
    assert _status(server.url, issued["accountSid"], issued["authToken"] + "x") == 401


@pytest.mark.e2e
def test_keys_create_gives_a_working_api_key(server: LiveServer, database_url: str, account: Credentials,
                                             http: httpx.Client) -> None:
    result = _cli("keys", "create", "--account", account.account_sid, "--database-url", database_url)
    assert result.returncode == 0, result.stderr
    key = _one_json_object(result.stdout)
    assert set(key) == {"sid", "secret"}
    assert API_KEY_SID.match(key["sid"])
    assert len(key["secret"]) >= 32

    with httpx.Client(base_url=server.url, auth=(key["sid"], key["secret"]), timeout=10) as by_key:
        store_id = create_store(by_key, "made-with-a-key")
        assert by_key.get(f"{STORES}/{store_id}").status_code == 200
    # The key acts as its account: the account sees the store the key created.
    assert http.get(STORES).json()["stores"] == [store_id]
    assert _status(server.url, key["sid"], key["secret"][:-1]) == 401


@pytest.mark.e2e
@pytest.mark.parametrize("account_sid", ["ACnot-a-sid", "AC" + "f" * 32])
def test_keys_create_refuses_malformed_or_unknown_accounts(database_url: str, db: Database,
                                                           account_sid: str) -> None:
    result = _cli("keys", "create", "--account", account_sid, "--database-url", database_url)
    assert result.returncode != 0
    assert result.stdout == ""
    assert account_sid in result.stderr or "does not exist" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_bootstrap_account_from_the_environment(database_url: str, db: Database, tmp_path: Path) -> None:
    sid, first, second = "AC" + secrets.token_hex(16), secrets.token_hex(16), secrets.token_hex(16)
    live = start_server(database_url, tmp_path / "first.log",
                        extra_env={"CONVMEM_ACCOUNT_SID": sid, "CONVMEM_AUTH_TOKEN": first})
    try:
        assert _status(live.url, sid, first) == 200
    finally:
        stop_server(live)
    # Restarting with another token rotates it: the new one works, the old one no longer does.
    live = start_server(database_url, tmp_path / "second.log",
                        extra_env={"CONVMEM_ACCOUNT_SID": sid, "CONVMEM_AUTH_TOKEN": second})
    try:
        assert _status(live.url, sid, second) == 200
        assert _status(live.url, sid, first) == 401
    finally:
        stop_server(live)
    with db.read() as conn:
        assert conn.execute(select(accounts.c.sid).where(accounts.c.sid == sid)).all() == [(sid,)]


def _serve_data_dir(data_dir: Path, out: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with out.open("wb") as stdout:
        proc = subprocess.Popen([CONVMEM, "serve", "--data-dir", str(data_dir), "--port", str(port)],
                                env={**_clean_env(), "CONVMEM_LOG_LEVEL": "WARNING"},
                                stdout=stdout, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, proc, out.read_text, timeout=60, interval=0.1)
    return proc, url


@pytest.mark.e2e
@pytest.mark.skipif(BACKEND != "sqlite", reason="--data-dir is the embedded SQLite default; runs in the SQLite pass")
def test_first_start_prints_credentials_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    proc, url = _serve_data_dir(data_dir, tmp_path / "first.out")
    try:
        printed = [json.loads(line) for line in (tmp_path / "first.out").read_text().splitlines()
                   if line.startswith("{")]
        assert len(printed) == 1, printed
        issued = printed[0]
        assert set(issued) == {"accountSid", "authToken"}
        assert _status(url, issued["accountSid"], issued["authToken"]) == 200
    finally:
        stop(proc, timeout=15)
    assert (data_dir / "convmem.db").is_file()

    proc, url = _serve_data_dir(data_dir, tmp_path / "second.out")
    try:
        assert (tmp_path / "second.out").read_text() == ""
        assert _status(url, issued["accountSid"], issued["authToken"]) == 200
    finally:
        stop(proc, timeout=15)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _unauthorized_headers(account: Credentials) -> dict[str, dict[str, str]]:
    return {
        "missing": {},
        "wrong password": {"Authorization": _basic(account.account_sid, account.auth_token + "0")},
        "unknown account": {"Authorization": _basic("AC" + secrets.token_hex(16), account.auth_token)},
        "unknown api key": {"Authorization": _basic("SK" + secrets.token_hex(16), account.auth_token)},
        "not a sid": {"Authorization": _basic("someone", account.auth_token)},
        "no password": {"Authorization": _basic(account.account_sid, "")},
        "no colon": {"Authorization": "Basic " + base64.b64encode(account.account_sid.encode()).decode()},
        "not base64": {"Authorization": "Basic !!!%%%"},
        "bearer": {"Authorization": f"Bearer {account.auth_token}"},
        "scheme only": {"Authorization": "Basic"},
    }


def test_bad_credentials_get_401_in_the_error_shape(anon: httpx.Client, account: Credentials) -> None:
    for case, headers in _unauthorized_headers(account).items():
        resp = anon.get(STORES, headers=headers)
        assert resp.status_code == 401, case
        body = resp.json()
        assert set(body) == {"code", "message", "more_info", "status"}, case
        assert (body["code"], body["status"]) == (20003, 401), case
        assert account.auth_token not in resp.text
    good = {"Authorization": _basic(account.account_sid, account.auth_token)}
    assert anon.get(STORES, headers=good).status_code == 200


def test_secrets_are_stored_hashed(db: Database, account: Credentials) -> None:
    key = auth.create_api_key(db, account.account_sid)
    with db.read() as conn:
        account_row = conn.execute(select(accounts).where(accounts.c.sid == account.account_sid)).one()
        key_row = conn.execute(select(api_keys).where(api_keys.c.sid == key.sid)).one()
    assert account.auth_token not in repr(tuple(account_row))
    assert key.secret not in repr(tuple(key_row))
    assert account_row.token_hash != account.auth_token
    assert key_row.secret_hash != key.secret
    assert key_row.account_sid == account.account_sid


def test_concurrent_bootstraps_of_one_account_all_succeed(db: Database) -> None:
    """Server processes starting together with the same CONVMEM_ACCOUNT_SID must not trip over
    each other's insert (one of them would fail to start)."""
    for _ in range(5):  # a handful of rounds: the race, when there is one, shows in most of them
        sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
        barrier = threading.Barrier(6)

        def bootstrap(_: int, sid: str = sid, token: str = token, barrier: threading.Barrier = barrier) -> None:
            barrier.wait(timeout=30)
            auth.ensure_account(db, sid, token)

        with ThreadPoolExecutor(6) as pool:
            list(pool.map(bootstrap, range(6)))
        with db.read() as conn:
            assert conn.execute(select(accounts.c.sid).where(accounts.c.sid == sid)).all() == [(sid,)]
