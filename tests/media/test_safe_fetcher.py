"""The safe fetcher against real sockets on loopback: the connection goes to the address that was
checked (one lookup, the name kept for TLS and Host), private and metadata addresses are refused
before any connection, and a total deadline holds whatever a server does.

No test connects outside 127.0.0.0/8: names resolve through a fake resolver, and a connection to a
(fake) public address is recorded, then carried to a loopback server.
"""

import gc
import ipaddress
import socket
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from enhancer.media.fetcher import (
    MSG_CREDENTIALS,
    MSG_NOT_WEB,
    MSG_PORT,
    MSG_PRIVATE,
    MSG_REDIRECTS,
    MSG_TOO_SLOW,
    FetchedImage,
    FetchError,
    fetch_image,
)
from tests.media import servers
from tests.media.images import encode, photo

MB = 1024 * 1024
PUBLIC = "93.184.216.34"
CDN = "151.101.1.69"
DNS = {
    "photos.example.com": [PUBLIC],
    "cdn.example.com": [CDN],
    "intranet.example.com": ["10.0.0.7"],
    "metadata.example.com": ["169.254.169.254"],
    "metadata6.example.com": ["fd00:ec2::254"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "compat.example.com": ["::127.0.0.1"],
    "sixtofour.example.com": ["2002:a9fe:a9fe::1"],
    "nat64.example.com": ["64:ff9b::a9fe:a9fe"],
    "sitelocal.example.com": ["fec0::1"],
    "cgnat.example.com": ["100.64.0.1"],
    "sneaky.example.com": [PUBLIC, "127.0.0.1"],
    "localhost": ["127.0.0.1"],
}
PNG = encode(photo(64, 48), "PNG")


class Lookups(list):
    """The names looked up, in order; `table` is what the fake resolver answers."""

    table: dict[str, list[str]]


@pytest.fixture
def fake_dns(monkeypatch):
    """Answer lookups from DNS above (IP literals and inet_aton's numeric forms as themselves),
    and record every name looked up."""
    looked_up = Lookups()
    looked_up.table = table = dict(DNS)

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        looked_up.append(host)
        if isinstance(host, bytes):
            host = host.decode()
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = [socket.inet_ntoa(socket.inet_aton(host))]  # 2130706433, 0x7f.1, 127.1
            except OSError:
                if host not in table:
                    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
                addresses = table[host]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if any TCP connection is even attempted."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args[1:]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def carried(monkeypatch, server):
    """Connections to (fake) public addresses are recorded, then carried to the loopback server."""
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        host, port = address[0], address[1]
        if ipaddress.ip_address(host).is_loopback:
            return real_connect(sock, address)
        attempts.append((host, port))
        return real_connect(sock, ("127.0.0.1", server.port))

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def temp_dir(monkeypatch, tmp_path):
    """Downloads go to a folder of their own, to see that nothing is left behind."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def refusal(url: str, **kwargs) -> FetchError:
    kwargs.setdefault("max_bytes", 5 * MB)
    with pytest.raises(FetchError) as caught:
        fetch_image(url, **kwargs)
    return caught.value


# --- Which addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/cat.png",
        "http://[::ffff:7f00:1]/cat.png",
        "http://[2002:7f00:1::]/cat.png",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[fec0::1]/cat.png",
        "http://100.100.100.200/latest/meta-data/",
        "http://2130706433/cat.png",  # 127.0.0.1 as one number
        "http://0x7f.1/cat.png",
        "http://127.1/cat.png",
        "http://017700000001/cat.png",
    ],
)
def test_it_refuses_odd_spellings_of_private_addresses_before_connecting(fake_dns, no_connections, url):
    error = refusal(url)
    assert error.message == MSG_PRIVATE
    assert not error.transient


@pytest.mark.parametrize(
    "host", [host for host in DNS if host not in ("photos.example.com", "cdn.example.com")]
)
def test_it_refuses_a_name_that_resolves_to_a_refused_address_before_connecting(
    fake_dns, no_connections, host
):
    assert refusal(f"https://{host}/cat.png").message == MSG_PRIVATE
    assert fake_dns == [host]


# --- Links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@photos.example.com/cat.png",
        "https://user@photos.example.com/cat.png",
        "https://:secret@photos.example.com/cat.png",
        "http://admin:admin@127.0.0.1/",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_it_refuses_a_link_with_credentials_before_looking_anything_up(
    fake_dns, no_connections, url, allow_private
):
    assert refusal(url, allow_private=allow_private).message == MSG_CREDENTIALS
    assert fake_dns == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://photos.example.com/cat.png",
        "file:///etc/passwd",
        "gopher://photos.example.com/",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "//photos.example.com/cat.png",
        "http://[::1/cat.png",
        "http://photos.example.com:99999/cat.png",
        "",
        "   ",
    ],
)
def test_it_refuses_what_is_not_a_web_link(fake_dns, no_connections, url):
    assert refusal(url, allow_private=True).message == MSG_NOT_WEB
    assert fake_dns == []


@pytest.mark.parametrize("port", [8080, 22, 6379, 5432, 11211])
def test_it_refuses_ports_other_than_80_and_443(fake_dns, no_connections, port):
    assert refusal(f"http://photos.example.com:{port}/cat.png").message == MSG_PORT
    assert fake_dns == []


# --- The connection goes to the checked address -----------------------------------------------


def test_it_connects_to_the_address_it_checked_and_keeps_the_name_for_the_host_header(
    fake_dns, carried, server
):
    server.routes["/cat.png"] = servers.body(PNG)
    with fetch_image("http://photos.example.com/cat.png", max_bytes=MB) as fetched:
        assert fetched.path.read_bytes() == PNG
        assert (fetched.size, fetched.info.format) == (len(PNG), "PNG")
    assert fake_dns == ["photos.example.com"]  # one lookup, no second one to connect
    assert carried == [(PUBLIC, 80)]
    path, headers = server.requests[0]
    assert path == "/cat.png"
    assert headers["host"] == "photos.example.com"


def test_a_name_that_changes_its_answer_after_the_check_is_not_looked_up_again(fake_dns, carried, server):
    """DNS rebinding: the first answer is public, every later one loopback. There is no later one."""
    server.routes["/cat.png"] = servers.body(PNG)
    real = socket.getaddrinfo
    answers = iter([PUBLIC])

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example.com":
            fake_dns.table[host] = [next(answers, "127.0.0.1")]
        return real(host, port, *args, **kwargs)

    socket.getaddrinfo = rebinding
    try:
        with fetch_image("http://rebind.example.com/cat.png", max_bytes=MB) as fetched:
            assert fetched.info.format == "PNG"
    finally:
        socket.getaddrinfo = real
    assert fake_dns == ["rebind.example.com"]
    assert carried == [(PUBLIC, 80)]


def test_it_sends_no_credentials_of_any_kind(fake_dns, carried, server, monkeypatch, tmp_path):
    """No proxy, no .netrc from the environment, no API key: a session of its own."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine photos.example.com login staff password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # a proxy nobody listens on
    server.routes["/cat.png"] = servers.body(PNG)
    with fetch_image("http://photos.example.com/cat.png", max_bytes=MB) as fetched:
        assert fetched.info.format == "PNG"
    headers = server.requests[0][1]
    assert not {"authorization", "apikey", "proxy-authorization", "cookie"} & set(headers)
    assert carried == [(PUBLIC, 80)]


def test_each_redirect_is_checked_and_connected_to_its_own_address(fake_dns, carried, server):
    server.routes["/short"] = servers.redirect("http://cdn.example.com/cat.png")
    server.routes["/cat.png"] = servers.body(PNG)
    with fetch_image("http://photos.example.com/short", max_bytes=MB) as fetched:
        assert fetched.info.format == "PNG"
    assert fake_dns == ["photos.example.com", "cdn.example.com"]
    assert carried == [(PUBLIC, 80), (CDN, 80)]
    assert [headers["host"] for _, headers in server.requests] == ["photos.example.com", "cdn.example.com"]


@pytest.mark.parametrize(
    "location, message",
    [
        ("http://metadata.example.com/latest/meta-data/", MSG_PRIVATE),
        ("http://[::ffff:169.254.169.254]/latest/meta-data/", MSG_PRIVATE),
        ("http://127.0.0.1/admin", MSG_PRIVATE),
        ("http://photos.example.com:6379/", MSG_PORT),
        ("http://staff:pw@cdn.example.com/cat.png", MSG_CREDENTIALS),
        ("file:///etc/passwd", MSG_NOT_WEB),
    ],
)
def test_a_redirect_to_a_refused_place_is_refused_before_connecting_there(
    fake_dns, carried, server, location, message
):
    server.routes["/cat.png"] = servers.redirect(location)
    assert refusal("http://photos.example.com/cat.png").message == message
    assert carried == [(PUBLIC, 80)]  # only the first hop was connected to


def test_it_follows_at_most_three_redirects(fake_dns, carried, server):
    for hop in range(4):
        server.routes[f"/{hop}"] = servers.redirect(f"/{hop + 1}")
    server.routes["/3"] = servers.body(PNG)
    with fetch_image("http://photos.example.com/0", max_bytes=MB) as fetched:  # 0 -> 1 -> 2 -> 3
        assert fetched.info.format == "PNG"
    server.routes["/3"] = servers.redirect("/4")
    server.routes["/4"] = servers.body(PNG)
    assert refusal("http://photos.example.com/0").message == MSG_REDIRECTS


def test_loopback_and_any_port_when_private_links_are_allowed(fake_dns, server):
    server.routes["/cat.png"] = servers.body(PNG)
    with fetch_image(server.url("/cat.png", host="localhost"), max_bytes=MB, allow_private=True) as fetched:
        assert fetched.info.format == "PNG"
    assert fake_dns == ["localhost"]


# --- TLS keeps the name -----------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    made = servers.self_signed(tmp_path, "photos.example.com")
    if made is None:
        pytest.skip("needs the openssl command")
    cert, key = made
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(cert))  # trust it, only it
    with servers.LoopbackServer(tls=servers.tls_context(cert, key)) as running:
        yield running


