"""One outbound request: checked, pinned, under a deadline, redirects followed only when asked."""

from __future__ import annotations

from urllib.parse import urljoin

import requests

from enhancer.net.addresses import MSG_NOT_WEB, OutboundError, check_destination, host_and_port
from enhancer.net.pinned import Deadline

MSG_NO_ANSWER = "The image's website did not answer in time."
MSG_NO_CONNECTION = "Could not connect to the image's website."
MSG_TOO_SLOW = "The image took too long to download."
MSG_CUT_OFF = "The download was cut off before the end."
MSG_REDIRECTS = "The link redirects too many times."


def request(
    session: requests.Session,
    deadline: Deadline,
    method: str,
    url: str,
    *,
    allow_private: bool,
    connect_timeout: float,
    read_timeout: float,
    max_redirects: int = 0,
    **kwargs,
) -> requests.Response:
    """Send `method url` through a `pinned_session()` inside `with deadline:`; a streamed response.

    Each hop's link is checked and its name looked up once (`check_destination`) before the
    connection; a redirect is followed (as a GET) only up to `max_redirects` times, each checked
    again, else it is refused. The caller reads the body under the same deadline and closes it."""
    for _ in range(max_redirects + 1):
        url = prepared(url)
        host, port = host_and_port(url, allow_private=allow_private)
        deadline.pins = {(host.lower(), port): check_destination(url, allow_private=allow_private)}
        remaining = max(deadline.remaining(), 0.001)
        try:
            response = session.request(
                method,
                url,
                stream=True,
                allow_redirects=False,
                timeout=(min(connect_timeout, remaining), min(read_timeout, remaining)),
                **kwargs,
            )
        except requests.exceptions.RequestException as error:
            raise OutboundError(network_message(deadline, error), transient=True) from None
        location = session.get_redirect_target(response)
        if not location:
            return response
        response.close()
        url = urljoin(url, location)
        method = "GET"
        kwargs.pop("data", None)
        kwargs.pop("json", None)
    raise OutboundError(MSG_REDIRECTS)


def prepared(url: str) -> str:
    """The URL as requests will send it (IDNA host, quoted path), so our checks see what it sees."""
    if not isinstance(url, str) or not url.strip():
        raise OutboundError(MSG_NOT_WEB)
    try:
        ready = requests.PreparedRequest()
        ready.prepare_url(url.strip(), None)
    except (requests.exceptions.RequestException, ValueError, UnicodeError):
        raise OutboundError(MSG_NOT_WEB) from None
    if ready.url is None:  # prepare_url sets it or raises
        raise OutboundError(MSG_NOT_WEB)
    return ready.url


def network_message(deadline: Deadline, error: Exception) -> str:
    """A plain message for a request that failed on the network."""
    if deadline.too_late():
        return MSG_TOO_SLOW
    if isinstance(error, requests.exceptions.Timeout):
        return MSG_NO_ANSWER
    return MSG_NO_CONNECTION
