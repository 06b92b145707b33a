"""Incremental builds: after edits, the same bytes as a full build, and only the affected pages rewritten."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from arrears.cli.app import main
from arrears.site import incremental
from arrears.site import markdown as site_markdown
from arrears.site.incremental import build as full_build
from conftest import copy_books, tree
from site_records import AS_OF, write_portfolio


DAY = date(2026, 11, 24)
LISTING = ("agenda.html", "due.csv", "due.json", "index.html", "insight.html")


def mtimes(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def books(generated_books, tmp_path) -> Path:
    return copy_books(generated_books(60, 8, 7), tmp_path)


def same_as_full(root: Path, out: Path, tmp_path: Path, name: str) -> None:
    fresh = incremental.build(root, DAY, tmp_path / name, full=True, workers=1)
    assert fresh.full and fresh.published
    assert tree(out) == tree(tmp_path / name)


def first_note(root: Path, case_id: str) -> Path:
    return min((root / "cases" / case_id / "notes").glob("*.md"))


def test_after_edits_additions_and_deletions_the_site_is_byte_identical_to_a_full_build(books, tmp_path):
    out = books / "site"
    built = incremental.build(books, DAY, out, workers=2)
    assert built.full and built.published and built.pages == 123  # 60 cases with a statement each, 3 listings

    note = first_note(books, "case-00003")
    note.write_text(note.read_text(encoding="utf-8") + "\nThey rang back *twice*.\n", encoding="utf-8")
    built = incremental.build(books, DAY, out, workers=2)
    assert not built.full and built.written == ("cases/case-00003/index.html",)
    same_as_full(books, out, tmp_path, "after-edit")

    (books / "cases/case-00010/notes/2026-11-19-99-payment.md").write_text(
        "---\ndate: 2026-11-19\nkind: payment\namount: 25.00\nby: jo\n---\nPaid by card.\n", encoding="utf-8")
    built = incremental.build(books, DAY, out)
    assert set(built.written) == {"cases/case-00010/index.html", *LISTING}
    same_as_full(books, out, tmp_path, "after-add")

    max((books / "cases/case-00020/notes").glob("*.md")).unlink()
    built = incremental.build(books, DAY, out)
    assert "cases/case-00020/index.html" in built.written
    same_as_full(books, out, tmp_path, "after-delete")

    os.system(f"rm -r '{books / 'cases/case-00030'}' && cp -r '{books / 'cases/case-00031'}' '{books / 'cases/new-case'}'")
    built = incremental.build(books, DAY, out)
    assert built.removed == ("cases/case-00030",)
    assert set(built.written) == {"cases/new-case/index.html", *LISTING}
    same_as_full(books, out, tmp_path, "after-case-changes")


def test_only_the_affected_pages_are_rewritten(books):
    out = books / "site"
    incremental.build(books, DAY, out)
    before = mtimes(out)
    again = incremental.build(books, DAY, out)
    assert again.written == () and mtimes(out) == before

    note = first_note(books, "case-00005")
    text = note.read_text(encoding="utf-8")
    note.write_text(text + "\nA line that changes nothing but the page.\n", encoding="utf-8")
    incremental.build(books, DAY, out)
    after = mtimes(out)
    changed = {path for path in after if after[path] != before.get(path) and not path.startswith("pagefind/")}
    assert changed == {"cases/case-00005/index.html", "cases/case-00005/statement.html"}  # that case's pages
    assert any(path.startswith("pagefind/") and after[path] != before.get(path) for path in after)  # and the index

    os.utime(first_note(books, "case-00006"))  # touched, same content: nothing to do
    assert incremental.build(books, DAY, out).written == ()


def test_shared_inputs_change_every_page(books):
    out = books / "site"
    incremental.build(books, DAY, out)
    (books / "templates/site/partials").mkdir(parents=True)
    (books / "templates/site/partials/footer.html").write_text("<footer>Ours</footer>\n", encoding="utf-8")
    built = incremental.build(books, DAY, out)
    assert built.full and "<footer>Ours</footer>" in (out / "cases/case-00001/index.html").read_text()
    assert incremental.build(books, date(2026, 11, 25), out).full, "another as-of date is another site"


def test_compiled_templates_are_kept_and_never_stale(books, monkeypatch, tmp_path):
    """A build keeps Jinja's compiled templates in the user's cache, where a deleted `.arrears-cache/`
    leaves them; an edited template is compiled afresh."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    out = books / "site"
    override = books / "templates/site/partials/footer.html"
    override.parent.mkdir(parents=True)
    override.write_text("<footer>First</footer>\n", encoding="utf-8")
    incremental.build(books, DAY, out)
    kept = tmp_path / "user-cache" / "arrears" / "compiled-templates"
    assert len(list(kept.iterdir())) == 2, "the site's and the messages' environments, each in its own folder"
    assert all(list(folder.glob("*.cache")) for folder in kept.iterdir())
    assert (kept.parent.stat().st_mode & 0o777) == 0o700
    assert not (books / ".arrears-cache" / "compiled").exists()

    from jinja2 import Environment

    compiles = []
    original = Environment.compile
    monkeypatch.setattr(Environment, "compile", lambda self, *a, **k: compiles.append(a[1:2]) or original(self, *a, **k))
    shutil.rmtree(books / ".arrears-cache")
    incremental.build(books, date(2026, 11, 25), out, workers=1)
    assert compiles == [], "a second build, its records' cache deleted, loads every template compiled"
    override.write_text("<footer>Second</footer>\n", encoding="utf-8")
    incremental.build(books, date(2026, 11, 25), out, workers=1)
    assert "<footer>Second</footer>" in (out / "cases/case-00001/index.html").read_text()
    assert len(compiles) == 1