@pytest.fixture
def carried_tls(monkeypatch, tls_server):
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        attempts.append((address[0], address[1]))
        return real_connect(sock, ("127.0.0.1", tls_server.port))

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def test_tls_verifies_the_certificate_for_the_name_while_connecting_to_the_checked_address(
    fake_dns, tls_server, carried_tls
):
    tls_server.routes["/cat.png"] = servers.body(PNG)
    with fetch_image("https://photos.example.com/cat.png", max_bytes=MB) as fetched:
        assert fetched.info.format == "PNG"
    assert carried_tls == [(PUBLIC, 443)]
    assert tls_server.server_names == ["photos.example.com"]  # SNI
    assert tls_server.requests[0][1]["host"] == "photos.example.com"


def test_tls_refuses_a_certificate_for_another_name(fake_dns, tls_server, carried_tls):
    """cdn.example.com is carried to the same server, whose certificate names photos.example.com."""
    tls_server.routes["/cat.png"] = servers.body(PNG)
    error = refusal("https://cdn.example.com/cat.png")
    assert error.message == "Could not connect to the image's website."
    assert carried_tls == [(CDN, 443)]
    assert tls_server.requests == []


# --- A total deadline, whatever the server does -----------------------------------------------


@pytest.mark.parametrize(
    "make_route",
    [
        lambda stop: servers.drip_body(stop),
        lambda stop: servers.drip_body(stop, length=False),
        lambda stop: servers.drip_headers(stop),
        lambda stop: servers.silent(stop),
    ],
    ids=["drips-the-body", "drips-a-body-of-unknown-length", "drips-the-headers", "says-nothing"],
)
def test_a_slow_server_cannot_hold_a_fetch_past_its_deadline(server, temp_dir, make_route):
    """Each drip comes well inside the read timeout, so only the total deadline can end it."""
    server.routes["/slow.png"] = make_route(server.stop)
    started = time.monotonic()
    error = refusal(
        server.url("/slow.png"), allow_private=True, read_timeout=5.0, total_seconds=1.5, max_bytes=MB
    )
    elapsed = time.monotonic() - started
    assert error.message == MSG_TOO_SLOW
    assert error.transient
    assert 1.4 < elapsed < 4.0  # room for a slow machine; without the deadline it drips on and on
    assert list(temp_dir.iterdir()) == []


