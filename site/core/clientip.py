"""The address of the client that made a request, for rate limits and abuse checks only.

`X-Forwarded-For` is read only when the direct peer is one of `settings.TRUSTED_PROXIES`
(the TLS-terminating proxy or load balancer in front of the web processes); the client is
then the right-most address in the header that is not itself a trusted proxy. Anything a
client writes further left is ignored, and a client that talks to the web processes directly
cannot choose its address by sending the header. The address is never logged or stored:
callers turn it into a keyed, daily digest (`core.digests.keyed_digest`).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """The client's address as far as the configured proxies can vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_parse(remote), networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A malformed entry was written by someone we cannot vouch for: stop at the last good hop.
            return remote
        if not _trusted(address, networks):
            return str(address)
        remote = str(address)
    return remote
