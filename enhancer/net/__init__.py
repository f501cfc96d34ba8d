"""Safe outbound HTTP: the one way the desk opens a connection to a link someone else chose.

- `addresses`: which links and addresses may be reached (web schemes and ports only, no
  credentials in the link; private, loopback, link-local, CGNAT, metadata and RFC 2765 addresses
  refused, IPv6 forms judged by the IPv4 address they carry), each name looked up once.
  `ENHANCER_ALLOW_PRIVATE_URLS` (development and tests) lifts the address and port rules only.
- `pinned`: a requests session whose connections go to the checked address while TLS and the
  Host header keep the name (never a second lookup); no proxies, `.netrc` or CA bundles from the
  environment (`trust_env=False`); a total deadline that shuts the sockets when it passes.
- `outbound`: one request through both, redirects followed only when asked and each checked again.

The photo fetcher (`enhancer.media.fetcher`) is built on it; so will be a webhooks sender. May
import Django settings and nothing else of `enhancer`.
"""

from enhancer.net.addresses import OutboundError, address_allowed, check_destination
from enhancer.net.outbound import request
from enhancer.net.pinned import Deadline, pinned_session

__all__ = [
    "Deadline",
    "OutboundError",
    "address_allowed",
    "check_destination",
    "pinned_session",
    "request",
]