def test_the_deadline_covers_every_redirect_together(server):
    server.routes["/a"] = servers.redirect("/b")
    server.routes["/b"] = servers.drip_body(server.stop)
    started = time.monotonic()
    error = refusal(server.url("/a"), allow_private=True, read_timeout=5.0, total_seconds=1.0)
    assert error.message == MSG_TOO_SLOW
    assert time.monotonic() - started < 3.5  # room for a slow machine, well short of the read timeout


def test_a_short_fetch_started_after_a_long_one_still_ends_on_time(server):
    """Every fetch's deadline is kept by one watcher: a later, shorter one must not wait for the first."""
    server.routes["/long.png"] = servers.drip_body(server.stop)
    server.routes["/short.png"] = servers.drip_body(server.stop)
    with ThreadPoolExecutor(max_workers=1) as pool:
        long_fetch = pool.submit(
            refusal, server.url("/long.png"), allow_private=True, read_timeout=5.0, total_seconds=30.0
        )
        time.sleep(0.3)  # the long fetch is watched first
        started = time.monotonic()
        error = refusal(server.url("/short.png"), allow_private=True, read_timeout=5.0, total_seconds=1.0)
        assert error.message == MSG_TOO_SLOW
        assert time.monotonic() - started < 3.5  # room for a slow machine; the long one takes 30 s
        assert not long_fetch.done()
        server.stop.set()  # ends the long fetch's drip, so the test does not wait 30 s


