"""`arrears audit` and `arrears init`: Git as the paper trail, and a new records repository."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from arrears.git import audit as auditing
from arrears.cli.app import format_option, locate_root, root_option
from arrears.git.history import GitError
from arrears.problems import FORMATTERS, has_errors, summary


@click.command()
@root_option
@click.option("--since", default=None, metavar="REV",
              help="Only report what commits after REV did (for pull requests: --since origin/main). "
                   "A record committed before REV and changed after it is still an error.")
@click.option("--staged", is_flag=True,
              help="Only judge the staged changes, the commit being made (the pre-commit hook): refuse one that "
                   "modifies, deletes or renames a committed note or plan.")
@format_option("text", "json", "github")
@click.option("--strict", is_flag=True, help="Warnings fail the audit too (exit 1).")
def audit(root: Path | None, since: str | None, staged: bool, output_format: str, strict: bool) -> None:
    """Check Git's history for rewritten notes and plans.

    Errors: a committed note or plan later modified, deleted or renamed
    (notes and plans are append-only; corrections are new notes); a record
    committed as a symbolic link; a --since REV that is no longer an
    ancestor of HEAD (history rewritten). Warnings: notes committed long
    after their own date (more than [audit] backdate_days; the later of the
    author and committer dates counts), file mode changes of records, records
    not committed yet, uncommitted edits to committed records. case.md may
    change. Exit 1 when there is any error (or warning with --strict), 2 when
    the root is not in a Git repository or REV is unknown.
    The report lists errors first, then warnings, each by file and line.
    """
    if staged and since:
        raise click.UsageError("--staged and --since cannot be combined: --staged judges only the commit being made")
    found = locate_root(root)
    try:
        if staged:
            from arrears.git.staged import staged as staged_audit

            problems = staged_audit(found)
        else:
            problems = auditing.audit(found, since)
    except GitError as error:
        raise click.UsageError(str(error)) from None
    problems = sorted(problems, key=lambda p: (not p.is_error, p.path, p.line, p.column, p.code))  # errors first
    click.echo(FORMATTERS[output_format](problems), nl=False)
    if output_format == "text":
        scope = "the staged changes" if staged else f"commits after {since}" if since else "the whole history"
        click.echo(f"audited {scope}: {summary(problems)}", err=True)
    sys.exit(1 if has_errors(problems, strict) else 0)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--no-git", is_flag=True, help="Do not run `git init` or make the first commit.")
def init(directory: Path, no_git: bool) -> None:
    """Set up a records repository in DIRECTORY: settings, an example case, CI, Git.

    Writes a commented arrears.toml, cases/ with one example case, .gitignore,
    a Makefile and a GitHub workflow that runs check and audit on pull
    requests; then `git init` and a first commit when DIRECTORY is not yet in
    a Git repository. Existing files are never overwritten: they are skipped
    and listed.
    """
    from arrears.git.init import scaffold

    try:
        report = scaffold(directory, git=not no_git)
    except (GitError, OSError) as error:
        raise click.UsageError(str(error)) from None
    for path in report.written:
        click.echo(f"  wrote   {path}")
    for path in report.skipped:
        click.echo(f"  skipped {path} (already there: left as it is)")
    for line in report.git:
        click.echo(f"  git     {line}")
    go = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(f"arrears: records repository ready in {directory}. Next: {go}arrears check", err=True)
