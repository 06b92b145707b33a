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

A server starts itself (`start`): after a build of a large book (AUTO_FROM
cases or more) finds none, `arrears build` leaves one running in the
background, as Gradle and Bazel leave theirs, so the next build is quick; it
stops after IDLE_MINUTES without a build, when the records go, or on
`arrears build-server --stop`. ARREARS_BUILD_SERVER says when (`mode`).
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

PROTOCOL = 1
MAX_REQUEST = 1 << 16
"""Bytes a request may take: a few paths and flags."""
AUTO_FROM = 500
"""Cases from which a build that found no server starts one: below it a build without one takes
a third of a second or less, and a process left running would buy nothing."""
IDLE_MINUTES = 120
"""A server started by `arrears build` stops after this long without a build (Gradle's waits three hours)."""
WAIT_SECONDS = 30.0
"""How long `start` waits for a new server to listen (it imports nothing of the build before it does),
and `stop` for an old one to end."""
MODES = ("auto", "always", "manual", "off")


@dataclass(frozen=True)
class Refused:
    """The server would not build for this caller (the reason is said as it comes); `stale`: it runs
    older code than is installed."""

    stale: bool = False


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


def mode() -> str:
    """When `arrears build` uses a build server, from ARREARS_BUILD_SERVER: `auto` (the default) asks a
    running one and starts one for a book of AUTO_FROM cases or more, except under CI (a one-off
    build there); `always` starts one whatever the size; `manual` only asks one started by hand;
    `off` (or ARREARS_NO_BUILD_SERVER=1) neither asks nor starts. Anything else is said and read as auto."""
    if not sys.platform.startswith("linux") or os.environ.get("ARREARS_NO_BUILD_SERVER"):
        return "off"
    chosen = os.environ.get("ARREARS_BUILD_SERVER", "auto").strip().lower() or "auto"
    if chosen not in MODES:
        sys.stderr.write(f"arrears: ARREARS_BUILD_SERVER={chosen!r} is none of {', '.join(MODES)}; "
                         "reading it as auto\n")
        return "auto"
    return chosen


def should_start(root: Path, chosen: str) -> bool:
    """Should a build that found no server leave one running? (One listing of cases/: milliseconds.)"""
    if chosen == "always":
        return True
    if chosen != "auto" or os.environ.get("CI"):
        return False
    try:
        with os.scandir(Path(root) / "cases") as entries:
            return sum(1 for entry in entries if entry.is_dir(follow_symlinks=False)) >= AUTO_FROM
    except OSError:
        return False


def request(out: Path | None, as_of, full: bool, search: bool) -> dict:
    """A build's options as the server reads them."""
    return {"protocol": PROTOCOL, "out": os.path.abspath(out) if out is not None else None,
            "as_of": as_of.isoformat() if as_of is not None else None, "full": full, "search": search,
            "environment": environment(), "debug": bool(os.environ.get("ARREARS_DEBUG"))}


def _exchange(root: Path, message: dict) -> bytes | None:
    """Send one request to the server of `root` and read its answer line (after any notes); None
    when no server of this user listens there."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as connection:
        try:
            connection.connect(address(root))
        except OSError:
            return None  # no server: the usual case
        if not same_user(connection):
            return None
        reply = b""
        try:
            connection.sendall(json.dumps(message).encode() + b"\n")
            connection.shutdown(socket.SHUT_WR)
            for reply in connection.makefile("rb"):  # notes while it builds ({"say": ...}), then the answer
                if not _said(reply):
                    break
        except OSError:
            reply = b""
        return reply


def ask(root: Path, out: Path | None, as_of, full: bool, search: bool) -> Answer | Refused | None:
    """Have the build server of `root` build, if one runs. None when there is none (or it could not
    finish) and Refused when it would not: either way the caller builds itself. (In mode `off` the
    caller does not ask.)"""
    reply = _exchange(root, request(out, as_of, full, search))
    if reply is None:
        return None
    try:
        found = json.loads(reply)
        if "refused" in found:
            sys.stderr.write(f"arrears: {found['refused']}; building here instead.\n")
            return Refused(found.get("stale") is True)
        return Answer(str(found["stdout"]), str(found["stderr"]), int(found["status"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        sys.stderr.write("arrears: the build server stopped before it finished; building here instead.\n")
        return None


def stop(root: Path, wait: float = WAIT_SECONDS) -> int | None:
    """Ask the server of `root` to stop and wait (up to `wait` seconds) until its process has
    ended, so that its address is free; its process id, or None when none of this user's answered."""
    reply = _exchange(root, {"protocol": PROTOCOL, "stop": True})
    try:
        pid = int(json.loads(reply)["stopped"]) if reply else None
    except (ValueError, KeyError, TypeError):
        return None
    if pid is not None:
        _wait_ended(pid, wait)
    return pid


def _wait_ended(pid: int, wait: float) -> None:
    """Until process `pid` has ended: its pidfd becomes readable then (Linux 5.3 and later)."""
    try:
        handle = os.pidfd_open(pid)
    except (OSError, AttributeError):
        return  # already gone
    try:
        select.select([handle], [], [], wait)
    finally:
        os.close(handle)


def start(root: Path, prime: dict) -> bool:
    """Leave a build server running for `root`, in a session of its own (no terminal, no signal from
    this one, none of this process's files open), its log in .arrears-cache/build-server.log; True
    once it listens. It first rebuilds as `prime` asks (the build just made: nothing to write), so
    that it knows the site and the next build is quick. False when it could not start (another
    was quicker, too few inotify watches: the log says), and nothing changes for the caller."""
    import subprocess

    root = Path(root).resolve()  # the server runs from / (it holds no folder of the caller's)
    log_path = root / ".arrears-cache" / "build-server.log"
    try:
        log_path.parent.mkdir(exist_ok=True)
        if log_path.exists() and log_path.stat().st_size > 1 << 20:
            log_path.unlink()  # a log kept across servers, cut back before it grows large
        log = open(log_path, "ab")
    except OSError:
        return False
    ready_read, ready_write = os.pipe()
    try:
        with log:
            subprocess.Popen([sys.executable, "-m", "arrears", "build-server", "--root", str(root),
                              "--idle", str(IDLE_MINUTES), "--ready-fd", str(ready_write),
                              "--prime", json.dumps(prime)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=(ready_write,),
                             start_new_session=True, cwd="/")
        os.close(ready_write)
        ready_write = -1
        return _wait_ready(ready_read)
    except OSError:
        return False
    finally:
        os.close(ready_read)
        if ready_write != -1:
            os.close(ready_write)


def _wait_ready(handle: int) -> bool:
    """Until the new server writes that it listens (True) or closes its end without (False)."""
    readable, _, _ = select.select([handle], [], [], WAIT_SECONDS)
    return bool(readable) and os.read(handle, 16).startswith(b"ready")


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