# --- Streaming to a temporary file ------------------------------------------------------------


def test_the_download_streams_to_a_temporary_file_removed_on_close(server, temp_dir):
    server.routes["/cat.png"] = servers.body(PNG, length=False)
    fetched = fetch_image(server.url("/cat.png"), max_bytes=MB, allow_private=True)
    assert isinstance(fetched, FetchedImage)
    assert fetched.path.parent == temp_dir
    assert fetched.path.read_bytes() == PNG
    fetched.close()
    assert not fetched.path.exists()
    fetched.close()  # twice is fine


def test_a_forgotten_download_is_removed_when_collected(server, temp_dir):
    server.routes["/cat.png"] = servers.body(PNG)
    path = fetch_image(server.url("/cat.png"), max_bytes=MB, allow_private=True).path
    gc.collect()
    assert not path.exists()


@pytest.mark.parametrize("length", [True, False])
def test_a_body_past_the_cap_is_refused_and_nothing_is_left_behind(server, temp_dir, length):
    server.routes["/big.png"] = servers.body(PNG + b"\0" * MB, length=length)
    error = refusal(server.url("/big.png"), allow_private=True, max_bytes=MB)
    assert error.message == "The image is larger than the 1 MB limit."
    assert list(temp_dir.iterdir()) == []


def test_a_file_that_is_not_an_image_is_refused_and_removed(server, temp_dir):
    server.routes["/page"] = servers.body(b"<html><body>hello</body></html>", "text/html")
    error = refusal(server.url("/page"), allow_private=True)
    assert "did not lead to a picture" in error.message
    assert list(temp_dir.iterdir()) == []


def test_the_pixel_cap_is_passed_to_the_inspection(server):
    server.routes["/cat.png"] = servers.body(PNG)
    error = refusal(server.url("/cat.png"), allow_private=True, max_pixels=1000)
    assert error.message == "The photo is 0.0031 megapixels (64 × 48), more than the 0.001 megapixel limit."
    assert not error.transient


def test_a_body_cut_short_is_a_transient_failure(server):
    def cut(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(PNG) * 2))
        handler.end_headers()
        handler.wfile.write(PNG)
        handler.close_connection = True

    server.routes["/cut.png"] = cut
    error = refusal(server.url("/cut.png"), allow_private=True)
    assert error.message == "The download was cut off before the end."
    assert error.transient
