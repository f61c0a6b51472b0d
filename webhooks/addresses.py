"""Where a webhook may be sent: the URL's shape when it is set, and the address its host resolves to when it is used.

Resolved at delivery time and connected to by address, so a name that resolved to a public
address when checked cannot point the connection somewhere else a moment later (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 prefixes that carry an IPv4 address inside them: the address inside is what is reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


class WebhookUrlError(ValueError):
    """The URL cannot be a webhook's; the message says why, for the person who set it."""


class AddressRefusedError(Exception):
    """The host resolves to an address deliveries may not reach; the message names host and address."""


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    scheme: str
    host: str
    port: int

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_for_address(self, address: IPAddress) -> str:
        """The URL with its host replaced by `address`, the one that was checked."""
        parts = urlsplit(self.url)
        literal = f"[{address}]" if address.version == 6 else str(address)
        return parts._replace(netloc=f"{literal}:{self.port}").geturl()


def parse_webhook_url(url: object, *, require_https: bool) -> WebhookTarget:
    """`url` as a webhook target, or WebhookUrlError saying what to fix."""
    if not isinstance(url, str) or not url.strip():
        raise WebhookUrlError('send {"url": "https://..."}: the address that receives the webhooks')
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlError(f"url must be at most {MAX_URL_LENGTH} characters")
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        raise WebhookUrlError("url must not contain spaces or control characters")
    if not url.isascii():
        # The Host header and the name resolved must be the same ASCII name.
        raise WebhookUrlError("url must be ASCII: write an international domain name as xn--…, and escape the path")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookUrlError("url is not a valid URL; give one such as https://example.com/hooks") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise WebhookUrlError("url must start with https://")
    if require_https and scheme != "https":
        raise WebhookUrlError("url must use https:// (plain http is allowed in development only)")
    if not parts.hostname:
        raise WebhookUrlError("url has no host; give one such as https://example.com/hooks")
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlError("url must not contain a user name or password; authenticate with the signature")
    if parts.fragment:
        raise WebhookUrlError("url must not contain a #fragment")
    return WebhookTarget(url=url, scheme=scheme, host=parts.hostname, port=port or _DEFAULT_PORTS[scheme])


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """Whether `address` is a globally reachable unicast address: not loopback, private, link-local (cloud
    metadata at 169.254.169.254 included), unique-local (fd00::/8), shared, reserved, unspecified or multicast."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if address in _SIX_TO_FOUR:
            return False
    return address.is_global and not address.is_multicast


def checked_address(target: WebhookTarget, *, allow_private: bool) -> IPAddress:
    """The address to connect to: every address the host resolves to now must be public (unless allowed)."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefusedError(f"{target.host} does not resolve") from None
    # Scope ids (fe80::1%eth0) are dropped: such addresses are link-local, refused anyway.
    addresses = [ipaddress.ip_address(str(entry[4][0]).split("%")[0]) for entry in found]
    if not addresses:
        raise AddressRefusedError(f"{target.host} does not resolve")
    if not allow_private:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise AddressRefusedError(
                f"{target.host} resolves to {refused[0]}, a private, loopback or link-local address;"
                " webhooks go to public addresses only (WEBHOOK_ALLOW_PRIVATE=1 allows them in development)"
            )
    return addresses[0]
