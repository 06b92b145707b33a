"""Which arrears the CI workflow written by `arrears init` installs: this copy's own repository and commit.

CI must never install `arrears` by name from the package index: no such
package is published there, so anyone could publish one and run code in the
records' CI. The workflow installs from a Git repository at a full commit
hash instead. When arrears runs from a Git checkout, its `origin` (if an
https URL) and its HEAD commit are written in; otherwise the placeholders
stay, and the workflow's install step fails saying what to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from arrears.git.command import GitError, run_git

CHECKOUT = Path(__file__).resolve().parents[3]
"""The folder arrears runs from (the repository's top, in a checkout)."""
WORKFLOW = ".github/workflows/records.yml"
REPOSITORY, REVISION = "@ARREARS_REPOSITORY@", "@ARREARS_REVISION@"
_HASH = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True, slots=True)
class Pin:
    repository: str | None  # an https URL
    revision: str | None  # a full commit hash


def this_copy(checkout: Path = CHECKOUT) -> Pin:
    """The repository and commit of the arrears checkout at `checkout` (None for what is unknown)."""
    def ask(*args: str) -> str | None:
        try:
            done = run_git(checkout, args, check=False)
        except GitError:
            return None
        return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None

    if ask("rev-parse", "--show-toplevel") != str(checkout):
        return Pin(None, None)  # installed from a wheel, or inside someone else's repository
    url = ask("config", "--get", "remote.origin.url")
    revision = ask("rev-parse", "--verify", "-q", "HEAD^{commit}")
    return Pin(url if url and url.startswith("https://") else None,
               revision if revision and _HASH.fullmatch(revision) else None)


def fill(workflow: bytes, pin: Pin) -> bytes:
    """The workflow with what `pin` knows written over its placeholders."""
    text = workflow.decode("utf-8")
    if pin.repository:
        text = text.replace(REPOSITORY, pin.repository.replace('"', ""))
    if pin.revision:
        text = text.replace(REVISION, pin.revision)
    return text.encode("utf-8")
