"""arrears serve: a live preview on 127.0.0.1 that rebuilds on edits and keeps the last good site.

Each test starts the real command in a subprocess on a free port and talks to
it over loopback only; every wait is bounded and waits on an event (a line on
stderr, a build announced on the event stream), never a fixed time. The
subprocess starts with SIGINT at its default disposition, whatever this test
run inherited (a background job inherits it ignored).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from arrears.serve.live import inject
from arrears.serve.preview import is_relevant
from site_records import AS_OF, write_portfolio
from stderr_lines import StderrLines

TIMEOUT = 20.0


class Served(StderrLines):
    """`arrears serve` running in a subprocess; stderr lines are collected as they come."""

    timeout = TIMEOUT

    def __init__(self, root: Path, *extra: str, sigint=signal.SIG_DFL, workers: str = "1", ready: bool = True):
        super().__init__([sys.executable, "-m", "arrears", "serve", "--root", str(root), "--port", "0",
                          "--as-of", AS_OF.isoformat(), *extra],
                         {**os.environ, "ARREARS_WORKERS": workers}, sigint)
        if ready:
            line = self.wait_for_line(r"serving .* on (http://127\.0\.0\.1:\d+/)")
            self.url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)  # type: ignore[union-attr]
            self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get("__arrears/status")[1])

    def until(self, condition, what: str):
        """`condition()` once it holds: looked at now, then again after each state the server announces."""
        deadline = time.monotonic() + TIMEOUT
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /__arrears/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % self.port)
            stream = sock.makefile("rb")
            assert stream.readline().startswith(b"HTTP/1.1 200")
            while True:
                value = condition()
                if value:
                    return value
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    while (line := stream.readline()) != b"\n":  # up to the end of the next event
                        if not line:
                            raise AssertionError(f"the event stream closed while waiting for {what}")
                except TimeoutError:
                    raise AssertionError(f"timed out waiting for {what}") from None

    def stop(self) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self._reader.join(TIMEOUT)  # to the end of its stderr: every line it wrote is in
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return code, "\n".join(self.seen + rest)


@pytest.fixture
def served(records):
    write_portfolio(records)
    started = Served(records.root)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait(timeout=TIMEOUT)


CALL = "cases/acme-bakery/notes/2026-02-04-call.md"


def test_serves_pages_with_the_reload_script_but_leaves_the_files_alone(served, records):
    status, page = served.get("cases/acme-bakery/index.html")
    assert status == 200 and "Acme Bakery Ltd" in page
    assert '<script src="/__arrears/live.js?build=1" defer></script>' in page
    assert "connect-src 'self'" in page
    on_disk = (records.root / ".arrears-cache/serve/site/cases/acme-bakery/index.html").read_text(encoding="utf-8")
    assert "__arrears" not in on_disk and "connect-src" not in on_disk
    assert "__arrears" not in served.get("due.json")[1]
    script = served.get("__arrears/live.js")[1]
    assert "EventSource" in script
    assert not (records.root / "site").exists(), "serve never touches the published site"


def test_an_edit_rebuilds_and_the_page_changes(served, records):
    before = served.status()["build"]
    note = records.root / CALL
    note.write_text(note.read_text(encoding="utf-8") + "\nPriya called back about the oven.\n", encoding="utf-8")
    served.until(lambda: "Priya called back about the oven." in served.get("cases/acme-bakery/index.html")[1],
                 "the edited note on the case page")
    served.until(lambda: served.status()["build"] > before, "a new build number")
    served.wait_for_line(r"rebuilt after \d+ changes?: \d+ files? written in [\d.]+ s")


def test_the_event_stream_announces_each_new_build(served, records):
    with socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1].strip("/"))), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /__arrears/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % sock.getpeername()[1])
        stream = sock.makefile("rb")
        assert stream.readline().startswith(b"HTTP/1.1 200")
        events = _events(stream)
        first = next(events)
        assert first["problems"] == []
        (records.root / "cases/acme-bakery/notes/2026-04-20-email.md").write_text(
            "---\ndate: 2026-04-20\nkind: email\ndirection: out\nby: jo\n---\nA reminder.\n", encoding="utf-8")
        case_page = next(events)  # the edited case's page first, so its tab reloads without waiting
        assert case_page["build"] == first["build"] + 1
        assert case_page["changed"] == ["cases/acme-bakery/index.html"]
        listings = next(events)  # then the pages that list every case
        assert listings["build"] == first["build"] + 2 and "agenda.html" in listings["changed"]


def _events(stream):
    data = None
    while True:
        line = stream.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            data = json.loads(line[6:])
        elif line == b"\n" and data is not None:
            yield data
            data = None


def test_a_case_with_errors_is_left_out_the_rest_rebuilt_and_the_problems_shown(served, records):
    assert served.get("cases/acme-bakery/index.html")[0] == 200
    others = [path for path in ("cases/bea-jones/index.html", "cases/cafe-lumiere/index.html")
              if served.get(path)[0] == 200]
    assert others, "the portfolio has other cases"
    note = records.root / CALL
    text = note.read_text(encoding="utf-8")
    build = served.status()["build"]
    note.write_text(text.replace("kind: call", "kind: cal"), encoding="utf-8")
    problems = served.until(lambda: served.status()["problems"], "the problems of the bad note")
    assert any(re.match(rf"{re.escape(CALL)}:\d+:\d+: error: .*kind", line) for line in problems), problems
    served.wait_for_line(rf"{re.escape(CALL)}:\d+:\d+: error:")
    served.wait_for_line(r"left out 1 case for errors \(acme-bakery\)")
    assert served.status()["build"] > build, "the rest of the site is published"
    build = served.status()["build"]
    assert served.get("cases/acme-bakery/index.html")[0] == 404, "nothing is published from a rejected case"
    assert all(served.get(path)[0] == 200 for path in others)
    dashboard = served.get("index.html")[1]
    assert "1 case left out" in dashboard and CALL in dashboard

    note.write_text(text.replace("Priya explained", "Priya, calmer now, explained"), encoding="utf-8")
    served.until(lambda: not served.status()["problems"], "recovery once the note is fixed")
    assert served.status()["build"] > build  # problems are cleared by the same step that publishes
    assert "Priya, calmer now, explained" in served.get("cases/acme-bakery/index.html")[1]
    assert "left out" not in served.get("index.html")[1]


def test_a_broken_template_is_said_with_its_file_and_line_and_the_last_site_stays(served, records):
    page = served.get("cases/acme-bakery/index.html")[1]
    footer = records.write("templates/site/partials/footer.html", "<footer>\n{{ site.nmae }}</footer>\n")
    problems = served.until(lambda: served.status()["problems"], "the template's problem")
    assert any(line.startswith("build failed: cannot render the site template templates/site/partials/footer.html, "
                               "line 2: ") for line in problems), problems
    assert served.get("cases/acme-bakery/index.html")[1] == page, "the last good site is still served"
    footer.write_text("<footer>Ours</footer>\n", encoding="utf-8")
    served.until(lambda: not served.status()["problems"], "recovery once the template is fixed")
    assert "<footer>Ours</footer>" in served.get("cases/acme-bakery/index.html")[1]


def test_ctrl_c_stops_cleanly(served):
    code, output = served.stop()
    assert code == 0
    assert "Traceback" not in output and "stopped" in output


def test_a_busy_port_is_a_usage_error(records):
    write_portfolio(records)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "arrears", "serve", "--root", str(records.root),
                                 "--port", str(port)], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name, relevant", [
    ("cases/acme/notes/2026-01-01-call.md", True),
    ("cases/acme/case.md", True),
    ("arrears.toml", True),
    ("templates/site/case.html", True),
    ("cases/acme/notes/.2026-01-01-call.md.swp", False),
    ("cases/acme/notes/2026-01-01-call.md~", False),
    ("cases/acme/notes/.#2026-01-01-call.md", False),
    ("cases/acme/notes/4913", False),
    ("cases/acme/notes/call.md.tmp", False),
    ("site/index.html", False),
    (".arrears-cache/serve/site/index.html", False),
    (".git/index", False),
])
def test_which_changes_trigger_a_rebuild(tmp_path, name, relevant):
    assert is_relevant(tmp_path, str(tmp_path / name)) is relevant


def test_injection_keeps_the_policy_and_adds_only_what_the_script_needs():
    page = ('<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            'script-src \'self\'"></head><body></body></html>')
    served = inject(page, 7)
    assert 'content="default-src \'none\'; script-src \'self\'; connect-src \'self\'"' in served
    assert served.index('<script src="/__arrears/live.js?build=7" defer></script>') < served.index("</head>")
    assert "unsafe-inline" not in served


def test_a_commit_is_seen_and_named_in_the_footer(tmp_path, monkeypatch):
    """Committing changes no record file, but the site names the commit it was built from."""
    from gitrepo import GitRepo, isolate_git

    isolate_git(monkeypatch)
    repo = GitRepo(tmp_path / "books")
    repo.write(".gitignore", "/site/\n/.arrears-cache/\n")
    repo.case("acme")
    repo.commit("open a case", when="2026-02-01T10:00:00+00:00")
    served = Served(repo.root)
    try:
        repo.write("cases/acme/notes/2026-03-01-call.md", "---\ndate: 2026-03-01\nkind: call\n---\nSpoke.\n")
        served.until(lambda: "Spoke." in served.get("cases/acme/index.html")[1], "the edit to show")
        repo.commit("a call about the invoice", when="2026-03-01T17:00:00+00:00")
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo.root, capture_output=True,
                              text=True).stdout.strip()
        served.until(lambda: head in served.get("index.html")[1], "the dashboard to name the new commit")
        served.until(lambda: "a call about the invoice" in served.get("cases/acme/index.html")[1],
                     "the case page to list the commit")
    finally:
        code, _ = served.stop()
    assert code == 0
