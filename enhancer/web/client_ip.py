"""The address a request came from, for login throttling (django-axes calls `client_ip`)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Use the proxy's header when one is configured and the request came through one of our
    proxies (`ENHANCER_TRUSTED_PROXIES`), taking its right-most address; else the connection's."""
    peer = request.META.get("REMOTE_ADDR", "")
    header = settings.ENHANCER_CLIENT_IP_HEADER
    if header and _is_trusted_proxy(peer):
        key = "HTTP_" + header.upper().replace("-", "_")
        # The client may send the header too: only the address our proxy appended last is trusted.
        candidate = request.META.get(key, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return peer


def _is_trusted_proxy(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address  # ::ffff:10.0.0.2 is 10.0.0.2
    return any(
        address in ipaddress.ip_network(proxy, strict=False) for proxy in settings.ENHANCER_TRUSTED_PROXIES
    )
