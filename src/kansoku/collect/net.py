"""The HTTP client of ``kansoku collect``: httpx, with every connection checked against an address policy.

SSRF guard: a page, feed or redirect must not make kansoku talk to the machine it runs on or to its private
network (a router's admin page, a database port, the cloud metadata service at 169.254.169.254). The check
sits where the socket is opened, in the httpcore network backend, so it covers every request, every
redirect hop and every retry, and it cannot be raced by DNS (no re-resolution between check and connect):
the host name is resolved once, *every* address it resolves to must be public, and the socket is opened to
one of those checked addresses. TLS still verifies the certificate against the host name.

Refused unless allowed (``allow_private``): loopback, private (RFC 1918, fc00::/7 incl. fd00::/8), shared
(100.64/10), link-local (169.254/16, fe80::/10), multicast, reserved, unspecified, documentation and
benchmark ranges (everything :attr:`ipaddress.IPv4Address.is_global` rejects), cloud metadata addresses,
and IPv6 forms that embed such an IPv4 address (``::ffff:127.0.0.1``, 6to4, NAT64, Teredo).

Proxies from the environment (``HTTP_PROXY`` …) are not used: through a proxy the target address could not
be checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence

import httpcore
import httpx

__all__ = ["AddressPolicy", "DnsFailure", "Refused", "make_client"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: cloud instance metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle)
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

Resolver = Callable[[str, int], Sequence[str]]


class Refused(Exception):
    """A connection the address policy forbids; ``str()`` is the one-line reason."""


class DnsFailure(Exception):
    """A host name that does not resolve."""


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _kind(ip: IPAddress) -> str | None:
    """What kind of non-public address ``ip`` is, or None for a public one."""
    if ip in _METADATA:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address) and (v4 := _embedded_v4(ip)) is not None and (inner := _kind(v4)):
        return f"{inner} (embedded in IPv6)"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


class AddressPolicy:
    """Which addresses may be connected to: public ones, plus ALLOW (``True``: all; or networks)."""

    def __init__(self, allow: bool | Iterable[str] = False) -> None:
        self.allow_all = allow is True
        self.networks: tuple[Network, ...] = (
            () if isinstance(allow, bool) else tuple(ipaddress.ip_network(n, strict=False) for n in allow)
        )

    def problem(self, address: str) -> str | None:
        """Why ADDRESS is refused, or None."""
        if self.allow_all:
            return None
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip.version == n.version and ip in n for n in self.networks):
            return None
        return _kind(ip)

    def check(self, host: str, addresses: Sequence[str]) -> None:
        """Raise :class:`Refused` unless every address HOST resolved to is allowed."""
        for a in addresses:
            kind = self.problem(a)
            if kind:
                what = f"{a} is {kind}" if host == a else f"{host} resolves to {a}, {kind}"
                raise Refused(f"refused: {what}; pass --allow-private to fetch from it")


def system_resolve(host: str, port: int) -> list[str]:
    """Every address HOST resolves to (IPv4 and IPv6), in the system resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DnsFailure(f"DNS lookup failed for {host} ({getattr(exc, 'strerror', None) or exc})") from None
    out: list[str] = []
    for *_, sockaddr in infos:
        a = str(sockaddr[0])
        if a not in out:
            out.append(a)
    if not out:
        raise DnsFailure(f"DNS lookup failed for {host} (no address)")
    return out


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend with the address policy applied to every connection it opens."""

    def __init__(self, policy: AddressPolicy, resolve: Resolver | None = None) -> None:
        self.policy = policy
        self.resolve = resolve or system_resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        bare = host.strip("[]")
        addresses = list(self.resolve(bare, port))
        self.policy.check(bare, addresses)
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses :class:`GuardedBackend`."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits, verify: bool = True) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def make_client(
    *,
    user_agent: str,
    timeout: float,
    policy: AddressPolicy,
    resolve: Resolver | None = None,
    max_connections: int = 8,
) -> httpx.Client:
    """An httpx client that never follows redirects itself (the caller checks every hop) and never uses
    environment proxies; every socket it opens goes through the address policy."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    transport = _GuardedTransport(GuardedBackend(policy, resolve), limits)
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "ja,en;q=0.7",
        },
    )
