"""arrears serve at its edges: who it answers, what it sends, and how it stops.

A page on a rebinding domain (its name resolving to 127.0.0.1) must not read
the portfolio; every answer carries the site's policy headers; folders are
not listed; a hostile request line is a 400, not a traceback; half-sent
requests cannot pin a thread each; and SIGINT or SIGTERM stop serve, its
build workers included, within 2 s, whatever disposition it inherited and
even in the middle of a build.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import time
from pathlib import Path

import pytest

from arrears.serve.live import HEADER_TIMEOUT, MAX_CONNECTIONS, SITE_POLICY
from site_records import write_portfolio
from test_serve import TIMEOUT, Served


def _serve(root: Path):
    started = Served(root)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait(timeout=TIMEOUT)


@pytest.fixture
def served(records):
    """A server of one's own (for tests that stop it or crowd it)."""
    write_portfolio(records)
    yield from _serve(records.root)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One server for the tests that only send requests."""
    from conftest import RecordsTree

    records = RecordsTree(tmp_path_factory.mktemp("shared") / "books")
    records.root.mkdir()
    write_portfolio(records)
    yield from _serve(records.root)


def request(served: Served, path: str, host: str | None = "", method: str = "GET",
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One raw request (http.client, so the Host header is exactly what the test says)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=TIMEOUT)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host == "":
            host = f"127.0.0.1:{served.port}"
        if host is not None:
            connection.putheader("Host", host)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "127.0.0.2:{port}", "0.0.0.0:{port}", None])
def test_a_request_not_naming_this_server_gets_nothing(shared, host):
    status, headers, body = request(shared, "/due.json", host=host.format(port=shared.port) if host else None)
    assert status == 421 and body == b""
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_the_loopback_names_with_the_port_are_answered(shared, host):
    status, _, body = request(shared, "/due.json", host=host.format(port=shared.port))
    assert status == 200 and b"acme-bakery" in body


def test_two_host_headers_are_refused(shared):
    status, _, body = request(shared, "/due.json", headers={"Host": f"127.0.0.1:{shared.port}"})
    assert status == 421 and body == b""


def test_folders_are_not_listed(shared):
    status, _, body = request(shared, "/cases/")
    assert status == 404
    assert b"acme-bakery" not in body and b"Directory listing" not in body


@pytest.mark.parametrize("path", ["/index.html", "/cases/acme-bakery/index.html", "/due.json", "/due.csv",
                                  "/assets/site.css", "/__arrears/live.js", "/__arrears/status", "/missing.html",
                                  "/missing.png", "/cases/"])
def test_every_answer_carries_the_policy_headers(shared, path):
    _, headers, _ = request(shared, path)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_header_policy_is_the_pages_own_plus_the_event_stream():
    """SITE_POLICY must stay the policy of templates/site/base.html, plus connect-src for live reload."""
    base = (Path(__file__).parents[1] / "templates/site/base.html").read_text(encoding="utf-8")
    page_policy = base.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert SITE_POLICY == page_policy + "; connect-src 'self'"


def test_head_answers_like_get_without_a_body(shared):
    get_status, get_headers, get_body = request(shared, "/cases/acme-bakery/index.html")
    status, headers, body = request(shared, "/cases/acme-bakery/index.html", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == get_headers["content-length"] == str(len(get_body))
    status, headers, body = request(shared, "/due.json", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize("path", ["/index.html%00.css", "/%00", "/cases/%00/index.html"])
def test_a_nul_in_the_path_is_a_bad_request_not_a_traceback(served, path):
    status, _, body = request(served, path)
    assert status == 400 and body == b""
    assert request(served, "/index.html")[0] == 200
    code, output = served.stop()
    assert code == 0 and "Traceback" not in output and "Exception" not in output


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def test_half_sent_requests_cannot_pin_a_thread_each(served):
    crowd = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
            sock.sendall(b"GET /due.json HTTP/1.1\r\nHost: 127.0.0.1")  # and never the rest
            crowd.append(sock)
        # The server accepts in order: once it has dealt with one more connection, it has dealt with all 200.
        with socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT) as last:
            last.sendall(b"GET /due.json HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % served.port)
            last.recv(1)
        assert _threads(served.process.pid) < MAX_CONNECTIONS + 20
        started = time.monotonic()
        for sock in crowd:  # each is answered or dropped once its headers are overdue
            sock.settimeout(HEADER_TIMEOUT + TIMEOUT)
            while sock.recv(65536):
                pass
        assert time.monotonic() - started < HEADER_TIMEOUT + 5
    finally:
        for sock in crowd:
            sock.close()
    status, _, body = request(served, "/due.json")
    assert status == 200 and b"acme-bakery" in body


# --- stopping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sent, inherited", [
    (signal.SIGINT, signal.SIG_DFL), (signal.SIGINT, signal.SIG_IGN), (signal.SIGTERM, signal.SIG_DFL),
    (signal.SIGTERM, signal.SIG_IGN),
], ids=["sigint", "sigint-inherited-ignored", "sigterm", "sigterm-sigint-ignored"])
def test_a_signal_stops_serve_within_two_seconds(records, sent, inherited):
    write_portfolio(records)
    served = Served(records.root, sigint=inherited)
    try:
        started = time.monotonic()
        served.process.send_signal(sent)
        code = served.process.wait(timeout=TIMEOUT)
        assert time.monotonic() - started < 2
    finally:
        if served.process.poll() is None:
            served.process.kill()
    code, output = code, served.stop()[1]
    assert code == 0 and "stopped" in output and "Traceback" not in output


def _children(pid: int) -> set[int]:
    """serve's worker processes (forked: the same command line), not the git commands it runs."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            pass
    return {child for child in found if b"arrears" in _cmdline(child)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _eventually(condition, what: str):
    """For what no event announces (another process's children): look until it holds, bounded."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        os.sched_yield()
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_in_the_middle_of_a_build_stops_serve_and_its_workers(records, sent):
    """A case template that never finishes rendering keeps the first build busy in two workers."""
    for number in range(200):  # the build fans out to workers from 200 cases on
        records.write(f"cases/c{number:03}/case.md",
                      "---\ndebtor:\n  name: Debtor\n  kind: business\nopened: 2026-01-15\n---\nA story.\n")
    records.write("templates/site/case.html", "{% for i in range(10 ** 12) %}{% endfor %}\n")
    served = Served(records.root, sigint=signal.SIG_IGN, workers="2", ready=False)
    try:
        workers = _eventually(lambda: _children(served.process.pid), "the build's workers to start")
        started = time.monotonic()
        served.process.send_signal(sent)
        code = served.process.wait(timeout=TIMEOUT)
        assert time.monotonic() - started < 2
        _eventually(lambda: not any(_alive(pid) for pid in workers), "the workers to be gone")
        assert time.monotonic() - started < 2
    finally:
        if served.process.poll() is None:
            served.process.kill()
        for pid in _children(served.process.pid) if served.process.poll() is None else ():
            os.kill(pid, signal.SIGKILL)
    output = served.stop()[1]
    assert code == 0 and "stopped" in output and "Traceback" not in output
