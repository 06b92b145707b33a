"""Shared test fixtures: write a small records tree from inline text."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No deadline anywhere: a busy machine (two cores, other work beside the suite) makes timing a lie,
# and speed is the benchmark's job. Under CI the examples are derandomized, so a run is repeatable and
# never fails on a seed nobody can reproduce; locally each run explores new examples (and keeps the
# failures it finds in .hypothesis/).
settings.register_profile("arrears", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=os.environ.get("CI") == "true", print_blob=True)
settings.load_profile("arrears")


class RecordsTree:
    """A records repository in a temp folder, written from inline text in the test."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def case(self, case_id: str = "acme", front: str | None = None, story: str = "A story.") -> Path:
        front = front or """
            debtor:
              name: Acme Bakery Ltd
              kind: business
              contacts:
                - {channel: email, value: accounts@acme.example, preferred: true}
            opened: 2026-01-15
        """
        return self.write(f"cases/{case_id}/case.md", "---\n" + textwrap.dedent(front).strip("\n") + f"\n---\n{story}\n")

    def note(self, case_id: str, note_id: str, front: str, body: str = "") -> Path:
        return self.write(f"cases/{case_id}/notes/{note_id}.md",
                          "---\n" + textwrap.dedent(front).strip("\n") + f"\n---\n{body}")

    def plan(self, case_id: str, plan_id: str, front: str, body: str = "") -> Path:
        return self.write(f"cases/{case_id}/plans/{plan_id}.md",
                          "---\n" + textwrap.dedent(front).strip("\n") + f"\n---\n{body}")


@pytest.fixture(scope="session")
def generated_books(tmp_path_factory):
    """`generated_books(cases, notes, seed)`: a portfolio from tooling/generate_portfolio.py, generated
    once a session for each size and seed. Tests change a copy of it (`copy_books`), never it."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tooling"))
    from generate_portfolio import generate

    made: dict[tuple[int, int, int], Path] = {}

    def make(cases: int, notes: int, seed: int) -> Path:
        if (cases, notes, seed) not in made:
            root = tmp_path_factory.mktemp(f"generated-{cases}x{notes}-{seed}") / "books"
            generate(root, cases, notes, seed=seed)
            made[cases, notes, seed] = root
        return made[cases, notes, seed]

    return make


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path there: two sites are the same when their trees are."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def copy_books(source: Path, tmp_path: Path) -> Path:
    """A copy of a records folder under the test's own temp folder, for the test to change."""
    import shutil

    root = tmp_path / "books"
    shutil.copytree(source, root, symlinks=True)
    return root


@pytest.fixture
def records(tmp_path: Path) -> RecordsTree:
    tree = RecordsTree(tmp_path / "books")
    tree.root.mkdir()
    return tree


@pytest.fixture
def isolated_git(monkeypatch):
    """Git with no user or system configuration, a fixed identity, and dates from the test (see gitrepo)."""
    from gitrepo import isolate_git

    isolate_git(monkeypatch)


@pytest.fixture
def git_repo(tmp_path: Path, isolated_git):
    """The shared Git-repository fixture: an empty records repository in Git, written from inline text."""
    from gitrepo import GitRepo

    return GitRepo(tmp_path / "books")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files (tests/golden/) from the current output; review the diff")


def pytest_configure(config):
    """`--update-golden` is the same switch as ARREARS_UPDATE_GOLDEN=1, which golden tests read.

    The user's cache (compiled templates) is one of the run's own, shared by its tests and the
    processes they start, so the suite never writes into the home folder of whoever runs it.
    No build the suite makes leaves a build server running behind it (ARREARS_BUILD_SERVER=manual):
    the tests of that start one themselves and stop it."""
    os.environ["ARREARS_BUILD_SERVER"] = "manual"
    if config.getoption("update_golden", default=False):
        os.environ["ARREARS_UPDATE_GOLDEN"] = "1"
    import tempfile

    os.environ["XDG_CACHE_HOME"] = config._arrears_cache = tempfile.mkdtemp(prefix="arrears-test-cache-")


def pytest_unconfigure(config):
    import shutil

    if getattr(config, "_arrears_cache", None):
        shutil.rmtree(config._arrears_cache, ignore_errors=True)
