"""arrears build-server: builds handed over by `arrears build`, the same site and output, faster.

The journal is tested on real folders with Linux's inotify; the server runs
as the real command in a subprocess and `arrears build` as another, as a
user runs them. Every wait is on an event (a line on stderr, a cookie seen),
never a fixed time. After every kind of change the site equals a full build
made afresh elsewhere, and the server's own log says it did the build.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from arrears.serve.journal import Journal
from arrears.site import incremental
from conftest import copy_books, tree
from stderr_lines import StderrLines

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

DAY = date(2026, 11, 24)
TIMEOUT = 60.0


def environment(**extra: str) -> dict[str, str]:
    """This test's environment (Git isolated, when it is) with one worker, for the server and its callers alike."""
    found = {name: value for name, value in os.environ.items() if name != "ARREARS_NO_BUILD_SERVER"}
    return {**found, "ARREARS_WORKERS": "1", **extra}


@pytest.fixture
def books(generated_books, tmp_path) -> Path:
    return copy_books(generated_books(30, 6, 11), tmp_path)


# --- the journal -----------------------------------------------------------------------------------


@pytest.fixture
def journal(tmp_path):
    (tmp_path / "cases" / "acme" / "notes").mkdir(parents=True)
    (tmp_path / "cases" / "acme" / "case.md").write_text("x", encoding="utf-8")
    found = Journal(tmp_path / "cases", tmp_path / "cookies")
    yield found
    found.close()


def changes(journal: Journal) -> set[str] | None:
    journal.sync()
    return journal.take()


def test_the_journal_knows_nothing_until_a_first_build_then_every_change_made_before_a_sync(journal, tmp_path):
    cases = tmp_path / "cases"
    assert changes(journal) is None, "nothing is known before a first full scan"
    assert changes(journal) == set()
    for attempt in range(40):  # written, then asked at once: the cookie orders the two
        (cases / "acme" / "notes" / f"n{attempt}.md").write_text("note", encoding="utf-8")
        assert str(cases / "acme" / "notes" / f"n{attempt}.md") in changes(journal)
    (cases / "acme" / "case.md").write_text("y", encoding="utf-8")
    (cases / "acme" / "notes" / "n0.md").unlink()
    assert changes(journal) >= {str(cases / "acme" / "case.md"), str(cases / "acme" / "notes" / "n0.md")}
    assert changes(journal) == set(), "taken once"


def test_a_new_folder_filled_at_once_is_named_and_then_watched(journal, tmp_path):
    cases = tmp_path / "cases"
    changes(journal)
    (cases / "zed" / "notes").mkdir(parents=True)  # files made before its watch exists: the folder is named
    (cases / "zed" / "notes" / "a.md").write_text("a", encoding="utf-8")
    assert str(cases / "zed") in changes(journal)
    (cases / "zed" / "notes" / "a.md").write_text("b", encoding="utf-8")
    assert changes(journal) == {str(cases / "zed" / "notes" / "a.md")}


def test_a_moved_folder_or_a_lost_queue_means_anything_may_have_changed(journal, tmp_path):
    cases = tmp_path / "cases"
    changes(journal)
    (cases / "acme").rename(cases / "acme-ltd")
    assert changes(journal) is None
    (cases / "acme-ltd" / "notes" / "after.md").write_text("a", encoding="utf-8")
    assert changes(journal) == {str(cases / "acme-ltd" / "notes" / "after.md")}, "watched under the new name"
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    with journal._lock:  # the reader waits here, so the kernel's queue fills and overflows
        for number in range(limit + 100):
            (cases / "acme-ltd" / "notes" / f"{number}.md").touch()
    assert changes(journal) is None


