"""Running git for arrears: find the work tree around a records root, resolve revisions, decode paths.

Every Git call goes through `run_git`, which switches off pagers, prompts,
signature display and optional locks (a `git status` from a site build must
not take the index lock another process is waiting for).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


class GitError(Exception):
    """A Git problem said to the user (no repository, unknown revision): never a traceback."""


@dataclass(frozen=True, slots=True)
class Repo:
    """A records root inside a Git work tree; `prefix` is the root's path from the top ('' or 'books/')."""

    root: Path
    top: Path
    prefix: str

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return run_git(self.root, args, input=input, check=check)

    def relative(self, git_path: str) -> str | None:
        """A path Git printed (from the top of the work tree) as a path under the root, or None if outside."""
        if not self.prefix:
            return git_path
        return git_path[len(self.prefix):] if git_path.startswith(self.prefix) else None

    def has_commits(self) -> bool:
        return self.git("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).returncode == 0

    def resolve(self, rev: str) -> str:
        """The full hash of the commit `rev` names; GitError when Git does not know it."""
        if rev.startswith("-"):
            raise GitError(f"{rev!r} is not a revision")
        found = self.git("rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}", check=False)
        if found.returncode != 0:
            if rev == "HEAD" and not self.has_commits():
                raise GitError(f"the Git repository at {self.top} has no commits yet")
            raise GitError(f"unknown revision {rev!r}: no such commit, branch or tag in {self.top} "
                           "(in CI, fetch the full history: actions/checkout with fetch-depth: 0)")
        return path_text(found.stdout).strip()

    def is_shallow(self) -> bool:
        found = self.git("rev-parse", "--is-shallow-repository", check=False)
        return path_text(found.stdout).strip() == "true"


def open_repo(root: Path) -> Repo:
    """The Git work tree holding `root`; GitError when there is none (or no git)."""
    found = run_git(root, ("rev-parse", "--show-toplevel", "--show-prefix"), check=False)
    if found.returncode != 0:
        raise GitError(f"{root} is not inside a Git repository: run `git init` there "
                       "(`arrears init` sets up a records repository with Git)")
    top, prefix = (path_text(found.stdout).split("\n") + ["", ""])[:2]
    return Repo(Path(root), Path(top), prefix)


def run_git(cwd: Path, args: Iterable[str], input: bytes | None = None,
             check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat")
    command = ["git", "-c", "log.showSignature=false", "-c", "core.quotePath=false", *args]
    try:
        done = subprocess.run(command, cwd=cwd, input=input, capture_output=True, env=env)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH): arrears needs it for history") from None
    except NotADirectoryError:
        raise GitError(f"{cwd} is not a folder") from None
    if check and done.returncode != 0:
        message = path_text(done.stderr).strip().splitlines()
        raise GitError(f"git {' '.join(args[:1])} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done


def path_text(data: bytes) -> str:
    """Git prints paths as bytes: decode like the file system does, so names match `os.scandir`."""
    return data.decode("utf-8", "surrogateescape")
