"""The visitor's address, as the one place that decides whom to believe.

X-Forwarded-For is written by whoever sends the request, so it is read only when
the socket's peer (REMOTE_ADDR) is one of settings.TRUSTED_PROXIES (addresses or
CIDR networks; empty by default: no proxy trusted, the peer is the client). Then
the header is walked from the right, skipping every trusted proxy, and the first
address that is not one is the client: whatever a client wrote further left is
never read. An entry that is no address stops the walk at the last real one.
Login lock-out (django-axes), page-password throttling and the page cache's
per-client cap all ask this function.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 1.2.3.4:port
        value = value.split(":", 1)[0]
    # A zone (fe80::1%eth0) names an interface of the machine that wrote it; PostgreSQL's
    # inet column, where django-axes stores the address, refuses it.
    value = value.partition("%")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; TRUSTED_PROXIES and the
    # lock-out records name them as a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address as a string ("" when the socket gave none)."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not is_trusted(peer, networks):
        return str(peer)
    forwarded = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    client = peer
    for part in reversed(forwarded):
        address = _address(part)
        if address is None:
            break  # garbage left of our proxies' entries: the last address we trust to be real wins
        client = address
        if not is_trusted(address, networks):
            break
    return str(client)


def client_bucket(request) -> str:
    """What counts as one client for a limit: its address, or for IPv6 its /64 network (one
    subscriber is usually given a whole /64, so single addresses would be free to rotate)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address
