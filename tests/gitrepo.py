"""A real Git repository in a temp folder, with fixed authors and dates, for the history tests.

Every commit sets GIT_AUTHOR_*/GIT_COMMITTER_* explicitly, and the global and
system Git configuration are switched off, so hashes and outputs are the same
on every machine (and in CI, whatever user.name is set there).
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

DEFAULT_AUTHOR = "Jo Bloggs"
DEFAULT_WHEN = "2026-03-02T10:00:00+00:00"


def isolate_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """No global/system config (signing, hooks, templates) and a fixed identity, also for arrears' own git calls."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", DEFAULT_AUTHOR)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "jo@example.invalid")
        monkeypatch.setenv(f"GIT_{role}_DATE", DEFAULT_WHEN)


class GitRepo:
    """Write files from inline text and commit them as a named author on a given date."""

    def __init__(self, root: Path, init: bool = True):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        if init:
            self.git("init", "-q", "-b", "main")

    def git(self, *args: str, author: str = DEFAULT_AUTHOR, when: str = DEFAULT_WHEN, cwd: Path | None = None,
            committed: str | None = None) -> str:
        """Run git as `author`, dated `when` (the committer date too, unless `committed` says otherwise)."""
        env = dict(os.environ)
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_NAME"] = author
            env[f"GIT_{role}_EMAIL"] = f"{author.split()[0].lower()}@example.invalid"
            env[f"GIT_{role}_DATE"] = when
        if committed is not None:
            env["GIT_COMMITTER_DATE"] = committed
        done = subprocess.run(["git", *args], cwd=cwd or self.root, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def case(self, case_id: str = "acme", name: str = "Acme Bakery Ltd") -> Path:
        return self.write(f"cases/{case_id}/case.md", f"""
            ---
            debtor:
              name: {name}
              kind: business
            opened: 2026-01-15
            ---
            A story.
            """)

    def note(self, case_id: str, note_id: str, day: str = "2026-03-01", kind: str = "call", body: str = "Spoke.") -> Path:
        return self.write(f"cases/{case_id}/notes/{note_id}.md", f"---\ndate: {day}\nkind: {kind}\n---\n{body}\n")

    def plan(self, case_id: str, plan_id: str, agreed: str = "2026-03-01", count: int = 3) -> Path:
        return self.write(f"cases/{case_id}/plans/{plan_id}.md", f"""
            ---
            agreed: {agreed}
            amount: 300.00
            schedule: {{start: 2026-04-01, every: month, count: {count}}}
            ---
            Terms.
            """)

    def commit(self, message: str = "records", author: str = DEFAULT_AUTHOR, when: str = DEFAULT_WHEN,
               committed: str | None = None) -> str:
        self.git("add", "-A", author=author, when=when)
        self.git("commit", "-q", "--allow-empty", "-m", message, author=author, when=when, committed=committed)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()
