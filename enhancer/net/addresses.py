"""Which links and addresses an outbound request may reach, judged before any connection."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

PORTS = {"http": 80, "https": 443}

MSG_NOT_WEB = "The link must start with http:// or https://."
MSG_CREDENTIALS = "Links with a user name or password in them are not allowed. Use a plain link."
MSG_PORT = "Links to unusual ports are not allowed. Use an ordinary web link."
MSG_PRIVATE = "That link points to a private or local network address, which is not allowed."
MSG_NOT_FOUND = "That web address could not be found. Check the link."
MSG_NO_SUCH_NAME = "That web address does not exist. Check the link for a typo."
NAME_UNKNOWN = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}

# Cloud metadata services (AWS, GCP, Azure: 169.254.169.254; AWS over IPv6: fd00:ec2::254; Alibaba:
# 100.100.100.200). Each already lies in a refused range; named here so a test can hold us to it.
METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Not global, though older Pythons' `ipaddress` (3.11.7 here) call them global: local-use NAT64,
# 6to4 relay anycast, IPv6 documentation and segment-routing ranges (requests-hardened's list).
_ALSO_REFUSED = tuple(
    ipaddress.ip_network(network)
    for network in ("64:ff9b:1::/48", "192.88.99.0/24", "3fff::/20", "5f00::/16", "2001:20::/28")
) + (
    # IPv4-translated addresses (RFC 2765, ::ffff:0:a.b.c.d): meant for a translator inside one
    # network, never routed on the internet, and `ipaddress` calls them global. All refused,
    # whatever address they carry.
    ipaddress.ip_network("::ffff:0:0:0/96"),
)
# Hosts that browsers and resolvers read as IPv4 although they are not dotted quads.
_NUMERIC_HOST = re.compile(r"[0-9][0-9a-fx.]*")
# Names that only resolve inside an office or on this machine.
LOCAL_NAME_ENDINGS = (".localhost", ".local", ".lan", ".internal", ".intranet", ".home.arpa", ".corp")


class OutboundError(Exception):
    """A link that could not be reached, with a plain message and whether a later try may help."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


def private_urls_allowed() -> bool:
    """`ENHANCER_ALLOW_PRIVATE_URLS`: for development and tests only (a system check warns)."""
    return bool(settings.ENHANCER_ALLOW_PRIVATE_URLS)


def address_allowed(address: str) -> bool:
    """A public unicast address. IPv6 forms that carry an IPv4 address are judged by that address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
        elif ip.is_site_local:  # fec0::/10, deprecated, still routed inside some networks
            return False
    if any(ip in network for network in _ALSO_REFUSED):
        return False
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:AABB:CCDD::/48
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # 64:ff9b::a.b.c.d, ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None  # (:: and ::1 are refused as they are: unspecified and loopback)


def address_in(host: str) -> str | None:
    """The IP address a host spells, including the numeric forms browsers and resolvers read as
    IPv4 (2130706433, 0177.0.0.1, 0x7f.0.0.1, 127.1); None for a name."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host.lower()):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


def obviously_local(url: str) -> bool:
    """A link whose host is plainly local without a lookup (`localhost`, or an address that is not
    allowed, in any spelling): for refusing it early, in a form. The request checks it again."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:  # brackets that do not match: not a web link, said elsewhere
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = address_in(host)
    return address is not None and not address_allowed(address)


def reachable_from_internet(url: str) -> bool:
    """Whether the internet could reach the host of a link of ours (a public address, or a name
    that is not an office-only one such as `desk.local`). No lookup: it is about configuration."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host and host != "localhost" and not host.endswith(LOCAL_NAME_ENDINGS)
    return address.is_global


def host_and_port(url: str, *, allow_private: bool) -> tuple[str, int]:
    """The host and port a link names, after the rules that need no lookup (scheme, credentials, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range; brackets that do not match
        raise OutboundError(MSG_NOT_WEB) from None
    scheme = parts.scheme.lower()
    if scheme not in PORTS or not parts.hostname:
        raise OutboundError(MSG_NOT_WEB)
    if parts.username is not None or parts.password is not None:
        raise OutboundError(MSG_CREDENTIALS)
    port = port or PORTS[scheme]
    if not allow_private and port not in PORTS.values():
        raise OutboundError(MSG_PORT)
    return parts.hostname.rstrip("."), port


def check_destination(url: str, *, allow_private: bool) -> tuple[str, ...]:
    """Check a link and look its host up once; return the addresses we may connect to.

    Raises OutboundError before any connection is made, and before any lookup for the rules that
    need none (scheme, credentials, port)."""
    host, port = host_and_port(url, allow_private=allow_private)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError:
        raise OutboundError(MSG_NO_SUCH_NAME) from None
    except socket.gaierror as error:
        # "No such name" is the name server's final word (a mistyped domain): say so at once,
        # instead of trying again for minutes. A lookup that failed for now is tried again.
        if error.errno in NAME_UNKNOWN:
            raise OutboundError(MSG_NO_SUCH_NAME) from None
        raise OutboundError(MSG_NOT_FOUND, transient=True) from None
    addresses = tuple(
        dict.fromkeys(str(info[4][0]) for info in found if info[0] in (socket.AF_INET, socket.AF_INET6))
    )
    if not addresses:
        raise OutboundError(MSG_NOT_FOUND, transient=True)
    if not allow_private:
        refused = [address for address in addresses if not address_allowed(address)]
        if refused:
            # One private answer among public ones is refused too: the name is not to be trusted.
            log.warning("Refused a request to %s: it resolves to %s", host, ", ".join(refused))
            raise OutboundError(MSG_PRIVATE)
    return addresses
