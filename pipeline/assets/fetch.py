"""Fetch a remote image safely: http(s) only, few redirects, a size cap, a deadline,
no private addresses unless allowed, and the bytes checked to be a picture.

The connection goes to the address that was checked (no second DNS lookup that a
rebinding server could answer differently). No Referer is ever sent: WeChat's CDN
(mmbiz.qpic.cn) answers a request without a foreign Referer with the picture.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass

from .sniff import sniff

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) galley/0.1 (+image archiver)"


class FetchError(Exception):
    """A reason, in a few words, why an image could not be fetched."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # per connect and per read
    deadline: float = 30.0  # for the whole download, redirects included
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False


@dataclass
class Fetched:
    data: bytes
    media_type: str
    url: str  # after redirects


def _check_address(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not allow_private and (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            raise FetchError(f"refused: {host} is a private or local address ({ip})")
    return str(infos[0][4][0])


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # the SSL context HTTPSConnection keeps (a private attribute typeshed does not declare)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(url: str, policy: FetchPolicy = FetchPolicy()) -> Fetched:
    started = time.monotonic()
    current = url
    for _hop in range(policy.max_redirects + 1):
        parts = urllib.parse.urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) address: {current[:80]}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _check_address(parts.hostname, port, policy.allow_private)
        cls = _TLSConnection if parts.scheme == "https" else _Connection
        conn = cls(parts.hostname, port, address, policy.timeout)
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "image/*,*/*;q=0.5",
                    "Accept-Encoding": "identity",
                },
            )
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.getheader("Location")
                if not location:
                    raise FetchError(f"HTTP {resp.status} without a Location")
                current = urllib.parse.urljoin(current, location)
                continue
            if resp.status != 200:
                raise FetchError(f"HTTP {resp.status}")
            data = _read_capped(resp, policy, started)
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                raise FetchError("timed out") from None
            raise FetchError(f"{type(exc).__name__}: {exc}") from None
        finally:
            conn.close()
        media = sniff(data)
        if media is None:
            raise FetchError("not an image (the bytes are no PNG, JPEG, GIF, WebP or SVG)")
        return Fetched(data, media, current)
    raise FetchError(f"more than {policy.max_redirects} redirects")


def _read_capped(resp: http.client.HTTPResponse, policy: FetchPolicy, started: float) -> bytes:
    length = resp.getheader("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        raise FetchError(f"larger than {policy.max_bytes} bytes ({length})")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() - started > policy.deadline:
            raise FetchError(f"slower than {policy.deadline:g} s")
        chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(f"larger than {policy.max_bytes} bytes")
        chunks.append(chunk)
