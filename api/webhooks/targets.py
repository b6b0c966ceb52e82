"""Where a webhook may post: no server-side request forgery.

A URL must be https and its host must resolve to public addresses only: no loopback,
private, shared, link-local, multicast, reserved or cloud-metadata address, including
IPv4 addresses hidden in IPv6 ones (IPv4-mapped, 6to4, Teredo, NAT64). It is checked when
a subscription is saved and again before each attempt (DNS changes), and the attempt
connects to the very address checked, so a name that resolves elsewhere a moment later
(DNS rebinding) gains nothing. `WEBHOOKS_ALLOW_PRIVATE` (development and tests) allows
http and every address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Public addresses that answer as the host's cloud provider (instance metadata, Azure's wire
# server, Alibaba's metadata); 169.254.169.254 and fd00:ec2::254 are refused as link-local
# and private anyway, named here so the reason says what they are.
METADATA = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "168.63.129.16", "100.100.100.200")}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(Exception):
    """A URL this deployment will not post to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to `address`, say `host` (Host header, TLS name)."""

    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def check_url(url: str, *, allow_private: bool) -> Target:
    """The URL's target once its scheme is checked and its host resolved to allowed addresses."""
    if not url.isascii() or any(c.isspace() or not c.isprintable() for c in url):
        raise TargetRefused("Percent-encode the URL (and write an international host name in punycode).")
    try:
        parts = urlsplit(url)
        host = parts.hostname  # (a bracketed IPv6 address is parsed here)
    except ValueError:
        raise TargetRefused("Not a URL (an IPv6 address goes in brackets: https://[2001:db8::1]/).") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused("Use an https URL.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Put no credentials in the URL: receivers authenticate deliveries by "
                            "their signature.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused("The port is not a number from 1 to 65535.") from None
    if not host or port == 0:
        raise TargetRefused("The URL needs a host.")
    addresses = resolve(host, port)
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason:
                where = f"{host} is" if host == str(address) else f"{host} resolves to {address},"
                raise TargetRefused(f"{where} {reason}: webhooks are only sent to public addresses.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise TargetRefused(f"{host} does not resolve to any address.") from None
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])  # without an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    return addresses


def refusal(address: IPAddress) -> str | None:
    """Why posting to `address` is refused (None: a public address)."""
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:a.b.c.d is a.b.c.d, nothing else
    for candidate in [mapped] if mapped else (*embedded_ipv4(address), address):
        if candidate in METADATA:
            return "a cloud metadata address"
        for test, kind in ((candidate.is_loopback, "a loopback address"),
                           (candidate.is_link_local, "a link-local address"),
                           (candidate.is_multicast, "a multicast address"),
                           (candidate.is_unspecified, "the unspecified address"),
                           (candidate.is_private, "a private address"),
                           (candidate.is_reserved, "a reserved address"),
                           (not candidate.is_global, "not a public address")):
            if test:
                return kind
    return None


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches through a tunnel or translator (6to4, Teredo,
    NAT64): those are checked too."""
    if address.version == 4:
        return []
    found = [address.sixtofour, *(address.teredo or ())]
    if address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in found if a is not None]
