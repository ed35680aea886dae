"""Who is really on the other end: the client's address and the URL it used, honouring
``X-Forwarded-*`` only when the connection comes from a configured trusted proxy.

Anyone can send these headers; believed from anywhere, they would let a client choose the host
written into ``statusUrl`` and ``Location`` and the address that authentication throttling
counts against. With no trusted proxies configured (the default) they are ignored."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# host, IPv4 or [IPv6], with an optional port: anything else in Host/X-Forwarded-Host is ignored
# rather than pasted into the statusUrl and Location we send back.
_AUTHORITY = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1, ::1"`` -> networks; ValueError names a bad entry."""
    networks = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return tuple(networks)


def _is_trusted(address: str | None, trusted: Iterable[Network]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _header(headers: Mapping[str, str], name: str) -> str:
    return headers.get(name, "").split(",")[0].strip()


def peer_address(scope: Mapping[str, Any]) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def client_address(scope: Mapping[str, Any], headers: Mapping[str, str], trusted: tuple[Network, ...]) -> str:
    """The address of the client: the TCP peer, or, when the peer is a trusted proxy, the
    rightmost address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    peer = peer_address(scope) or "unknown"
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def base_url(scope: Mapping[str, Any], headers: Mapping[str, str], trusted: tuple[Network, ...]) -> str:
    """The URL prefix the client used to reach us (behind a trusted proxy, the proxy's)."""
    scheme = str(scope.get("scheme") or "http")
    host_candidates = [headers.get("host", "").strip()]
    if trusted and _is_trusted(peer_address(scope), trusted):
        forwarded_proto = _header(headers, "x-forwarded-proto").lower()
        if forwarded_proto in ("http", "https"):
            scheme = forwarded_proto
        host_candidates.insert(0, _header(headers, "x-forwarded-host"))
    for host in host_candidates:
        if _AUTHORITY.match(host):
            return f"{scheme}://{host}"
    server = scope.get("server") or ("127.0.0.1", 80)
    return f"{scheme}://{server[0]}:{server[1]}"