def test_cases_made_or_made_again_after_the_journal_started_are_watched(tmp_path):
    cases = tmp_path / "cases"
    found = Journal(cases, tmp_path / "cookies")  # no cases/ yet
    try:
        assert changes(found) is None
        (cases / "acme").mkdir(parents=True)
        assert changes(found) is None, "found at this take, nothing known before it"
        (cases / "acme" / "case.md").write_text("x", encoding="utf-8")
        assert changes(found) == {str(cases / "acme" / "case.md")}
        shutil.rmtree(cases)
        assert changes(found) is None
        (cases / "bolt").mkdir(parents=True)
        assert changes(found) is None
        (cases / "bolt" / "case.md").write_text("y", encoding="utf-8")
        assert changes(found) == {str(cases / "bolt" / "case.md")}
    finally:
        found.close()


def test_a_case_holding_a_link_is_rescanned_every_time(journal, tmp_path):
    cases = tmp_path / "cases"
    changes(journal)
    (cases / "bolt" / "notes").mkdir(parents=True)
    (cases / "bolt" / "notes" / "a.md").write_text("a", encoding="utf-8")
    changes(journal)
    os.link(cases / "acme" / "case.md", cases / "bolt" / "notes" / "b.md")  # one file, in two cases
    assert changes(journal) is None, "the walk that finds its other name scans every case"
    assert changes(journal) == {str(cases / "acme"), str(cases / "bolt")}
    (cases / "acme" / "link.md").symlink_to(cases / "bolt" / "notes" / "a.md")
    assert changes(journal) == {str(cases / "acme"), str(cases / "acme" / "link.md"), str(cases / "bolt")}
    assert changes(journal) == {str(cases / "acme"), str(cases / "bolt")}


# --- the server ------------------------------------------------------------------------------------


class Server(StderrLines):
    """`arrears build-server` in a subprocess; its stderr lines collected as they come."""

    timeout = TIMEOUT

    def __init__(self, root: Path, env: dict | None = None, ready: str = r"build server ready"):
        super().__init__([sys.executable, "-m", "arrears", "build-server", "--root", str(root)], env or environment())
        self.wait_for_line(ready)

    def stop(self, how=signal.SIGINT) -> int:
        self.process.send_signal(how)
        return self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def server(books):
    running = Server(books)
    yield running
    if running.process.poll() is None:
        running.stop()


def build(root: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "arrears", "build", "--root", str(root), "--as-of", DAY.isoformat(),
                           "--no-search", *extra], capture_output=True, text=True, env=env or environment(), timeout=TIMEOUT)


def same_as_full(root: Path, tmp_path: Path, name: str) -> None:
    fresh = incremental.build(root, DAY, tmp_path / name, full=True, workers=1, search_index=False)
    assert fresh.published
    assert tree(root / "site") == tree(tmp_path / name)


