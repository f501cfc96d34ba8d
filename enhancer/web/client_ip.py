"""The address a request came from, for login throttling (django-axes calls `client_ip`)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Use the proxy's header when one is configured (its right-most address), else the connection's."""
    header = settings.ENHANCER_CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        # The client may send the header too: only the address our proxy appended last is trusted.
        candidate = request.META.get(key, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR", "")