@pytest.mark.parametrize("spoil", ["open to others", "not a folder"])
def test_compiled_templates_stay_in_the_records_cache_without_a_safe_user_cache(books, monkeypatch, tmp_path, spoil):
    """Compiled templates are code a build runs: a user cache others could write (or none at all)
    is not used, and they are kept in `.arrears-cache/` as before."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "user-cache").mkdir()
    if spoil == "open to others":
        (tmp_path / "user-cache" / "arrears").mkdir(mode=0o777)
        os.chmod(tmp_path / "user-cache" / "arrears", 0o777)
    else:
        (tmp_path / "user-cache" / "arrears").write_text("a file\n", encoding="utf-8")
    incremental.build(books, DAY, books / "site")
    assert not list((tmp_path / "user-cache").rglob("*.cache"))
    compiled = books / ".arrears-cache" / "compiled"
    assert len(list(compiled.iterdir())) == 2 and all(list(f.glob("*.cache")) for f in compiled.iterdir())


def test_markdown_bodies_come_from_the_cache_when_a_page_is_rebuilt(books, monkeypatch):
    """Only the edited body goes through the parser again; the case's other parsed bodies are remembered.

    (Plain prose never reaches the parser nor the cache: see `plain_prose`.)
    """
    notes = sorted((books / "cases" / "case-00002" / "notes").glob("*.md"))
    kept, edited = notes[-1], notes[0]
    kept.write_text(kept.read_text(encoding="utf-8") + "\nSee [the terms](https://example.org/terms).\n",
                    encoding="utf-8")
    incremental.build(books, DAY, books / "site", workers=1)
    parsed = []
    original = site_markdown.SafeMarkdown.render
    monkeypatch.setattr(site_markdown.SafeMarkdown, "render",
                        lambda self, text, *args: parsed.append(text) or original(self, text, *args))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nFresh [words](https://example.org).\n",
                      encoding="utf-8")
    assert incremental.build(books, date(2026, 11, 25), books / "site", workers=1).full
    assert len(parsed) == 1 and parsed[0].endswith("Fresh [words](https://example.org).\n")
    assert "the terms" in (books / "site" / "cases" / "case-00002" / "index.html").read_text(encoding="utf-8")


def test_a_case_with_errors_is_left_out_and_the_rest_rebuilt(books):
    out = books / "site"
    incremental.build(books, DAY, out)
    before = tree(out)
    note = first_note(books, "case-00004")
    good = note.read_text(encoding="utf-8")
    note.write_text(good.replace("date: ", "date: 2026-02-30 #", 1), encoding="utf-8")
    built = incremental.build(books, DAY, out)
    assert built.published and built.removed == ("cases/case-00004",)
    assert list(built.verdict.excluded) == ["case-00004"]
    assert any(p.path.endswith(note.name) and p.is_error for p in built.problems)
    after = tree(out)
    assert not any(path.startswith("cases/case-00004/") for path in after)
    assert {path for path in after if path.startswith("cases/")} == {
        path for path in before if path.startswith("cases/") and not path.startswith("cases/case-00004/")}
    assert all(after[path] == before[path] for path in after if path.startswith("cases/"))
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "1 case left out" in dashboard and note.name in dashboard
    assert 'href="cases/case-00004/' not in dashboard
    assert "case-00004" not in (out / "due.csv").read_text(encoding="utf-8")
    note.write_text(good + "\nFixed.\n", encoding="utf-8")
    fixed = incremental.build(books, DAY, out)
    assert "cases/case-00004/index.html" in fixed.written and not fixed.verdict.excluded
    assert "left out" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_full_build_in_one_process_and_the_engine_give_the_same_bytes(records, tmp_path):
    write_portfolio(records)
    full_build(records.root, AS_OF, tmp_path / "reference", full=True, workers=1)
    built = incremental.build(records.root, AS_OF, tmp_path / "engine")
    assert built.published and built.files >= 1
    assert tree(tmp_path / "engine") == tree(tmp_path / "reference")


def test_build_command_says_what_it_rewrote(records):
    write_portfolio(records)
    first = CliRunner().invoke(main, ["build", "--root", str(records.root), "--as-of", AS_OF.isoformat()])
    second = CliRunner().invoke(main, ["build", "--root", str(records.root), "--as-of", AS_OF.isoformat()])
    assert first.exit_code == 0 and "rewrote" not in first.output
    assert second.exit_code == 0 and "(rewrote 0, the rest unchanged)" in second.output
    full = CliRunner().invoke(main, ["build", "--root", str(records.root), "--as-of", AS_OF.isoformat(), "--full"])
    assert full.exit_code == 0 and "rewrote" not in full.output


def test_in_git_a_commit_or_an_edit_rewrites_only_the_cases_it_touched(tmp_path, git_repo):
    repo = git_repo
    repo.write(".gitignore", "/site/\n/.arrears-cache/\n")
    for case_id in ("acme", "bolt", "crane"):
        repo.case(case_id)
        repo.write(f"cases/{case_id}/notes/2026-02-01-invoice.md",
                   "---\ndate: 2026-02-01\nkind: invoice\nref: INV-1\namount: 500.00\ndue: 2026-02-15\n---\n")
    repo.commit("open three cases", when="2026-02-01T10:00:00+00:00")
    out, day = repo.root / "site", date(2026, 4, 1)
    incremental.build(repo.root, day, out)

    repo.write("cases/bolt/notes/2026-03-01-call.md", "---\ndate: 2026-03-01\nkind: call\n---\nSpoke.\n")
    edited = incremental.build(repo.root, day, out)
    # the listing pages name the commit and the dirty flag: the Insight and Search pages are among them
    assert not edited.full and set(edited.written) == {"cases/bolt/index.html", "agenda.html", "index.html",
                                                        "insight.html", "search.html"}
    assert "uncommitted changes" in (out / "index.html").read_text()

    repo.commit("a call", when="2026-03-01T17:00:00+00:00")
    committed = incremental.build(repo.root, day, out)
    assert not committed.full and set(committed.written) == {"cases/bolt/index.html", "agenda.html", "index.html",
                                                              "insight.html", "search.html"}
    assert tree(out) == tree(full_build(repo.root, day, tmp_path / "reference", full=True).out)


def test_at_head_is_the_same_build_from_the_commit_s_objects(tmp_path, git_repo):
    """`build --at` goes through the one build, reading the records from Git: at HEAD of a clean tree
    it gives the working tree's site, but for the footer that names the revision."""
    repo = git_repo
    repo.write(".gitignore", "/site/\n/.arrears-cache/\n")
    for case_id in ("acme", "bolt"):
        repo.case(case_id)
        repo.write(f"cases/{case_id}/notes/2026-02-01-invoice.md",
                   "---\ndate: 2026-02-01\nkind: invoice\nref: INV-1\namount: 500.00\ndue: 2026-02-15\n---\n")
    repo.write("cases/acme/files/letter.txt", "Dear Acme\n")
    repo.commit("open two cases", when="2026-02-01T10:00:00+00:00")
    day = date(2026, 4, 1)
    here = tree(incremental.build(repo.root, day, repo.root / "site").out)
    repo.write("cases/bolt/notes/2026-03-01-call.md", "---\ndate: 2026-03-01\nkind: call\n---\nSpoke.\n")
    (repo.root / "cases/acme/files/letter.txt").unlink()
    at = full_build(repo.root, day, tmp_path / "at", at="HEAD")
    assert at.full and at.published and at.files == 1
    then = tree(at.out)
    assert then.keys() == here.keys() and b"Spoke." not in then["cases/bolt/index.html"]
    differ = {path for path in here if here[path] != then[path]}
    assert differ == {"index.html", "agenda.html", "insight.html", "search.html"}  # the pages that name the commit
    for path in differ:
        assert here[path].replace(b"Built from commit", b"Records as committed at HEAD: commit") == then[path]


