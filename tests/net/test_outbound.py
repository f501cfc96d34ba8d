"""An outbound request against real sockets on loopback: it connects only to checked addresses,
follows a redirect only when asked (each hop checked again), and a POST (a webhook's) is sent
through the same pinned session with no proxy from the environment."""

import socket

import pytest
import requests

from enhancer.net import Deadline, OutboundError, pinned_session, request
from enhancer.net.addresses import MSG_PRIVATE
from enhancer.net.outbound import MSG_REDIRECTS
from tests.media import servers

PUBLIC = "93.184.216.34"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def carried(monkeypatch, server):
    """Connections to the (fake) public address are recorded, then carried to the loopback server."""
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        attempts.append((address[0], address[1]))
        return real_connect(sock, ("127.0.0.1", server.port))

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def get(url: str, **kwargs) -> bytes:
    kwargs.setdefault("allow_private", False)
    with Deadline(5) as deadline, pinned_session() as session:
        response = request(session, deadline, "GET", url, connect_timeout=2, read_timeout=2, **kwargs)
        with response:
            return response.content


def test_it_never_connects_to_a_host_whose_address_was_not_checked(server):
    """The adapter fails closed: a request that did not go through the checks cannot connect."""
    server.routes["/cat.png"] = servers.body(PNG)
    with pinned_session() as session, pytest.raises(requests.exceptions.ConnectionError):
        session.get(server.url("/cat.png"), timeout=2)
    assert server.requests == []


def test_it_connects_to_the_checked_address_only(fake_dns, carried, server):
    fake_dns({"photos.example.com": PUBLIC})
    server.routes["/cat.png"] = servers.body(PNG)
    assert get("http://photos.example.com/cat.png") == PNG
    assert carried == [(PUBLIC, 80)]


def test_a_redirect_is_refused_unless_asked_for(fake_dns, carried, server):
    fake_dns({"photos.example.com": PUBLIC})
    server.routes["/old"] = servers.redirect("/cat.png")
    server.routes["/cat.png"] = servers.body(PNG)
    with pytest.raises(OutboundError) as caught:
        get("http://photos.example.com/old")
    assert caught.value.message == MSG_REDIRECTS
    assert get("http://photos.example.com/old", max_redirects=1) == PNG


def test_each_redirect_is_checked_again(fake_dns, carried, server):
    fake_dns({"photos.example.com": PUBLIC, "intranet.example.com": "10.0.0.7"})
    server.routes["/old"] = servers.redirect("http://intranet.example.com/cat.png")
    with pytest.raises(OutboundError) as caught:
        get("http://photos.example.com/old", max_redirects=3)
    assert caught.value.message == MSG_PRIVATE
    assert carried == [(PUBLIC, 80)]


def test_the_session_takes_no_proxy_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    session = pinned_session()
    assert session.trust_env is False
    assert session.proxies == {}
