"""`arrears init`: a new records repository from the files under templates/init/.

The scaffold is plain files, not strings in code, so it reads like what the
user gets: a commented arrears.toml, one example case that passes
`arrears check --strict`, a .gitignore, a Makefile and a CI workflow. A file
named `dot-x` is written as `.x` (so the templates do not act as this
repository's own .gitignore or workflows). Existing files are never
overwritten; when the folder is not in Git yet, `git init` and a first commit
of the new files follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from arrears.git.command import GitError, run_git, open_repo

if TYPE_CHECKING:
    from arrears.git.pin import Pin

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "init"
"""The scaffold: the repository's top-level templates/init/ (like the site's templates)."""
EXAMPLE = "cases/example-bakery/"
FIRST_COMMIT = "Records repository, set up by arrears init"


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    git: list[str] = field(default_factory=list)


def files() -> list[tuple[str, Path]]:
    """(path in the new repository, template file), in a stable order."""
    if not TEMPLATES.is_dir():
        raise OSError(f"arrears' init templates are missing (looked in {TEMPLATES})")
    found = []
    for source in sorted(TEMPLATES.rglob("*")):
        if source.is_file():
            parts = source.relative_to(TEMPLATES).parts
            found.append(("/".join("." + p[4:] if p.startswith("dot-") else p for p in parts), source))
    return found


def scaffold(directory: Path, git: bool = True, pin: "Pin | None" = None) -> Report:
    """Write the scaffold into `directory` (skipping what exists), then set up Git if asked.

    The CI workflow gets `pin` (by default this copy of arrears' own repository and commit)."""
    from arrears.git import pin as pinning

    pin = pin if pin is not None else pinning.this_copy()
    report = Report()
    directory.mkdir(parents=True, exist_ok=True)
    cases = directory / "cases"
    has_cases = cases.is_dir() and any(p.is_dir() for p in cases.iterdir())
    for relative, source in files():
        if relative.startswith(EXAMPLE) and has_cases and not (directory / EXAMPLE).is_dir():
            report.skipped.append(relative)
            continue
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = source.read_bytes()
            if relative == pinning.WORKFLOW:
                data = pinning.fill(data, pin)
            with open(target, "xb") as out:  # never overwrite, even if a file appears meanwhile
                out.write(data)
        except FileExistsError:
            report.skipped.append(relative)
        else:
            report.written.append(relative)
    if git:
        report.git = _first_commit(directory, report.written)
    return report


def _first_commit(directory: Path, written: list[str]) -> list[str]:
    try:
        open_repo(directory)
    except GitError:
        pass
    else:
        return ["already a Git repository: nothing committed (review the new files, then commit them)"]
    run_git(directory, ("init", "-q", "-b", "main"))
    lines = ["initialised a Git repository (branch main)"]
    if not written:
        return lines
    run_git(directory, ("add", "--", *written))
    done = run_git(directory, ("commit", "-q", "-m", FIRST_COMMIT, "--", *written), check=False)
    if done.returncode == 0:
        head = run_git(directory, ("rev-parse", "--short=7", "HEAD")).stdout.decode().strip()
        lines.append(f"committed {len(written)} files as {head}: {FIRST_COMMIT!r}")
    else:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        lines.append(f"could not commit ({reason[-1] if reason else 'git commit failed'}): set your name and "
                     "email (git config user.name/user.email), then run: git commit -m 'First records'")
    return lines
