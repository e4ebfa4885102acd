"""Which robot and webhook addresses we may POST to, and how to show them without their keys.

A robot URL is typed by a secretary and then requested by the server: without these checks it is
a way to make the server call its own network (server-side request forgery). So an address must
be https, name a host, and neither be nor resolve to a private, loopback, link-local or reserved
address. `allow_http` (TRACKER_WEBHOOK_ALLOW_HTTP, for tests) lifts all of that, so a test can
use a receiver on http://127.0.0.1.

`robot_url_problem` is the quick check (no I/O, for forms and before each send);
`robot_url_problem_resolved` adds the DNS lookup, in a thread.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import anyio.to_thread

from tracker.i18n import _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Path segments at least this long look like tokens (e.g. /services/T0/B0/XXXXXXXXXXXXXXXX).
TOKEN_SEGMENT_LENGTH = 16


def robot_url_problem(url: str, *, allow_http: bool) -> str | None:
    """Why `url` may not be used as a robot or webhook address (translated), or None if it may.

    A host that is a literal IP address (in any form the C library accepts, e.g. `127.1`) or
    `localhost` is checked here; a host name is checked by `robot_url_problem_resolved`.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return _("This is not a valid web address")
    scheme = parts.scheme.lower()
    if allow_http:
        if scheme not in ("http", "https"):
            return _("The address must start with http:// or https://")
    elif scheme != "https":
        return _("The address must start with https://")
    host = parts.hostname
    if not host:
        return _("The address names no host")
    if allow_http:
        return None
    if is_local_name(host):
        return _("The address points into this server's own network (%(host)s)", host=host)
    address = literal_address(host)
    if address is not None and not is_public(address):
        return _("The address points into this server's own network (%(host)s)", host=host)
    return None


async def robot_url_problem_resolved(url: str, *, allow_http: bool) -> str | None:
    """`robot_url_problem`, then the host name looked up: refused if any address is not public."""
    problem = robot_url_problem(url, allow_http=allow_http)
    if problem is not None or allow_http:
        return problem
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        addresses = await resolve(host, parts.port or 443)
    except OSError:
        return _("The host %(host)s could not be found", host=host)
    if not addresses or any(not is_public(address) for address in addresses):
        return _("The address points into this server's own network (%(host)s)", host=host)
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (getaddrinfo in a worker thread); OSError if none."""
    infos = await anyio.to_thread.run_sync(
        lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    )
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id (fe80::1%eth0)
        addresses.append(ipaddress.ip_address(text))
    return addresses


def is_local_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def literal_address(host: str) -> IPAddress | None:
    """The IP address `host` spells, also in the legacy forms inet_aton takes (`127.1`, `0x7f.1`)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if all(part.isascii() and part.isalnum() for part in host.split(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(address: IPAddress) -> bool:
    """Globally routable: not private, loopback, link-local (169.254.169.254), reserved, CGNAT …"""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def mask_url(url: str | None) -> str:
    """The address with its keys hidden, to show on pages and in logs.

    Scheme, host and the path's ordinary segments stay; every query value and every long
    (token-like) path segment is cut to its last four characters:
    `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…f3a9`. A user name or password in the
    address is dropped. No address (None or "") gives "".
    """
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "…"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    segments = [
        _tail(segment) if len(segment) >= TOKEN_SEGMENT_LENGTH else segment
        for segment in parts.path.split("/")
    ]
    query = "&".join(
        f"{quote(key, safe='')}={_tail(value)}"
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, netloc, "/".join(segments), query, ""))


def mask_secret(secret: str | None) -> str:
    """A signing secret shown by its ends only (`SEC…7d2f`); short secrets not at all."""
    if not secret:
        return ""
    if len(secret) < 12:
        return "…"
    return f"{secret[:3]}…{secret[-4:]}"


def _tail(value: str) -> str:
    return f"…{value[-4:]}" if len(value) > 8 else "…"
