"""The SSRF guard: which URLs a webhook may have, and which addresses a delivery may reach."""

from __future__ import annotations

import ipaddress

import pytest

from webhooks.addresses import (
    AddressRefusedError,
    WebhookUrlError,
    checked_address,
    is_public,
    parse_webhook_url,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",  # noqa: S104 (an address refused, not one bound)
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fd00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "ff02::1",
        "2001:db8::1",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_global_unicast_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "127.0.0.1",
        "[::1]",
        "2130706433",  # 127.0.0.1 as one decimal number
        "0x7f.0.0.1",
        "127.1",
        "0",
        "[::ffff:7f00:1]",
        "169.254.169.254",
    ],
)
def test_a_host_resolving_to_a_private_address_is_refused_at_delivery(host):
    target = parse_webhook_url(f"http://{host}:8080/hook", require_https=False)
    with pytest.raises(AddressRefusedError, match="webhooks go to public addresses only"):
        checked_address(target, allow_private=False)


def test_private_addresses_are_allowed_when_the_setting_says_so():
    target = parse_webhook_url("http://localhost:8080/hook", require_https=False)
    assert checked_address(target, allow_private=True).is_loopback


def test_a_host_that_does_not_resolve_is_refused():
    target = parse_webhook_url("https://no-such-host.invalid/hook", require_https=True)
    with pytest.raises(AddressRefusedError, match="does not resolve"):
        checked_address(target, allow_private=False)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (None, "send {"),
        ("", "send {"),
        ("ftp://example.com/x", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "must start with https://"),
        ("http://example.com/hook", "must use https://"),
        ("https://user:pass@example.com/", "user name or password"),
        ("https:///nohost", "no host"),
        ("https://example.com:99999/", "not a valid URL"),
        ("https://exa mple.com/", "spaces or control characters"),
        ("https://example.com/\r\nX-Injected: 1", "spaces or control characters"),
        ("https://example.com/#x", "fragment"),
        ("https://exämple.com/", "must be ASCII"),
        ("https://example.com/\u202eevil", "must be ASCII"),
        ("https://example.com/" + "a" * 2050, "at most 2048"),
    ],
)
def test_urls_a_webhook_cannot_have_are_refused_saying_why(url, words):
    with pytest.raises(WebhookUrlError, match=words.replace("{", r"\{")):
        parse_webhook_url(url, require_https=True)


def test_plain_http_is_allowed_in_development():
    assert parse_webhook_url("http://example.com/hook", require_https=False).port == 80


def test_the_connection_names_the_checked_address_and_the_host_header_the_host():
    target = parse_webhook_url("https://hooks.example.com:8443/in?x=1", require_https=True)
    assert target.url_for_address(ipaddress.ip_address("203.0.113.7")) == "https://203.0.113.7:8443/in?x=1"
    assert target.url_for_address(ipaddress.ip_address("2001:db8::7")) == "https://[2001:db8::7]:8443/in?x=1"
    assert target.host_header == "hooks.example.com:8443"
