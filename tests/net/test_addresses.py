"""Which addresses an outbound request may reach: every form of a private, local or metadata
address is refused; IPv6 forms that carry a public IPv4 address pass; links are judged before
any lookup where no lookup is needed."""

import pytest
from django.test import override_settings

from enhancer.net import OutboundError, address_allowed, check_destination
from enhancer.net.addresses import (
    METADATA_ADDRESSES,
    MSG_CREDENTIALS,
    MSG_PORT,
    MSG_PRIVATE,
    address_in,
    obviously_local,
    private_urls_allowed,
    reachable_from_internet,
)

PUBLIC = "93.184.216.34"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.100.100.200",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "fd00::1",
        "fd00:ec2::254",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "::169.254.169.254",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::1",
        "192.88.99.1",
        "3fff::1",
        "::ffff:0:127.0.0.1",  # IPv4-translated (RFC 2765): never routed on the internet
        "::ffff:0:a9fe:a9fe",
        "::ffff:0:93.184.216.34",
    ],
)
def test_it_refuses_private_local_and_metadata_addresses_in_every_form(address):
    assert not address_allowed(address)


@pytest.mark.parametrize(
    "address",
    [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34", "2002:5db8:d822::1"]
    + ["64:ff9b::5db8:d822", "::93.184.216.34"],
)
def test_it_judges_ipv6_forms_that_carry_a_public_ipv4_address_by_that_address(address):
    assert address_allowed(address)


def test_the_metadata_addresses_are_all_refused():
    assert not any(address_allowed(address) for address in METADATA_ADDRESSES)


def test_check_destination_looks_a_name_up_once_and_returns_its_addresses(fake_dns):
    looked_up = fake_dns({"photos.example.com": [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"]})
    found = check_destination("https://photos.example.com/cat.png", allow_private=False)
    assert found == (PUBLIC, "2606:2800:220:1:248:1893:25c8:1946")
    assert looked_up == ["photos.example.com"]


def test_one_private_answer_among_public_ones_refuses_the_name(fake_dns):
    fake_dns({"sneaky.example.com": [PUBLIC, "127.0.0.1"]})
    with pytest.raises(OutboundError) as caught:
        check_destination("https://sneaky.example.com/", allow_private=False)
    assert caught.value.message == MSG_PRIVATE and not caught.value.transient


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://user:secret@photos.example.com/", MSG_CREDENTIALS),
        ("http://photos.example.com:6379/", MSG_PORT),
    ],
)
def test_rules_that_need_no_lookup_are_judged_before_one(fake_dns, url, message):
    looked_up = fake_dns()
    with pytest.raises(OutboundError) as caught:
        check_destination(url, allow_private=False)
    assert caught.value.message == message
    assert looked_up == []


def test_allowing_private_links_lifts_the_address_and_port_rules_only(fake_dns):
    assert check_destination("http://localhost:8000/", allow_private=True) == ("127.0.0.1",)
    with pytest.raises(OutboundError):
        check_destination("http://user:pw@localhost:8000/", allow_private=True)


@pytest.mark.parametrize(
    "url",
    ["http://localhost/a.png", "http://x.localhost/", "http://2130706433/", "http://0x7f.1/", "http://127.1/"]
    + ["http://[::ffff:10.0.0.1]/", "http://169.254.169.254/latest/"],
)
def test_obviously_local_links_are_caught_without_a_lookup(fake_dns, url):
    looked_up = fake_dns()
    assert obviously_local(url)
    assert looked_up == []


@pytest.mark.parametrize("url", ["https://photos.example.com/a.png", f"http://{PUBLIC}/", "http://[::1/"])
def test_public_or_unreadable_links_are_not_called_obviously_local(url):
    assert not obviously_local(url)


def test_numeric_hosts_are_read_as_browsers_read_them():
    assert address_in("2130706433") == "127.0.0.1"
    assert address_in("0x7F.0.0.1") == "127.0.0.1"
    assert address_in("photos.example.com") is None


@pytest.mark.parametrize(
    ("url", "reachable"),
    [
        ("", False),
        ("http://127.0.0.1:8000", False),
        ("http://192.168.1.20", False),
        ("http://desk.local", False),
        ("http://intranet", False),
        ("https://desk.example.com", True),
        (f"https://{PUBLIC}", True),
    ],
)
def test_whether_the_internet_could_reach_a_link_of_ours(url, reachable):
    assert reachable_from_internet(url) is reachable


def test_private_links_follow_the_setting():
    with override_settings(ENHANCER_ALLOW_PRIVATE_URLS=True):
        assert private_urls_allowed()
    with override_settings(ENHANCER_ALLOW_PRIVATE_URLS=False):
        assert not private_urls_allowed()
