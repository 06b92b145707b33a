"""The preview's web server: the built site, a reload script and an event stream, on loopback only.

Pages are served from the folder `serve` builds into, and each HTML page gets
one line on the way out: a `<script src="/__arrears/live.js">` (a same-origin
file, so the pages' Content-Security-Policy, which forbids inline scripts,
still holds) and `connect-src 'self'` added to that policy so the script may
open the event stream. The files on disk are never changed.

The script listens on `/__arrears/events` (server-sent events). Each event
carries the build number, the paths that build replaced and the problems of
the last rebuild: a page reloads when its own path was replaced (any new
build, on the first event after it connects), problems show as an overlay
over the last good page.
`/__arrears/status` gives the same as JSON, for scripts and tests.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from arrears.serve import guard
from arrears.site.attachments import is_passive

ASSETS = Path(__file__).resolve().parents[3] / "templates" / "serve"
"""live.js and live.css: ours, never looked up in the records' templates/."""
PREFIX = "/__arrears/"
HEARTBEAT = 15.0
"""Seconds between keep-alive comments on an idle event stream (finds closed tabs)."""
HEADER_TIMEOUT = 5.0
"""Seconds a connection may take to send a whole request (and may then sit idle)."""
MAX_CONNECTIONS = 64
"""Connections served at once (each open page holds one for its event stream)."""
SITE_POLICY = ("default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; base-uri 'none'; "
               "form-action 'none'; connect-src 'self'")
"""The site pages' own policy (templates/site/base.html) and the event stream: sent with every answer."""
ATTACHMENT_POLICY = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
"""For files under cases/*/files/: an opaque origin, no script, no request but for the file itself
(the browser's own image and video viewers load it; their inline styles may apply)."""
_CSP = re.compile(r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the browser is told: the build to show, and the problems that stopped the last rebuild or
    left cases out of it."""

    version: int  # changes on every rebuild, good or bad
    build: int  # changes only when a new site is published
    problems: tuple[str, ...] = ()
    closing: bool = False
    changed: tuple[str, ...] | None = None  # the site's paths this build replaced (None: perhaps all)

    def as_json(self) -> str:
        changed = list(self.changed) if self.changed is not None else None
        return json.dumps({"build": self.build, "problems": list(self.problems), "changed": changed})


@dataclass
class LiveState:
    """Shared by the rebuild loop (which publishes) and the request threads (which wait)."""

    out: Path
    _snapshot: Snapshot = field(default_factory=lambda: Snapshot(0, 0))
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def published(self, changed: list[str] | None = None, problems: list[str] | None = None) -> None:
        """New pages are in place: open pages among `changed` reload (all of them when None).

        `problems`: those of the cases left out of this build, shown over every page (None: as they were).
        """
        self._set(lambda s: Snapshot(s.version + 1, s.build + 1, s.problems if problems is None else tuple(problems),
                                     changed=tuple(changed) if changed is not None else None))

    def failed(self, problems: list[str]) -> None:
        """The records have errors: pages show them and keep the last good site."""
        self._set(lambda s: Snapshot(s.version + 1, s.build, tuple(problems)))

    def close(self) -> None:
        self._set(lambda s: Snapshot(s.version + 1, s.build, s.problems, closing=True))

    def wait(self, seen: int | None, timeout: float) -> Snapshot:
        """The current snapshot once its version differs from `seen` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.version != seen, timeout)
            return self._snapshot

    def _set(self, change) -> None:
        with self._changed:
            self._snapshot = change(self._snapshot)
            self._changed.notify_all()


def inject(html: str, build: int) -> str:
    """The served copy of a page: the reload script added, and the policy letting it connect back."""
    tag = f'<script src="{PREFIX}live.js?build={build}" defer></script>\n'
    html = _CSP.sub(lambda m: m.group(1) + _allow_connect(m.group(2)) + m.group(3), html, count=1)
    index = html.lower().find("</head>")
    return html[:index] + tag + html[index:] if index >= 0 else html + tag


def _allow_connect(policy: str) -> str:
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    if any(d.split()[0].lower() == "connect-src" for d in directives):
        directives = [d + " 'self'" if d.split()[0].lower() == "connect-src" and "'self'" not in d else d
                      for d in directives]
    else:
        directives.append("connect-src 'self'")
    return "; ".join(directives)