def test_builds_handed_over_give_the_site_a_full_build_gives_after_every_kind_of_change(books, server, tmp_path):
    first = build(books)
    assert first.returncode == 0, first.stderr
    assert "every case scanned" in server.wait_for_line(r"^build 1 for .*: exit 0"), "the first build scans everything"
    assert re.fullmatch(r"built \d+ pages with 0 attachments into .*\n", first.stderr)

    note = min((books / "cases" / "case-00003" / "notes").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nThey rang back *twice*.\n", encoding="utf-8")
    edited = build(books)
    assert edited.returncode == 0 and "(rewrote 1, the rest unchanged)" in edited.stderr, edited.stderr
    assert "(1 change)" in server.wait_for_line(r"^build 2 for")
    same_as_full(books, tmp_path, "after-edit")

    (books / "cases/case-00010/notes/2026-11-19-99-payment.md").write_text(
        "---\ndate: 2026-11-19\nkind: payment\namount: 25.00\nby: jo\n---\nPaid by card.\n", encoding="utf-8")
    max((books / "cases/case-00020/notes").glob("*.md")).unlink()
    shutil.rmtree(books / "cases/case-00021")
    shutil.copytree(books / "cases/case-00022", books / "cases/new-case")
    changed = build(books)
    assert changed.returncode == 0, changed.stderr
    server.wait_for_line(r"^build 3 for .*: exit 0")
    same_as_full(books, tmp_path, "after-changes")

    case = books / "cases/case-00004/case.md"
    case.write_text(case.read_text(encoding="utf-8").replace("---\n", "---\nbogus: [\n", 1), encoding="utf-8")
    broken = build(books)
    local = build(books, env=environment(ARREARS_NO_BUILD_SERVER="1"))
    assert broken.returncode == local.returncode == 1
    assert "case-00004" in broken.stderr
    said = [[line for line in run.stderr.splitlines() if not line.startswith("built ")] for run in (broken, local)]
    assert said[0] == said[1] and len(said[0]) >= 2, "the same problems, said the same way"
    assert broken.stdout == local.stdout == ""


def test_a_broken_template_is_said_as_without_the_server_and_the_changes_made_meanwhile_are_kept(
        books, server, tmp_path):
    assert build(books).returncode == 0
    footer = books / "templates/site/partials/footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text("<footer>\n{{ site.nmae }}</footer>\n", encoding="utf-8")
    note = min((books / "cases" / "case-00005" / "notes").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nWritten while the footer was broken.\n", encoding="utf-8")
    broken = build(books)
    local = build(books, env=environment(ARREARS_NO_BUILD_SERVER="1"))
    assert broken.returncode == local.returncode == 1
    assert broken.stderr == local.stderr == ("arrears: cannot render the site template templates/site/partials/"
                                             "footer.html, line 2: 'dict object' has no attribute 'nmae'; the last "
                                             "site stays as it was\n")
    server.wait_for_line(r"^build 2 for .*: exit 1")
    footer.write_text("<footer>Ours</footer>\n", encoding="utf-8")
    fixed = build(books)
    assert fixed.returncode == 0, fixed.stderr
    server.wait_for_line(r"^build 3 for .*: exit 0")
    assert "Written while the footer was broken." in (books / "site/cases/case-00005/index.html").read_text()
    same_as_full(books, tmp_path, "after-the-fix")


def test_a_build_by_another_process_as_of_another_day_or_a_deleted_cache_is_noticed(books, server, tmp_path):
    assert build(books).returncode == 0
    other = subprocess.run([sys.executable, "-m", "arrears", "build", "--root", str(books), "--as-of", "2027-01-15",
                            "--no-search"], capture_output=True, text=True, timeout=TIMEOUT,
                           env=environment(ARREARS_NO_BUILD_SERVER="1"))
    assert other.returncode == 0, other.stderr
    assert build(books).returncode == 0
    assert "every case scanned" in server.wait_for_line(r"^build 2 for")
    same_as_full(books, tmp_path, "after-another")
    shutil.rmtree(books / ".arrears-cache")  # the store and the journal's cookie folder with it
    note = min((books / "cases" / "case-00006" / "notes").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nAfter the cache went.\n", encoding="utf-8")
    assert build(books).returncode == 0
    assert "every case scanned" in server.wait_for_line(r"^build 3 for")
    same_as_full(books, tmp_path, "after-the-cache-went")
    note.write_text(note.read_text(encoding="utf-8") + "\nAnd once more.\n", encoding="utf-8")
    assert build(books).returncode == 0
    assert "(1 change)" in server.wait_for_line(r"^build 4 for"), "the journal syncs again"
    same_as_full(books, tmp_path, "once-more")


def test_a_caller_in_another_environment_builds_by_itself(books, server, tmp_path):
    answered = build(books, env=environment(ARREARS_WORKERS="2"))
    assert answered.returncode == 0
    assert "another environment" in answered.stderr and "building here instead" in answered.stderr
    assert not any(re.match(r"build \d+ for", line) for line in server.seen)
    same_as_full(books, tmp_path, "built-here")


def test_a_server_whose_code_is_no_longer_the_installed_code_refuses_to_build(books, monkeypatch):
    from arrears.serve.build_client import PROTOCOL, environment as caller_environment
    from arrears.serve.build_server import BuildServer

    running = BuildServer(books, echo=lambda line: None)
    try:
        request = {"protocol": PROTOCOL, "out": None, "as_of": None, "full": False, "search": False,
                   "environment": caller_environment()}
        assert running._refusal(request) == ""
        assert "another protocol" in running._refusal({**request, "protocol": PROTOCOL + 1})
        monkeypatch.setattr(running._fingerprints, "code_now", lambda: "upgraded")
        assert "older copy of arrears; restart it" in running._refusal(request)
    finally:
        running.close()


def test_one_server_per_records_and_it_stops_on_sigint_or_sigterm(books, server):
    second = subprocess.run([sys.executable, "-m", "arrears", "build-server", "--root", str(books)],
                            capture_output=True, text=True, env=environment(), timeout=TIMEOUT)
    assert second.returncode == 2 and "already running" in second.stderr
    assert server.stop(signal.SIGINT) == 0
    assert "build server stopped" in server.wait_for_line("stopped")
    again = Server(books)
    assert again.stop(signal.SIGTERM) == 0
    alone = build(books)
    assert alone.returncode == 0 and "building here" not in alone.stderr, "no server: a build of its own"


def test_in_git_a_commit_that_changes_no_file_still_reaches_the_case_pages(tmp_path, isolated_git, generated_books):
    books = copy_books(generated_books(30, 6, 11), tmp_path)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "records"]):
        subprocess.run(["git", *command], cwd=books, check=True, env=environment())
    running = Server(books)
    try:
        assert build(books).returncode == 0
        note = min((books / "cases" / "case-00002" / "notes").glob("*.md"))
        note.write_text(note.read_text(encoding="utf-8") + "\nCommitted.\n", encoding="utf-8")
        assert build(books).returncode == 0
        assert "(1 change)" in running.wait_for_line(r"^build 2 for")
        page = books / "site" / "cases" / "case-00002" / "index.html"
        before = page.read_bytes()
        subprocess.run(["git", "commit", "-qam", "a note about the call"], cwd=books, check=True, env=environment())
        assert build(books).returncode == 0
        assert "(0 changes)" in running.wait_for_line(r"^build 3 for"), "the journal saw no file change"
        assert page.read_bytes() != before and b"a note about the call" in page.read_bytes()
        same_as_full(books, tmp_path, "after-commit")
    finally:
        running.stop()


def test_a_session_for_the_build_server_keeps_the_search_index_following_the_pages(books):
    if shutil.which("pagefind") is None and not _pagefind_installed():
        pytest.skip("pagefind is not installed")
    out = books / "site"
    session = incremental.Session(search_follows=True)
    incremental.build(books, DAY, out, session=session)
    index = {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()}
    note = min((books / "cases" / "case-00005" / "notes").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    incremental.build(books, DAY, out, session=session)
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()} != index


def _pagefind_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("pagefind") is not None


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to connect as another user")
def test_another_user_gets_no_answer_and_no_build(books, server):
    from arrears.serve.build_client import address

    code = ("import socket, sys\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            f"s.connect({address(books)!r})\n"
            "try:\n    s.sendall(b'{\"protocol\": 1}\\n'); s.shutdown(socket.SHUT_WR); said = s.recv(100)\n"
            "except OSError:\n    said = b''\n"
            "sys.stdout.write(repr(said))\n")
    python = Path("/usr/bin/python3")  # the system's: the venv's own may be out of the other user's reach
    if not python.is_file():
        pytest.skip("no /usr/bin/python3 for the other user to run")
    other = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, timeout=TIMEOUT,
                           cwd="/", preexec_fn=lambda: os.setuid(65534))
    assert other.returncode == 0, other.stderr
    assert other.stdout == "b''", "closed unanswered"
    assert build(books).returncode == 0
    assert "every case scanned" in server.wait_for_line(r"^build 1 for"), "the other user's request built nothing"