def test_a_commit_that_touches_no_case_renders_the_listing_pages_once(git_repo):
    """The dashboard names the commit, so a new commit re-renders it; the build after must not again."""
    repo = git_repo
    repo.write(".gitignore", "/site/\n/.arrears-cache/\n")
    repo.case("acme")
    repo.commit("open a case", when="2026-02-01T10:00:00+00:00")
    out, day = repo.root / "site", date(2026, 4, 1)
    first = incremental.build(repo.root, day, out)
    assert (first.rendered, first.reused) == (5, 0), "a first build renders the case, its statement and the 3 listing pages"
    repo.write("README.md", "Our books.\n")
    repo.commit("a readme", when="2026-02-02T10:00:00+00:00")
    after_commit = incremental.build(repo.root, day, out)
    assert (after_commit.rendered, after_commit.reused) == (3, 1), "the listing pages only"
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo.root, capture_output=True, text=True)
    assert head.stdout.strip() in (out / "index.html").read_text()
    again = incremental.build(repo.root, day, out)
    assert again.written == () and (again.rendered, again.reused) == (0, 1)


def test_the_git_history_is_read_once_per_commit(tmp_path, monkeypatch):
    """Reading a long history costs seconds: a build reads it again only after a new commit."""
    from gitrepo import GitRepo, isolate_git

    from arrears.site import cache

    isolate_git(monkeypatch)
    repo = GitRepo(tmp_path / "books")
    repo.write(".gitignore", "/site/\n/.arrears-cache/\n")
    repo.case("acme")
    repo.commit("open a case", when="2026-02-01T10:00:00+00:00")
    out, day = repo.root / "site", date(2026, 4, 1)
    reads = []
    original = cache.read_history
    monkeypatch.setattr(cache, "read_history", lambda *args: reads.append(args[1]) or original(*args))
    incremental.build(repo.root, day, out)
    repo.write("cases/acme/notes/2026-03-01-call.md", "---\ndate: 2026-03-01\nkind: call\n---\nSpoke.\n")
    incremental.build(repo.root, day, out)
    assert len(reads) == 1
    repo.commit("a call", when="2026-03-01T17:00:00+00:00")
    incremental.build(repo.root, day, out)
    assert len(reads) == 2 and reads[0] != reads[1]
    assert "a call" in (out / "cases/acme/index.html").read_text()
    assert len(list((repo.root / ".arrears-cache" / "history").glob("*.pickle"))) == 1
    assert tree(out) == tree(full_build(repo.root, day, tmp_path / "reference", full=True).out)