WAITING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>arrears: waiting for valid records</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'">
</head><body><h1>No site yet</h1><p>The records have errors; the problems are listed over this page
and in the terminal. The page reloads once they are fixed.</p></body></html>
"""


class Handler(SimpleHTTPRequestHandler):
    """Static files from the build folder, HTML with the reload script, and the /__arrears/ endpoints.

    Only requests naming this server (Host 127.0.0.1, localhost or [::1] with
    its port) are answered, so a web page whose domain is rebound to 127.0.0.1
    cannot read the portfolio; every answer carries the site's policy headers.
    """

    server: "LiveServer"
    protocol_version = "HTTP/1.1"
    timeout = HEADER_TIMEOUT
    _policy = SITE_POLICY
    _download = False

    def __init__(self, request, client_address, server: "LiveServer"):
        super().__init__(request, client_address, server, directory=str(server.state.out))

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        self._head = False
        self._answer()

    def do_HEAD(self) -> None:  # noqa: N802
        self._head = True
        self._answer()

    def _answer(self) -> None:
        self._policy, self._download = SITE_POLICY, False
        if not guard.host_allowed(self.headers.get_all("Host") or [], self.server.server_address[1]):
            self._empty(HTTPStatus.MISDIRECTED_REQUEST)
            return
        path = unquote(urlsplit(self.path).path)
        if "\0" in path:
            self._empty(HTTPStatus.BAD_REQUEST)
            return
        try:
            if path.startswith(PREFIX):
                self._special(path[len(PREFIX):])
            elif guard.is_attachment(path):
                self._policy, self._download = ATTACHMENT_POLICY, not is_passive(path)
                super().do_HEAD() if self._head else super().do_GET()
            elif self._html_path(path) is not None or not self.server.state.snapshot.build:
                self._page(path)
            elif self._head:
                super().do_HEAD()
            else:
                super().do_GET()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def list_directory(self, path):
        """Never: a folder without an index.html is not a page."""
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _empty(self, status: HTTPStatus) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()

    def _html_path(self, path: str) -> Path | None:
        local = Path(self.translate_path(path))
        if local.is_dir():
            local = local / "index.html"
        return local if local.suffix == ".html" and local.is_file() else None

    def _page(self, path: str) -> None:
        snapshot = self.server.state.snapshot
        local = self._html_path(path)
        if local is None:
            text, status = (WAITING_PAGE, HTTPStatus.SERVICE_UNAVAILABLE) if not snapshot.build else (
                "<!doctype html><title>Not found</title><h1>Not found</h1>\n", HTTPStatus.NOT_FOUND)
        else:
            text, status = local.read_text(encoding="utf-8"), HTTPStatus.OK
        page = inject(text, snapshot.build)
        found = _CSP.search(page)
        self._policy = found.group(2) if found else SITE_POLICY
        self._send(status, "text/html; charset=utf-8", page.encode("utf-8"))

    def _special(self, name: str) -> None:
        if name == "events":
            self._events()
        elif name == "status":
            self._send(HTTPStatus.OK, "application/json", self.server.state.snapshot.as_json().encode())
        elif name in ("live.js", "live.css"):
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            self._send(HTTPStatus.OK, f"{kind}; charset=utf-8", (ASSETS / name).read_bytes())
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _events(self) -> None:
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self._head:
            return
        seen = None
        while True:
            snapshot = state.wait(seen, HEARTBEAT)
            if snapshot.closing:
                return
            if snapshot.version == seen:
                self.wfile.write(b": still here\n\n")
            else:
                self.wfile.write(f"event: state\ndata: {snapshot.as_json()}\n\n".encode())
                seen = snapshot.version
            self.wfile.flush()

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not self._head:
            self.wfile.write(body)

    def end_headers(self) -> None:
        if not any(line.lower().startswith(b"cache-control") for line in getattr(self, "_headers_buffer", [])):
            self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", self._policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if self._download:
            self.send_header("Content-Disposition", "attachment")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the http.server signature)
        """Quiet: the terminal is for rebuilds and problems, not every request."""


class LiveServer(ThreadingHTTPServer):
    """One thread per connection, at most MAX_CONNECTIONS at once: a connection beyond that is closed
    unanswered, and one that sends no full request within HEADER_TIMEOUT seconds is dropped."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # a burst of connections waits in the kernel, not in SYN retries

    def __init__(self, port: int, state: LiveState):
        self.state = state
        self.running = False
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(("127.0.0.1", port), Handler)

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self._slots.release()  # before the client sees the close, so it may connect again at once
            self.shutdown_request(request)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                  name="arrears-http", daemon=True)
        thread.start()
        self.running = True
        return thread

    def stop(self) -> None:
        self.state.close()
        if self.running:
            self.shutdown()
        self.server_close()
