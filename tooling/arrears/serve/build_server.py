"""The build server's end (the why and the protocol are in `build_client`).

It keeps, for each site folder asked for, the build's in-memory state (a
`Session`, as `serve` does) and the paths changed since that folder's last
build. Before each build it syncs its journal, so a change saved a moment
before `arrears build` is in it. The cases are all scanned again, as without
a server, whenever the server cannot vouch for what it knows: the first
build of a folder, a lost or overflowing journal, or a build of the same
folder by another process since its last one (SQLite's data_version and the
store's inode say so). After a new commit the build itself looks at every
case (the history on the pages may change for any of them).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import socket
import sqlite3
import sys
import threading
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Callable

import click

from arrears import words
from arrears.serve.build_client import MAX_REQUEST, PROTOCOL, address, environment, same_user
from arrears.serve.journal import Journal, Unavailable

REQUEST_TIMEOUT = 10.0
"""Seconds a caller may take to send its request."""
LOOK_EVERY = 60.0
"""Seconds between looks, while idle, at whether the records are still there (with --idle)."""
STALE = "the build server runs an older copy of arrears; restart it"


class ServerError(Exception):
    """The server cannot start: said to the user (another one runs, no inotify, too few watches)."""


class BuildServer:
    """Listens for `arrears build` on the records at `root`, one build at a time."""

    def __init__(self, root: Path, echo: Callable[[str], None] = print, listening: Callable[[], None] = lambda: None):
        """Binds and listens first (`listening` is told), then imports the build and starts the
        journal: a caller that connects meanwhile waits for its answer, and no second server or
        build of its own can start beside this one."""
        if not sys.platform.startswith("linux"):
            raise ServerError("the build server needs Linux (it learns what changed from inotify); "
                              "arrears build works the same without it")
        self.root = Path(root).resolve()
        self.echo = echo
        if (self.root / "cases").is_symlink():
            raise ServerError("cases/ is a symbolic link: the build server watches the records' own folder")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            self.listener.bind(address(self.root))
        except OSError as error:
            self.listener.close()
            if error.errno == errno.EADDRINUSE:
                raise ServerError(f"a build server for {self.root} is already running "
                                  "(arrears build-server --stop stops it)") from None
            raise
        self.listener.listen(16)
        listening()
        import importlib

        from arrears.site import cache
        from arrears.site import fingerprint as fingerprints

        for module in ("arrears.cli.site", "arrears.site.incremental", "arrears.site.render"):
            importlib.import_module(module)  # now, not in the first build asked for
        cache.ensure(self.root)
        try:
            self.journal = Journal(self.root / "cases", cache.folder(self.root) / "build-server")
        except Unavailable as error:
            self.listener.close()
            raise ServerError(error.strerror or str(error)) from None
        self.records = _identity(self.root)
        self._cache = cache
        self._fingerprints = fingerprints
        self.code = fingerprints.code()
        self.environment = environment()
        self.sessions: dict[str, object] = {}
        self.pending: dict[str, set[str] | None] = {}
        self.versions: dict[str, tuple[sqlite3.Connection, int, int]] = {}  # data_version and inode at the last build
        self.building = False
        self.builds = 0
        self._closed = threading.Event()

    # --- the loop ---------------------------------------------------------------------------------

    def serve_forever(self, idle: float | None = None) -> None:
        """Answer callers until `close` or a caller's stop; with `idle` (seconds), also once that long
        has passed without a build or the records are gone (deleted, moved, replaced). Nothing a
        caller does or a build raises ends the loop: a server that stopped accepting would leave
        every later `arrears build` waiting."""
        import select

        last = time.monotonic()
        while not self._closed.is_set():
            if idle is not None:
                left = idle - (time.monotonic() - last)
                if left <= 0 or _identity(self.root) != self.records:
                    reason = "no build" if left <= 0 else "the records are gone"
                    self.echo(f"build server stops: {reason} for {self.root}")
                    self._closed.set()
                    break
                try:
                    ready, _, _ = select.select([self.listener], [], [], min(left, LOOK_EVERY))
                except (OSError, ValueError):
                    ready = [self.listener]  # closed meanwhile: accept says so
                if not ready:
                    continue
            try:
                connection, _ = self.listener.accept()
            except OSError:
                self._closed.wait(0.1)  # closed (the loop ends), or a passing error (no file descriptor left)
                continue
            last = time.monotonic()
            with connection:
                try:
                    self.answer(connection)
                except OSError:
                    pass  # the caller went away (Ctrl-C): its build was done all the same
                except Exception as error:  # a bug here, not in a build: said, and every folder starts afresh
                    self.echo(f"arrears: build server error: {error!r}; the next builds scan every case")
                    self.sessions.clear()

    def close(self) -> None:
        self._closed.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.journal.close()
        for connection, _, _ in self.versions.values():
            connection.close()

    def answer(self, connection: socket.socket) -> None:
        if not same_user(connection):
            return
        connection.settimeout(REQUEST_TIMEOUT)
        try:
            request = json.loads(_read_all(connection, MAX_REQUEST))
            if isinstance(request, dict) and request.get("stop") is True:
                self.echo(f"build server stops: asked to, for {self.root}")
                _send(connection, {"stopped": os.getpid()})
                self._closed.set()
                return
            refused = self._refusal(request)
        except (ValueError, TypeError, OSError):
            refused = "the request was not understood (an older or newer arrears?)"
        connection.settimeout(None)
        if refused:
            reply = {"refused": refused, **({"stale": True} if refused == STALE else {})}
        else:
            reply = self.build(request, say=lambda text: _send(connection, {"say": text}))
        _send(connection, reply)

    def _refusal(self, request) -> str:
        """Why this server should not build for this caller ('' when it should)."""
        if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
            return "the build server speaks another protocol (an older or newer arrears?)"
        if request.get("environment") != self.environment:
            return ("the build server was started with another environment (ARREARS_TODAY, ARREARS_WORKERS, "
                    "PATH, TZ or GIT_*)")
        if self._fingerprints.code_now() != self.code:
            return STALE
        if not isinstance(request.get("full"), bool) or not isinstance(request.get("search"), bool):
            raise ValueError("flags")
        for key in ("out", "as_of"):
            if request.get(key) is not None and not isinstance(request[key], str):
                raise ValueError(key)
        if request.get("as_of") is not None:
            date.fromisoformat(request["as_of"])
        return ""

    def prime(self, text: str) -> None:
        """Rebuild as the `arrears build` that started this server just built (`text`: its request,
        JSON), so that the server knows the site before the first caller: nothing changed since,
        so nothing is written, and the next build is a quick one."""
        try:
            request = json.loads(text)
            refused = self._refusal(request)
        except (ValueError, TypeError):
            refused = "not understood"
        if refused:
            self.echo(f"build server: not primed ({refused})")
            return
        self.build({**request, "full": False})

    # --- one build --------------------------------------------------------------------------------

    def build(self, request: dict, say: Callable[[str], None] = lambda text: None) -> dict:
        """The build asked for, run as `arrears build` runs it, its output captured; `say` tells the
        caller, before a build that scans every case, why it will take a while."""
        from arrears.cli.app import internal_error
        from arrears.cli.site import _build_here
        from arrears.site.incremental import Session

        started = time.perf_counter()
        out = Path(request["out"]) if request.get("out") else self.root / "site"
        key = str(out)
        self._note_changes()
        if key not in self.sessions or self._built_by_another(key):
            self.sessions[key], self.pending[key] = Session(search_follows=True), None
        session, changed = self.sessions[key], self.pending[key]
        if changed is None:
            say("the build server looks at every case this time (its first build of this folder, or it cannot "
                "vouch for what changed since the last); the next builds are quick")
        as_of = date.fromisoformat(request["as_of"]) if request.get("as_of") else None
        published: list[bool] = []
        stdout, stderr = io.StringIO(), io.StringIO()
        status = 0
        self.building = True
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                try:
                    _build_here(self.root, out, as_of, request["full"], None, request["search"], session=session,
                                changed=changed, on_built=lambda built: published.append(built.published))
                except SystemExit as stopped:
                    status = _status(stopped.code)
                except click.ClickException as error:
                    error.show()
                    status = error.exit_code
                except Exception as error:  # a bug: said as `arrears` says it, and this folder starts afresh
                    if request.get("debug") is True:  # the caller's ARREARS_DEBUG=1: the traceback, as without a server
                        traceback.print_exc()
                    click.echo(internal_error(error), err=True)
                    status = 70
                    self.sessions[key], self.pending[key] = Session(search_follows=True), None
                    published.clear()
        finally:
            self.building = False
        if published and published[0]:
            self.pending[key] = set()
        self._remember(key)
        self.builds += 1
        scope = "every case scanned" if changed is None else words.count(len(changed), "change")
        self.echo(f"build {self.builds} for {out}: exit {status} in {time.perf_counter() - started:.2f} s ({scope})")
        return {"stdout": stdout.getvalue(), "stderr": stderr.getvalue(), "status": status}

    def _note_changes(self) -> None:
        """What the journal saw since the last build, added to every site folder's pending changes."""
        self.journal.sync()
        changed = self.journal.take()  # (a new commit: the build itself looks at every case)
        for key, pending in self.pending.items():
            self.pending[key] = None if changed is None or pending is None else pending | changed

    def _built_by_another(self, key: str) -> bool:
        """Has another process written this folder's build store since this server's last build?"""
        if key not in self.versions:
            return False
        connection, seen, inode = self.versions[key]
        try:
            if os.stat(self._cache.store_path(self.root, key)).st_ino != inode:
                return True  # deleted and made anew (.arrears-cache/ removed)
            return connection.execute("PRAGMA data_version").fetchone()[0] != seen
        except (OSError, sqlite3.Error):
            return True

    def _remember(self, key: str) -> None:
        path = self._cache.store_path(self.root, key)
        try:
            inode = os.stat(path).st_ino
            if key in self.versions and self.versions[key][2] != inode:
                self.versions.pop(key)[0].close()
            if key not in self.versions:
                self.versions[key] = (sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False),
                                      0, inode)
            connection = self.versions[key][0]
            self.versions[key] = (connection, connection.execute("PRAGMA data_version").fetchone()[0], inode)
        except (OSError, sqlite3.Error):
            self.versions.pop(key, None)
            self.sessions.pop(key, None)


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder this is (device and inode), None when it is gone."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _send(connection: socket.socket, message: dict) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


def _read_all(connection: socket.socket, limit: int) -> bytes:
    """What the caller sent, to its end of writing; ValueError past `limit` bytes."""
    parts, size = [], 0
    while chunk := connection.recv(1 << 16):
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ValueError("too long")
    return b"".join(parts)


def _status(code) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1

