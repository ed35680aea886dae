"""Concurrent control-plane writes: optimistic concurrency lets exactly one conditional PATCH
through, unconditional PATCHes never lose an update, and the uniqueness and quota rules hold
under a race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.credentials import Credentials
from tests.support.inprocess import AppServer
from tests.support.wire import STORES, assert_accepted, assert_error, create_group, fetch_group, groups_path

PARALLEL = 10


def _race(server: AppServer, account: Credentials, requests: list[Callable[[httpx.Client], httpx.Response]]
          ) -> list[httpx.Response]:
    """Send the requests at once, each from its own client (thread), released by one barrier."""
    barrier = threading.Barrier(len(requests))

    def run(send: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with server.http(account, timeout=60) as c:
            c.get("/healthz")  # ready before the race starts
            barrier.wait(timeout=30)
            return send(c)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def test_same_etag_lets_exactly_one_patch_through(server: AppServer, account: Credentials, http: httpx.Client,
                                                 store_id: str) -> None:
    create_group(http, store_id, "Raced", {"base": {"dataType": "STRING"}})
    _, etag = fetch_group(http, store_id, "Raced")
    path = f"{groups_path(store_id)}/Raced"

    def patch(i: int) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.patch(path, json={"description": f"writer {i}", "traits": {f"t{i}": {"dataType": "STRING"}}},
                                 headers={"If-Match": etag})

    responses = _race(server, account, [patch(i) for i in range(PARALLEL)])
    winners = [i for i, r in enumerate(responses) if r.status_code == 202]
    assert len(winners) == 1, [r.status_code for r in responses]
    for i, resp in enumerate(responses):
        if i not in winners:
            assert_error(resp, 412, 520043)
    group, new_etag = fetch_group(http, store_id, "Raced")
    winner = winners[0]
    assert group["version"] == 2 and new_etag != etag
    assert group["description"] == f"writer {winner}"
    assert set(group["traits"]) == {"base", f"t{winner}"}


def test_unconditional_patches_lose_no_update(server: AppServer, account: Credentials, http: httpx.Client,
                                              store_id: str) -> None:
    create_group(http, store_id, "Merged", {"base": {"dataType": "STRING"}})
    path = f"{groups_path(store_id)}/Merged"

    def patch(i: int) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.patch(path, json={"traits": {f"t{i}": {"dataType": "NUMBER"}}})

    responses = _race(server, account, [patch(i) for i in range(PARALLEL)])
    for resp in responses:
        assert_accepted(resp)
    group, _ = fetch_group(http, store_id, "Merged")
    assert group["version"] == 1 + PARALLEL
    assert set(group["traits"]) == {"base", *(f"t{i}" for i in range(PARALLEL))}


def test_concurrent_store_patches_with_one_etag(server: AppServer, account: Credentials, http: httpx.Client,
                                                store_id: str) -> None:
    etag = http.get(f"{STORES}/{store_id}").headers["ETag"]
    responses = _race(server, account, [
        (lambda c, i=i: c.patch(f"{STORES}/{store_id}", json={"description": f"d{i}"}, headers={"If-Match": etag}))
        for i in range(PARALLEL)])
    assert sorted(r.status_code for r in responses) == [202] + [412] * (PARALLEL - 1)
    assert http.get(f"{STORES}/{store_id}").json()["version"] == 2


def test_racing_creates_keep_names_unique_and_the_quota(server: AppServer, account: Credentials,
                                                       http: httpx.Client) -> None:
    same_name = _race(server, account, [lambda c: c.post(STORES, json={"displayName": "only-one"})] * PARALLEL)
    assert sorted(r.status_code for r in same_name) == [202] + [400] * (PARALLEL - 1)
    for resp in same_name:
        if resp.status_code == 400:
            assert_error(resp, 400, 520045)

    many = _race(server, account, [(lambda c, i=i: c.post(STORES, json={"displayName": f"q{i}"}))
                                   for i in range(20)])
    accepted = [r for r in many if r.status_code == 202]
    assert len(accepted) == 14  # 15 minus the "only-one" store
    for resp in many:
        if resp.status_code != 202:
            assert_error(resp, 400, 520044)
    assert len(http.get(STORES, params={"pageSize": 100}).json()["stores"]) == 15


def test_racing_group_creates_keep_names_unique(server: AppServer, account: Credentials, http: httpx.Client,
                                                store_id: str) -> None:
    responses = _race(server, account,
                      [lambda c: c.post(groups_path(store_id), json={"displayName": "Dup"})] * PARALLEL)
    assert sorted(r.status_code for r in responses) == [202] + [400] * (PARALLEL - 1)
    for resp in responses:
        if resp.status_code == 400:
            assert_error(resp, 400, 520055)
    names = [g["displayName"] for g in http.get(groups_path(store_id)).json()["traitGroups"]]
    assert sorted(names) == ["Contact", "Dup"]