def test_a_request_not_understood_is_refused_and_the_server_goes_on(books, server, tmp_path):
    import json
    import socket

    from arrears.serve.build_client import address

    for garbage in (b"not json\n", b'{"protocol": 1, "environment": 3}\n', b"[]\n", b""):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(address(books))
            connection.sendall(garbage)
            connection.shutdown(socket.SHUT_WR)
            reply = json.loads(connection.makefile("rb").read())
        assert set(reply) == {"refused"}, garbage
    assert build(books).returncode == 0
    assert "every case scanned" in server.wait_for_line(r"^build 1 for")
    same_as_full(books, tmp_path, "after-garbage")


def on_a_terminal(arguments: list[str], env: dict) -> tuple[int, str]:
    """Run `arguments` with stderr on a terminal of its own: its exit status and what it showed there."""
    import pty

    leader, follower = pty.openpty()
    try:
        finished = subprocess.run(arguments, stdout=subprocess.DEVNULL, stderr=follower, env=env, timeout=TIMEOUT)
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    return finished.returncode, shown.decode()


def test_on_a_terminal_a_build_that_looks_at_every_case_says_so_first(books, server):
    status, text = on_a_terminal([sys.executable, "-m", "arrears", "build", "--root", str(books), "--as-of",
                                  DAY.isoformat(), "--no-search"], environment())
    assert status == 0
    assert "looks at every case this time" in text and "built " in text
    assert text.index("looks at every case") < text.index("built "), "said before the build, not after"


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to run a server as another user")
def test_a_server_run_by_another_user_is_never_believed(books, tmp_path):
    from arrears.serve.build_client import address

    python = Path("/usr/bin/python3")
    if not python.is_file():
        pytest.skip("no /usr/bin/python3 for the other user to run")
    code = ("import socket, sys\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            f"s.bind({address(books)!r}); s.listen(4)\n"
            "print('listening', flush=True)\n"
            "while True:\n"
            "    c, _ = s.accept()\n"
            "    c.sendall(b'{\"stdout\": \"\", \"stderr\": \"FAKE\\\\n\", \"status\": 0}\\n'); c.close()\n")
    impostor = subprocess.Popen([str(python), "-I", "-c", code], stdout=subprocess.PIPE, text=True, cwd="/",
                                preexec_fn=lambda: os.setuid(65534))
    try:
        assert impostor.stdout.readline().strip() == "listening"  # type: ignore[union-attr]
        built = build(books)
    finally:
        impostor.kill()
        impostor.wait(timeout=TIMEOUT)
    assert built.returncode == 0, built.stderr
    assert "FAKE" not in built.stderr and built.stderr.startswith("built "), "built here, not told"
    same_as_full(books, tmp_path, "built-here")


