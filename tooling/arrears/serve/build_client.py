"""`arrears build` asking `arrears build-server` to build: the protocol and the asking end (light: it imports
no part of the build, so that asking costs a few milliseconds).

A build of 10,000 cases spends half a second before it does any work: Python
starting and importing what a build needs (0.2 s), and a stat of every file
under cases/ (243,000 of them) to find what changed. The server has paid
both once: it keeps the last build's state in memory and learns from the
kernel what changed (`journal`), so a one-note rebuild takes a tenth of a
second at any size. `arrears build` (without --at) looks for a server of the
same records first; when there is one it hands over its options and prints
what the server's build printed, exit status included; without one it builds
itself. Either way it is the same build, with the same options, as of the
same day: the site and the output are the same.

One server per records repository and user: it listens on an abstract Unix
socket named from the records' real path and the user's id, and both ends
check that the other is the same user (SO_PEERCRED), so no one else on the
machine can ask for builds or pose as the server. A request is one line of
JSON and so is the answer, after any notes the server sends while it
builds (`{"say": ...}`, shown on a terminal only). Builds run one at a time,
in the order asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

PROTOCOL = 1
MAX_REQUEST = 1 << 16
"""Bytes a request may take: a few paths and flags."""


@dataclass(frozen=True)
class Answer:
    """What the server's build printed, and its exit status."""

    stdout: str
    stderr: str
    status: int


def address(root: Path) -> bytes:
    """The server's abstract socket name for these records and this user (no file: nothing is left
    behind when the server is killed, and no path length limit)."""
    digest = hashlib.blake2b(os.fsencode(Path(root).resolve()), digest_size=12).hexdigest()
    return f"\0arrears-build-{os.getuid()}-{digest}".encode()


def environment() -> str:
    """The part of the environment a build depends on (the day, the workers, the programs found, Git's
    own variables): the server builds only for a caller whose environment is its own."""
    names = sorted(name for name in os.environ
                   if name in ("ARREARS_TODAY", "ARREARS_WORKERS", "PATH", "TZ") or name.startswith("GIT_"))
    return hashlib.blake2b("\0".join(f"{name}={os.environ[name]}" for name in names).encode(),
                           digest_size=16).hexdigest()


def same_user(connection: socket.socket) -> bool:
    """Is the process at the other end of this Unix socket run by this user?"""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def ask(root: Path, out: Path | None, as_of, full: bool, search: bool) -> Answer | None:
    """Have the build server of `root` build, if one runs; None when there is none (or it could not
    finish), and the caller builds itself. ARREARS_NO_BUILD_SERVER=1 never asks."""
    if not sys.platform.startswith("linux") or os.environ.get("ARREARS_NO_BUILD_SERVER"):
        return None
    request = {"protocol": PROTOCOL, "out": os.path.abspath(out) if out is not None else None,
               "as_of": as_of.isoformat() if as_of is not None else None, "full": full, "search": search,
               "environment": environment(), "debug": bool(os.environ.get("ARREARS_DEBUG"))}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as connection:
        try:
            connection.connect(address(root))
        except OSError:
            return None  # no server: the usual case
        if not same_user(connection):
            return None
        reply = b""
        try:
            connection.sendall(json.dumps(request).encode() + b"\n")
            connection.shutdown(socket.SHUT_WR)
            for reply in connection.makefile("rb"):  # notes while it builds ({"say": ...}), then the answer
                if not _said(reply):
                    break
        except OSError:
            reply = b""
    try:
        found = json.loads(reply)
        if "refused" in found:
            sys.stderr.write(f"arrears: {found['refused']}; building here instead.\n")
            return None
        return Answer(str(found["stdout"]), str(found["stderr"]), int(found["status"]))
    except (ValueError, KeyError, TypeError):
        sys.stderr.write("arrears: the build server stopped before it finished; building here instead.\n")
        return None


def _said(line: bytes) -> bool:
    """Was this line a note from the server while it builds? Shown on a terminal only, as a plain
    build's progress bar is: a script reads exactly what a build without the server prints."""
    try:
        found = json.loads(line)
    except ValueError:
        return False
    if not isinstance(found, dict) or set(found) != {"say"}:
        return False
    if sys.stderr.isatty():
        sys.stderr.write(f"arrears: {found['say']}\n")
        sys.stderr.flush()
    return True