def test_a_session_keeps_the_history_in_memory_until_the_next_commit(tmp_path, monkeypatch):
    """`serve` rebuilds on every edit: it loads the history again only after a commit."""
    from gitrepo import GitRepo, isolate_git

    from arrears.site import cache

    isolate_git(monkeypatch)
    repo = GitRepo(tmp_path / "books")
    repo.write(".gitignore", "/site/\n/.arrears-cache/\n")
    repo.case("acme")
    repo.commit("open a case", when="2026-02-01T10:00:00+00:00")
    out, day, session = repo.root / "site", date(2026, 4, 1), incremental.Session()
    incremental.build(repo.root, day, out, session=session)
    loads = []
    original = cache._stored_history
    monkeypatch.setattr(cache, "_stored_history", lambda *args: loads.append(1) or original(*args))
    repo.write("cases/acme/notes/2026-03-01-call.md", "---\ndate: 2026-03-01\nkind: call\n---\nSpoke.\n")
    incremental.build(repo.root, day, out, session=session, changed=["cases/acme/notes/2026-03-01-call.md"])
    assert loads == []
    repo.commit("a call", when="2026-03-01T17:00:00+00:00")
    incremental.build(repo.root, day, out, session=session)
    assert loads == [1] and len(session.history) == 1
    assert "a call" in (out / "cases/acme/index.html").read_text()


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found.update(int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _eventually(condition, what: str, timeout: float = 60):
    """For what no event announces (another process's children): look until it holds, bounded."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc (Linux)")
def test_a_build_killed_with_sigkill_takes_its_workers_with_it_and_the_next_build_tidies_up(records):
    """Workers die with their parent, and the scratch folder a killed build leaves is removed by the next."""
    import signal
    import subprocess

    for number in range(200):  # the build fans out to workers from 200 cases on
        records.write(f"cases/c{number:03}/case.md",
                      "---\ndebtor:\n  name: Debtor\n  kind: business\nopened: 2026-01-15\n---\nA story.\n")
    hanging = records.write("templates/site/case.html", "{% for i in range(10 ** 12) %}{% endfor %}\n")
    environment = {**os.environ, "ARREARS_WORKERS": "2"}
    build = subprocess.Popen([sys.executable, "-m", "arrears", "build", "--root", str(records.root),
                              "--as-of", "2026-04-01"], env=environment,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = _eventually(lambda: _children(build.pid), "the build's workers to start")
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=60)
        _eventually(lambda: not any(_alive(pid) for pid in workers), "the orphaned workers to be gone")
    finally:
        if build.poll() is None:
            build.kill()
    left = [p.name for p in records.root.iterdir() if p.name.startswith(".site.")]
    assert left and all(name.startswith(f".site.building-{build.pid}-") for name in left), left
    hanging.unlink()
    again = subprocess.run([sys.executable, "-m", "arrears", "build", "--root", str(records.root),
                            "--as-of", "2026-04-01"], env=environment, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in records.root.iterdir() if p.name.startswith(".site.")] == []
    assert (records.root / "site" / "cases" / "c199" / "index.html").is_file()


def test_a_scratch_folder_of_a_running_build_is_left_alone(tmp_path):
    from arrears.site.publish import remove_stale, scratch_prefix

    out = tmp_path / "site"
    mine = tmp_path / (scratch_prefix(out, "staging") + "abc")  # this process is alive
    other = tmp_path / ".elsewhere.building-1-abc"  # another output's folder, pid 1 alive
    for folder in (mine, other):
        folder.mkdir()
    assert remove_stale(out) == [] and mine.is_dir() and other.is_dir()


def test_under_serve_an_edit_leaves_the_search_index_as_serve_started_with(books):
    out = books / "site"
    session = incremental.Session()
    incremental.build(books, DAY, out, session=session)
    index = {path: stamp for path, stamp in mtimes(out).items() if path.startswith("pagefind/")}
    assert index, "the first build under serve indexes the site"
    note = first_note(books, "case-00005")
    note.write_text(note.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    edited = incremental.build(books, DAY, out, session=session)
    assert "cases/case-00005/index.html" in edited.written
    assert {path: stamp for path, stamp in mtimes(out).items() if path.startswith("pagefind/")} == index
    incremental.build(books, DAY, out)  # arrears build: the index follows the edit
    assert {path: stamp for path, stamp in mtimes(out).items() if path.startswith("pagefind/")} != index


def test_build_no_search_leaves_the_index_as_it_was_and_the_next_build_brings_it_up_to_date(books):
    out = books / "site"
    first = CliRunner().invoke(main, ["build", "--root", str(books), "--as-of", DAY.isoformat(), "--no-search"])
    assert first.exit_code == 0, first.output
    assert not (out / "pagefind").exists(), "--no-search: no index on a first build either"
    assert CliRunner().invoke(main, ["build", "--root", str(books), "--as-of", DAY.isoformat()]).exit_code == 0
    index = {path: stamp for path, stamp in mtimes(out).items() if path.startswith("pagefind/")}
    assert index
    note = first_note(books, "case-00007")
    note.write_text(note.read_text(encoding="utf-8") + "\nAnother line.\n", encoding="utf-8")
    quick = CliRunner().invoke(main, ["build", "--root", str(books), "--as-of", DAY.isoformat(), "--no-search"])
    assert quick.exit_code == 0, quick.output
    assert {path: stamp for path, stamp in mtimes(out).items() if path.startswith("pagefind/")} == index
    assert CliRunner().invoke(main, ["build", "--root", str(books), "--as-of", DAY.isoformat()]).exit_code == 0
    assert {path: stamp for path, stamp in mtimes(out).items() if path.startswith("pagefind/")} != index


def test_a_worker_collects_cycles_rarely_and_leaves_what_it_inherited_alone():
    """A worker's garbage is freed by reference counts as each case is done, so its collector runs
    at a higher threshold, and the parent's objects it was forked with are frozen out of the scans."""
    import gc

    from arrears.workers import WORKER_GC_THRESHOLD, worker_pool

    assert gc.get_threshold()[0] < WORKER_GC_THRESHOLD  # this process keeps the default
    with worker_pool(1) as pool:
        threshold, frozen = pool.submit(_collector_settings).result(timeout=60)
    assert threshold[0] == WORKER_GC_THRESHOLD
    assert frozen > 1000  # the modules and objects the worker was forked with


def _collector_settings():
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


@given(items=st.integers(0, 30_000), count=st.integers(1, 16))
def test_the_workers_parts_cover_every_case_once_largest_first(items, count):
    """Guided self-scheduling: consecutive parts, each case in one of them, each no larger than the
    one before; the last parts small, so no worker finishes long before the others."""
    from arrears.workers import SMALLEST_PART, parts

    cut = parts(range(items), count)
    assert [case for part in cut for case in part] == list(range(items))
    sizes = [len(part) for part in cut]
    assert all(size > 0 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= SMALLEST_PART for size in sizes[:-1])  # no part so small its traffic costs more
    if items >= 2 * count * SMALLEST_PART:
        assert sizes[0] == items // (2 * count)  # half a worker's share: the first parts carry the bulk
        assert max(sizes[-count:]) <= SMALLEST_PART


def _case_and_notes(case, settings) -> tuple[str, int]:
    return case.id, len(case.notes)


def test_a_build_and_a_map_on_two_workers_give_what_one_gives(generated_books, tmp_path):
    """Whatever the parts, the same pages and the same results in the same order."""
    from arrears import pipeline

    books = copy_books(generated_books(40, 3, 5), tmp_path)
    one = full_build(books, AS_OF, tmp_path / "one", workers=1, search_index=False)
    two = full_build(books, AS_OF, tmp_path / "two", workers=2, search_index=False)
    assert tree(one.out) == tree(two.out)
    mapped = [pipeline.map_each_case(books, _case_and_notes, workers=count)[1] for count in (1, 2, 3)]
    assert len(mapped[0]) == 40 and mapped[0] == mapped[1] == mapped[2]


def test_records_under_a_git_ceiling_are_built_as_outside_git(tmp_path, git_repo, generated_books, monkeypatch):
    """Records kept in a larger repository's ignored scratch folder: with GIT_CEILING_DIRECTORIES at
    that folder, Git does not look above it, and neither does the build (no history, no commit named)."""
    outer = git_repo
    outer.write(".gitignore", "/scratch/\n")
    outer.commit("the larger project", when="2026-02-01T10:00:00+00:00")
    books = copy_books(generated_books(4, 3, 1), outer.root / "scratch")
    day = date(2026, 4, 1)
    named = incremental.build(books, day, tmp_path / "named")
    assert "Built from commit" in (named.out / "index.html").read_text()

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(books.parent))
    found = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=books, capture_output=True)
    assert found.returncode != 0  # Git itself finds no repository from there
    assert not incremental._in_git(books)
    unnamed = incremental.build(books, day, tmp_path / "unnamed")
    assert "Built from commit" not in (unnamed.out / "index.html").read_text()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path / "elsewhere"))
    assert incremental._in_git(books)
