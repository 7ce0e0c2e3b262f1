"""A small client for ClamAV's daemon: `zINSTREAM` over its UNIX or TCP socket.

`MASH_CLAMD_SOCKET` (a path) or `MASH_CLAMD_HOST` and `MASH_CLAMD_PORT` say where clamd listens;
all empty means no scanner is configured (`make run`): documents then wait, unscanned and never
served. The protocol (clamd(8)): send `zINSTREAM\\0`, then the content in chunks each preceded by
its length as a 4-byte big-endian integer, then a zero length; clamd answers one NUL-terminated
line: `stream: OK`, `stream: <signature> FOUND`, or `... ERROR`.
"""

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024
#: Seconds to wait on clamd (a 20 MB file is scanned in well under this).
TIMEOUT = 120.0


class ScannerUnavailable(Exception):
    """clamd is not configured, or could not be reached: try again later."""


class ScanFailed(Exception):
    """clamd answered, but could not scan this content (its message says why)."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def is_configured() -> bool:
    return bool(
        getattr(settings, "MASH_CLAMD_SOCKET", "") or getattr(settings, "MASH_CLAMD_HOST", "")
    )


def _connect() -> socket.socket:
    path = getattr(settings, "MASH_CLAMD_SOCKET", "")
    host = getattr(settings, "MASH_CLAMD_HOST", "")
    try:
        if path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT)
            try:
                sock.connect(path)
            except BaseException:
                sock.close()
                raise
            return sock
        if host:
            return socket.create_connection(
                (host, int(getattr(settings, "MASH_CLAMD_PORT", 3310))), timeout=TIMEOUT
            )
    except OSError as error:
        raise ScannerUnavailable(f"clamd cannot be reached: {error}") from error
    raise ScannerUnavailable("No virus scanner is configured (MASH_CLAMD_SOCKET or _HOST).")


def _reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> bool:
    with _connect() as sock:
        sock.sendall(b"zPING\0")
        return _reply(sock) == "PONG"


def scan_chunks(chunks: Iterable[bytes]) -> Verdict:
    """Stream `chunks` to clamd and return its verdict.

    Raises ScannerUnavailable when clamd cannot be reached or the connection breaks (the caller
    keeps the document waiting), ScanFailed when clamd reports an error for the content."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    part = chunk[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(part)) + part)
            sock.sendall(struct.pack("!L", 0))
            reply = _reply(sock)
    except OSError as error:
        raise ScannerUnavailable(f"clamd connection failed: {error}") from error
    if not reply:
        raise ScannerUnavailable("clamd closed the connection without an answer")
    return parse_reply(reply)


def parse_reply(reply: str) -> Verdict:
    """`stream: OK` is clean; `stream: <signature> FOUND` infected; anything else an error."""
    _, _, result = reply.partition(": ")
    if result == "OK":
        return Verdict(infected=False)
    if result.endswith(" FOUND"):
        return Verdict(infected=True, signature=result[: -len(" FOUND")].strip())
    raise ScanFailed(reply[:200])
