"""Fetching a photo from a link: private addresses refused before connecting, sizes capped, images verified."""

import socket

import pytest
import requests
import responses

from enhancer.media.fetcher import FetchError, check_destination, fetch_image
from tests.support.images import image_bytes

MB = 1024 * 1024
PUBLIC_IP = "93.184.216.34"
# What the fake resolver answers for names (any other is not found); IP literals resolve to themselves.
DNS = {
    "photos.example.com": [PUBLIC_IP],
    "cdn.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
    "intranet.example.com": ["10.0.0.7"],
    "sneaky.example.com": [PUBLIC_IP, "192.168.1.20"],
    "metadata.example.com": ["169.254.169.254"],
}


@pytest.fixture
def resolver(fake_dns):
    """Answer DNS from the table above and record every host looked up; never touch the network."""
    return fake_dns(DNS, others=None)


@pytest.fixture
def web(resolver):
    """A mocked web: any request to an unregistered URL would be recorded in `web.calls`."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fetch(url: str, **kwargs):
    kwargs.setdefault("max_bytes", 5 * MB)
    return fetch_image(url, **kwargs)


def fetch_error(url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, **kwargs)
    return caught.value


def test_it_fetches_and_identifies_an_image(web):
    content = image_bytes(64, 48, "PNG")
    web.get("https://photos.example.com/cat.png", body=content, content_type="image/png")
    fetched = fetch("https://photos.example.com/cat.png")
    assert fetched.path.read_bytes() == content
    assert (fetched.info.format, fetched.info.width, fetched.info.height) == ("PNG", 64, 48)


def test_it_fetches_from_a_public_ipv6_host(web):
    web.get("https://cdn.example.com/cat.jpg", body=image_bytes(fmt="JPEG"), content_type="image/jpeg")
    assert fetch("https://cdn.example.com/cat.jpg").info.format == "JPEG"


def test_it_puts_a_timeout_on_the_download(web):
    web.get("https://photos.example.com/cat.png", body=image_bytes())
    fetch("https://photos.example.com/cat.png", connect_timeout=2.0, read_timeout=9.0)
    assert web.calls[0].request.req_kwargs["timeout"] == (2.0, 9.0)


def test_it_takes_the_extension_from_the_image_itself_not_the_link(web):
    web.get("https://photos.example.com/photo.jpg", body=image_bytes(fmt="PNG"), content_type="image/jpeg")
    info = fetch("https://photos.example.com/photo.jpg").info
    assert info.extension == ".png"
    assert info.content_type == "image/png"


@pytest.mark.parametrize(
    "fmt, extension",
    [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("BMP", ".bmp"), ("TIFF", ".tiff")],
)
def test_it_derives_the_extension_for_each_supported_format(web, fmt, extension):
    web.get("https://photos.example.com/download", body=image_bytes(fmt=fmt))
    assert fetch("https://photos.example.com/download").info.extension == extension


# Refused before any connection is made


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/cat.png",
        "http://127.8.9.10/cat.png",
        "http://[::1]/cat.png",
        "http://10.1.2.3/cat.png",
        "http://172.16.0.1/cat.png",
        "http://192.168.1.1/cat.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/cat.png",
        "http://[fd00::1]/cat.png",
        "http://0.0.0.0/cat.png",
        "http://100.64.0.1/cat.png",
        "http://224.0.0.1/cat.png",
        "http://[::ffff:127.0.0.1]/cat.png",
    ],
)
def test_it_refuses_a_private_or_local_address_before_connecting(web, url):
    error = fetch_error(url)
    assert error.message == "That link points to a private or local network address, which is not allowed."
    assert not error.transient
    assert len(web.calls) == 0


@pytest.mark.parametrize("host", ["intranet.example.com", "metadata.example.com", "sneaky.example.com"])
def test_it_refuses_a_name_that_resolves_to_a_private_address(web, resolver, host):
    error = fetch_error(f"https://{host}/cat.png")
    assert "private or local network address" in error.message
    assert resolver == [host]
    assert len(web.calls) == 0


@pytest.mark.parametrize(
    "url",
    ["http://photos.example.com:8080/cat.png", "https://photos.example.com:22/", "http://127.0.0.1:6379/"],
)
def test_it_refuses_an_unusual_port_before_looking_anything_up(web, resolver, url):
    error = fetch_error(url)
    assert error.message == "Links to unusual ports are not allowed. Use an ordinary web link."
    assert resolver == []
    assert len(web.calls) == 0


@pytest.mark.parametrize(
    "url", ["ftp://photos.example.com/cat.png", "file:///etc/passwd", "cat.png", "https://"]
)
def test_it_refuses_a_link_that_is_not_a_web_address(web, url):
    error = fetch_error(url, allow_private=True)
    assert error.message == "The link must start with http:// or https://."
    assert len(web.calls) == 0


def test_it_fails_a_mistyped_domain_at_once_instead_of_trying_again(web):
    error = fetch_error("https://nowhere.example.com/cat.png")
    assert error.message == "That web address does not exist. Check the link for a typo."
    assert not error.transient
    assert len(web.calls) == 0


def test_it_tries_again_when_a_name_could_not_be_looked_up_for_now(web, monkeypatch):
    def lookup_failed(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", lookup_failed)
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == "That web address could not be found. Check the link."
    assert error.transient


def test_it_reaches_loopback_and_any_port_when_private_links_are_allowed(web):
    web.get("http://127.0.0.1:8765/cat.png", body=image_bytes())
    assert fetch("http://127.0.0.1:8765/cat.png", allow_private=True).info.format == "PNG"
    assert len(web.calls) == 1


def test_check_destination_lets_a_public_address_through(resolver):
    check_destination("https://photos.example.com/cat.png", allow_private=False)
    assert resolver == ["photos.example.com"]


# Redirects


def test_it_follows_a_redirect_to_another_public_address(web):
    web.get(
        "https://photos.example.com/short", status=302, headers={"Location": "https://cdn.example.com/cat"}
    )
    web.get("https://cdn.example.com/cat", body=image_bytes())
    assert fetch("https://photos.example.com/short").info.format == "PNG"
    assert [call.request.url for call in web.calls] == [
        "https://photos.example.com/short",
        "https://cdn.example.com/cat",
    ]


def test_it_follows_a_relative_redirect(web):
    web.get("https://photos.example.com/old", status=301, headers={"Location": "/new.png"})
    web.get("https://photos.example.com/new.png", body=image_bytes())
    assert fetch("https://photos.example.com/old").info.format == "PNG"


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1/admin",
        "http://intranet.example.com/cat.png",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_it_checks_every_redirect_again_and_refuses_a_private_one(web, location):
    web.get("https://photos.example.com/cat.png", status=302, headers={"Location": location})
    error = fetch_error("https://photos.example.com/cat.png")
    assert "private or local network address" in error.message
    assert [call.request.url for call in web.calls] == ["https://photos.example.com/cat.png"]


def test_it_refuses_a_redirect_to_an_unusual_port(web):
    web.get(
        "https://photos.example.com/cat.png",
        status=307,
        headers={"Location": "http://photos.example.com:8080/"},
    )
    assert "unusual ports" in fetch_error("https://photos.example.com/cat.png").message
    assert len(web.calls) == 1


def test_it_gives_up_on_a_redirect_loop(web):
    web.get("https://photos.example.com/a", status=302, headers={"Location": "/b"})
    web.get("https://photos.example.com/b", status=302, headers={"Location": "/a"})
    error = fetch_error("https://photos.example.com/a")
    assert error.message == "The link redirects too many times."
    assert len(web.calls) == 4


# Size cap


def test_it_refuses_an_image_whose_declared_size_is_over_the_cap(web):
    web.get(
        "https://photos.example.com/huge.png",
        body=image_bytes(),
        headers={"Content-Length": str(6 * MB)},
    )
    error = fetch_error("https://photos.example.com/huge.png", max_bytes=5 * MB)
    assert error.message == "The image is larger than the 5 MB limit."
    assert not error.transient


def test_it_stops_reading_a_body_that_grows_past_the_cap(web):
    web.get("https://photos.example.com/huge.png", body=b"\x89PNG" + b"\0" * MB)
    error = fetch_error("https://photos.example.com/huge.png", max_bytes=MB)
    assert error.message == "The image is larger than the 1 MB limit."
    assert "Content-Length" not in web.calls[0].response.headers


def test_it_accepts_an_image_exactly_at_the_cap(web):
    content = image_bytes()
    web.get("https://photos.example.com/cat.png", body=content)
    assert fetch("https://photos.example.com/cat.png", max_bytes=len(content)).path.read_bytes() == content


# Answers that are not an image


def test_it_says_plainly_when_the_link_is_not_an_image(web):
    web.get(
        "https://photos.example.com/page", body="<html><body>Hello</body></html>", content_type="text/html"
    )
    error = fetch_error("https://photos.example.com/page")
    assert error.message == "The link did not lead to a picture we can read (JPG, PNG, WebP, BMP or TIFF)."
    assert not error.transient


def test_it_refuses_an_image_format_hitpaw_does_not_take(web):
    web.get("https://photos.example.com/anim.gif", body=image_bytes(fmt="GIF"), content_type="image/gif")
    error = fetch_error("https://photos.example.com/anim.gif")
    assert "GIF" in error.message and "not supported" in error.message


@pytest.mark.parametrize("status", [401, 403])
def test_it_says_plainly_when_the_website_refuses_access(web, status):
    web.get("https://photos.example.com/cat.png", status=status)
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == (
        f"The image's website refused access (error {status}). The link may have expired."
    )
    assert not error.transient


@pytest.mark.parametrize("status", [404, 410])
def test_it_says_plainly_when_nothing_is_at_the_link(web, status):
    web.get("https://photos.example.com/cat.png", status=status)
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == f"Nothing was found at that link (error {status}). The link may have expired."
    assert not error.transient


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_it_calls_a_website_problem_transient(web, status):
    web.get("https://photos.example.com/cat.png", status=status)
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == f"The image's website had a problem (error {status})."
    assert error.transient


def test_it_calls_another_client_error_final(web):
    web.get("https://photos.example.com/cat.png", status=400)
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == "The image's website answered with error 400."
    assert not error.transient


# Network failures


def test_it_calls_a_timeout_transient(web):
    web.get("https://photos.example.com/cat.png", body=requests.exceptions.ReadTimeout("read timed out"))
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == "The image's website did not answer in time."
    assert error.transient


def test_it_calls_a_failed_connection_transient(web):
    web.get("https://photos.example.com/cat.png", body=requests.exceptions.ConnectionError("refused"))
    error = fetch_error("https://photos.example.com/cat.png")
    assert error.message == "Could not connect to the image's website."
    assert error.transient