def test_a_build_that_crashes_in_the_server_is_reported_as_arrears_reports_it(books, monkeypatch):
    from arrears.serve.build_client import PROTOCOL, environment as caller_environment
    from arrears.serve.build_server import BuildServer
    from arrears.site import incremental as engine

    running = BuildServer(books, echo=lambda line: None)
    try:
        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(engine, "build", broken)
        request = {"protocol": PROTOCOL, "out": None, "as_of": DAY.isoformat(), "full": False, "search": False,
                   "environment": caller_environment(), "debug": False}
        plain = running.build(request)
        assert plain["status"] == 70 and "internal error: RuntimeError('a bug')" in plain["stderr"]
        assert "Traceback" not in plain["stderr"]
        debugged = running.build({**request, "debug": True})
        assert debugged["status"] == 70 and "Traceback (most recent call last)" in debugged["stderr"]
        monkeypatch.undo()
        assert running.build(request)["status"] == 0, "the next build works, from a fresh start"
    finally:
        running.close()


# --- a server that starts itself -------------------------------------------------------------------


@pytest.fixture
def started(books):
    """`books`, and at the end whatever build server a test's builds left running there, stopped."""
    from arrears.serve import build_client

    yield books
    build_client.stop(books)
    assert build_client._exchange(books, {"protocol": build_client.PROTOCOL, "stop": True}) is None


