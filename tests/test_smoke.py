"""The server starts, answers probes and drives the basic control-plane round trip."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import LiveServer

# End to end: a real `convmem serve` starts and serves the round trip.
pytestmark = pytest.mark.e2e


def test_probes(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}


def test_store_round_trip(v1, http: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    from twilio.rest.memory.v1.store import StoreList

    created = v1.stores.create(StoreList.ServiceRequest({"displayName": "smoke"}))
    op = v1.operations(created.status_url.rsplit("/", 1)[1]).fetch()
    assert op.status == "COMPLETED"
    store = v1.stores(op.result["id"]).fetch()
    assert (store.display_name, store.status, store.version) == ("smoke", "ACTIVE", 1)
    assert list(v1.stores.list()) == [store.id]
