"""A request body streamed over a raw socket to a live server, the way a hostile or careless client
sends it: from a generator (the test never holds it), with a Content-Length or chunked, and stopped
as soon as the server answers. Reports how much of the body the server let through before it
answered, how long that took, and what it answered. Also the test process's resident memory (the
live server runs in it)."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MB = 1024 * 1024
STALL_SECONDS = 5.0  # the server reads nothing more for this long: stop sending, read the answer


@dataclass
class Streamed:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the socket took before the answer came (or the server stopped reading)
    seconds: float  # from the request's head to the answer's end


def resident_bytes() -> int:
    """This process's resident memory (VmRSS), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def multipart_photo(size: int, boundary: str = "x-boundary-0123456789") -> tuple[str, int, Iterator[bytes]]:
    """A multipart form of one `photos` file of `size` bytes: (content type, total length, chunks)."""
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    block = b"\xff" * MB

    def chunks() -> Iterator[bytes]:
        yield head
        left = size
        while left > 0:
            yield block if left >= MB else block[:left]
            left -= MB
        yield tail

    return f"multipart/form-data; boundary={boundary}", len(head) + size + len(tail), chunks()


def _frames(chunks: Iterator[bytes], chunked: bool) -> Iterator[bytes]:
    for chunk in chunks:
        yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
    if chunked:
        yield b"0\r\n\r\n"


def _send_until_answered(sock: socket.socket, frames: Iterator[bytes]) -> int:
    sent = 0
    for frame in frames:
        view = memoryview(frame)
        while view:
            readable, writable, _ = select.select([sock], [sock], [], STALL_SECONDS)
            if readable or not writable:
                return sent  # answered, or stopped reading
            try:
                taken = sock.send(view[: 256 * 1024])
            except (BrokenPipeError, ConnectionResetError):
                return sent
            view = view[taken:]
            sent += taken
    return sent


def _read_answer(sock: socket.socket, timeout: float) -> tuple[int, dict[str, str], bytes]:
    sock.setblocking(True)
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            raise AssertionError(f"the server closed the connection without an answer: {data!r}")
        data += piece
    head, _sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        body += piece
    return status, headers, body


def stream_request(
    base_url: str, path: str, headers: dict[str, str], chunks: Iterator[bytes], *,
    content_length: int | None = None, method: str = "POST", timeout: float = 30,
) -> Streamed:  # fmt: skip
    """Send the request (chunked when `content_length` is None) until the server answers; the answer."""
    address = urlsplit(base_url)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(
        f"Content-Length: {content_length}" if content_length is not None else "Transfer-Encoding: chunked"
    )
    started = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        sock.setblocking(False)
        sent = _send_until_answered(sock, _frames(chunks, chunked=content_length is None))
        status, answer_headers, body = _read_answer(sock, timeout)
    return Streamed(status, answer_headers, body, sent, time.monotonic() - started)
