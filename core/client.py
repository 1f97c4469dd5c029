"""The address of the person making a request, behind the proxies the site trusts.

Comments (flood control, Akismet, IP rules), likes and the admin sign-in limit all ask here.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _parse(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address: the peer's own, unless the peer is a trusted proxy.

    A trusted proxy (TRUSTED_PROXIES) appends the address it received the request from to
    X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does. Reading from the right, the
    first address that is not a trusted proxy is the client; anything to its left was written
    by the client and may be forged. A malformed entry stops the walk at the last good hop.
    """
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    client = peer
    if _is_trusted(peer, networks):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(forwarded):
            address = _parse(hop)
            if address is None:
                break
            client = address
            if not _is_trusted(address, networks):
                break
    if client.version == 6 and client.ipv4_mapped:
        client = client.ipv4_mapped
    return str(client)