def site_times(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_mtime_ns for path in (root / "site").rglob("*") if path.is_file()}


def test_a_build_that_finds_no_server_leaves_one_running_primed_and_the_next_build_is_its(started, tmp_path):
    books = started
    first = build(books, env=environment(ARREARS_BUILD_SERVER="always"))  # pipes: a server holding them would hang this
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(r"built \d+ pages with 0 attachments into .*\n", first.stderr), "a script reads what it read"
    before = site_times(books)
    synced = build(books, env=environment(ARREARS_BUILD_SERVER="manual"))  # asks the server; starts none
    assert synced.returncode == 0 and "(rewrote 0, the rest unchanged)" in synced.stderr, synced.stderr
    log = (books / ".arrears-cache" / "build-server.log").read_text(encoding="utf-8")  # queued after the priming
    assert re.search(r"^build 1 for .*: exit 0 .*\(every case scanned\)$", log, re.M), log
    assert re.search(r"^build 2 for .*: exit 0 .*\(0 changes\)$", log, re.M), log
    assert site_times(books) == before, "priming wrote nothing"
    note = min((books / "cases" / "case-00007" / "notes").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nThey asked for a statement.\n", encoding="utf-8")
    edited = build(books, env=environment(ARREARS_BUILD_SERVER="manual"))
    assert edited.returncode == 0 and "(rewrote 1, the rest unchanged)" in edited.stderr, edited.stderr
    log = (books / ".arrears-cache" / "build-server.log").read_text(encoding="utf-8")
    assert re.search(r"^build 3 for .*: exit 0 .*\(1 change\)$", log, re.M), log
    after = site_times(books)
    changed = {name for name in after if after[name] != before.get(name)}
    assert "site/cases/case-00007/index.html" in changed and all(
        name.startswith("site/cases/case-00007/") for name in changed), changed
    same_as_full(books, tmp_path, "after-the-started-server")
    stopped = subprocess.run([sys.executable, "-m", "arrears", "build-server", "--stop", "--root", str(books)],
                             capture_output=True, text=True, env=environment(), timeout=TIMEOUT)
    assert stopped.returncode == 0 and re.fullmatch(r"stopped the build server for .* \(process \d+\)\n",
                                                    stopped.stderr), stopped.stderr
    assert "build server stops: asked to" in (books / ".arrears-cache" / "build-server.log").read_text()
    again = subprocess.run([sys.executable, "-m", "arrears", "build-server", "--stop", "--root", str(books)],
                           capture_output=True, text=True, env=environment(), timeout=TIMEOUT)
    assert again.returncode == 0 and "no build server is running" in again.stderr


def test_when_a_build_starts_a_server(tmp_path, monkeypatch):
    from arrears.serve import build_client

    for name in ("ARREARS_NO_BUILD_SERVER", "ARREARS_BUILD_SERVER", "CI"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "books"
    for number in range(build_client.AUTO_FROM - 1):
        (root / "cases" / f"case-{number:05}").mkdir(parents=True)
    (root / "cases" / "stray.md").write_text("not a case folder", encoding="utf-8")
    assert build_client.mode() == "auto"
    assert not build_client.should_start(root, "auto"), "a small book: a build is quick without one"
    assert build_client.should_start(root, "always")
    (root / "cases" / "one-more").mkdir()
    assert build_client.should_start(root, "auto")
    assert not build_client.should_start(root, "manual") and not build_client.should_start(root, "off")
    monkeypatch.setenv("CI", "true")
    assert not build_client.should_start(root, "auto"), "a CI build is a one-off"
    assert build_client.should_start(root, "always")
    monkeypatch.setenv("ARREARS_BUILD_SERVER", "Manual ")
    assert build_client.mode() == "manual"
    monkeypatch.setenv("ARREARS_BUILD_SERVER", "sometimes")
    assert build_client.mode() == "auto"
    monkeypatch.setenv("ARREARS_NO_BUILD_SERVER", "1")
    assert build_client.mode() == "off"


def test_a_mistyped_mode_is_said_and_read_as_auto(books):
    built = build(books, env=environment(ARREARS_BUILD_SERVER="sometimes"))
    assert built.returncode == 0
    assert built.stderr.startswith("arrears: ARREARS_BUILD_SERVER='sometimes' is none of auto, always, manual, off; "
                                   "reading it as auto\nbuilt "), "said once, then the build as ever"


def test_a_server_with_idle_minutes_stops_after_them(books):
    idle = subprocess.run([sys.executable, "-m", "arrears", "build-server", "--root", str(books), "--idle", "0.005"],
                          capture_output=True, text=True, env=environment(), timeout=TIMEOUT)
    assert idle.returncode == 0
    assert "build server stops: no build for" in idle.stderr and idle.stderr.endswith("build server stopped\n")


def test_a_server_with_idle_minutes_stops_when_its_records_are_gone(books, monkeypatch, tmp_path):
    import threading

    from arrears.serve import build_server

    monkeypatch.setattr(build_server, "LOOK_EVERY", 0.02)
    said: list[str] = []
    running = build_server.BuildServer(books, echo=said.append)
    loop = threading.Thread(target=running.serve_forever, kwargs={"idle": 600.0}, daemon=True)
    loop.start()
    try:
        books.rename(tmp_path / "moved")
        loop.join(TIMEOUT)
        assert not loop.is_alive() and said == [f"build server stops: the records are gone for {books.resolve()}"]
    finally:
        running.close()


def test_a_server_running_older_code_is_replaced_by_the_build_it_refused(started, tmp_path):
    """An upgrade: the old server refuses (its code is not the installed code), the caller builds
    itself, then stops the old one and leaves a new one running."""
    import json
    import socket
    import threading

    from arrears.serve.build_client import address
    from arrears.serve.build_server import STALE

    books = started
    stand_in = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    asked: list[dict] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address(books))
    listener.listen(4)

    def old_server() -> None:  # refuses a build as stale, then stops when asked (its process: the stand-in)
        with listener:
            while True:
                connection, _ = listener.accept()
                with connection:
                    asked.append(json.loads(connection.makefile("rb").readline()))
                    if asked[-1].get("stop"):
                        stand_in.kill()
                        stand_in.wait()
                        connection.sendall(json.dumps({"stopped": stand_in.pid}).encode() + b"\n")
                        return
                    connection.sendall(json.dumps({"refused": STALE, "stale": True}).encode() + b"\n")

    thread = threading.Thread(target=old_server, daemon=True)
    thread.start()
    first = build(books, env=environment(ARREARS_BUILD_SERVER="always"))
    thread.join(TIMEOUT)
    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith(f"arrears: {STALE}; building here instead.\n"), first.stderr
    assert [bool(request.get("stop")) for request in asked] == [False, True], asked
    second = build(books, env=environment(ARREARS_BUILD_SERVER="manual"))
    assert second.returncode == 0 and "(rewrote 0, the rest unchanged)" in second.stderr, second.stderr
    assert re.search(r"^build 2 for .*\(0 changes\)$", (books / ".arrears-cache/build-server.log").read_text(),
                     re.M), "the new server answered"


def test_on_a_terminal_the_build_that_starts_a_server_says_so_once(started):
    arguments = [sys.executable, "-m", "arrears", "build", "--root", str(started), "--as-of", DAY.isoformat(),
                 "--no-search"]
    status, text = on_a_terminal(arguments, environment(ARREARS_BUILD_SERVER="always"))
    assert status == 0 and "arrears: a build server now keeps this book's builds quick; it stops after 2 hours " \
                           "without a build" in text.replace("\r\n", " ").replace("\n", " "), text
    status, text = on_a_terminal(arguments, environment(ARREARS_BUILD_SERVER="always"))
    assert status == 0 and "build server now keeps" not in text and "built " in text, "answered by it: not said again"
