"""The `arrears` command line: each command parses options, calls one function, prints.

Shared options (`--root`, `--as-of`, `--format`) are defined once here.
Exit status everywhere: 0 fine, 1 the records have errors, 2 wrong usage.
"""

from __future__ import annotations

import importlib
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import click

from arrears import __version__

if TYPE_CHECKING:
    from arrears.pipeline import Checked, Verdict
    from arrears.records.model import Portfolio, Settings

# The records, the ledger and the rest are imported by the functions that use them, and each
# command's module only when that command runs (LazyGroup below): `arrears build` should not
# pay for importing `export`, `audit` or `new`.


class DateType(click.ParamType):
    """A calendar date written YYYY-MM-DD."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a date: write YYYY-MM-DD", param, ctx)


DATE = DateType()

root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
    help="The records repository. Default: $ARREARS_ROOT, else the nearest folder at or above "
         "here that holds arrears.toml or cases/.")
as_of_option = click.option(
    "--as-of", type=DATE, default=None, metavar="DATE",
    help="Compute as of this date (YYYY-MM-DD): later events are ignored. Default: today in "
         "arrears.toml's timezone.")


at_option = click.option(
    "--at", default=None, metavar="REV",
    help="Read the records as committed at this Git revision (a commit, branch, tag or HEAD~3), "
         "never the working tree. Combine with --as-of to see the figures as they stood then.")


def format_option(*choices: str, default: str | None = None):
    return click.option("--format", "output_format", type=click.Choice(choices), default=default or choices[0],
                        show_default=True, help="Output format.")


def locate_root(root: Path | None) -> Path:
    """The records repository to work on; none found is a usage error (exit 2)."""
    from arrears.records.root import RootNotFound, find_root

    try:
        return find_root(root)
    except RootNotFound as error:
        raise click.UsageError(str(error)) from None


def open_portfolio(root: Path | None, at: str | None = None) -> Portfolio:
    """Find and load the records (as committed at `at`, with --at); a missing repository is a usage error."""
    found = locate_root(root)
    if at is None:
        from arrears.records.load import load

        return load(found)
    from arrears.records.gittree import load_at
    from arrears.git.history import GitError

    try:
        return load_at(found, at)
    except GitError as error:
        raise click.UsageError(str(error)) from None


def resolve_as_of(as_of: date | None, records: Portfolio | Settings) -> date:
    """`--as-of`, else today in the records' time zone."""
    if as_of is not None:
        return as_of
    from arrears import clock
    from arrears.records.model import Portfolio

    settings = records.settings if isinstance(records, Portfolio) else records
    try:
        return clock.today(settings)
    except ValueError:
        raise click.UsageError("ARREARS_TODAY must be a date written YYYY-MM-DD") from None


def load_checked(root: Path | None, as_of: date | None, at: str | None = None) -> tuple[Checked, date]:
    """Find, load and check the records (see `pipeline`): (the accepted cases and the verdict, as of).

    Repository-wide errors stop here (exit 1); cases with errors are left out, for `finish`.
    """
    from arrears import pipeline

    portfolio = open_portfolio(root, at)
    day = resolve_as_of(as_of, portfolio)
    found = pipeline.checked(portfolio, day)
    stop_if_fatal(found.verdict)
    return found, day


def stop_if_fatal(verdict: Verdict) -> None:
    """Errors outside every case folder (arrears.toml, cases/) stop everything: print them, exit 1."""
    if verdict.fatal:
        from arrears.problems import FORMATTERS, summary

        errors = [p for p in verdict.problems if p.is_error]
        click.echo(FORMATTERS["text"](errors), err=True, nl=False)
        click.echo(f"arrears: the records have {summary(errors)}; fix them first (arrears check).", err=True)
        sys.exit(1)


def refuse_unknown(found: Checked, case_ids: Iterable[str]) -> None:
    """One wording for a case that is not there, everywhere, with the closest name (exit 2)."""
    known = set(found.loaded) | set(found.verdict.excluded)
    unknown = sorted(set(case_ids) - known)
    if unknown:
        raise click.UsageError(no_such_case(unknown, known))


def no_such_case(unknown: Sequence[str], known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(unknown[0], sorted(known), n=1, cutoff=0.6) if len(unknown) == 1 else []
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"no such case: {', '.join(unknown)} (cases are the folders under cases/){hint}"


def refuse_excluded(verdict: Verdict, case_id: str) -> None:
    """A command on one case that `check` rejects refuses with that case's problems (exit 1)."""
    problems = verdict.excluded.get(case_id)
    if problems:
        from arrears.problems import FORMATTERS, summary

        click.echo(FORMATTERS["text"](problems), err=True, nl=False)
        click.echo(f"arrears: case {case_id} has {summary(list(problems))}: nothing is computed from it "
                   "until they are fixed (arrears check).", err=True)
        sys.exit(1)


def finish(verdict: Verdict) -> None:
    """After the output for the accepted cases: list the excluded ones on stderr and exit 1 if any.

    One broken note leaves every other case's figures shown, yet CI still fails.
    """
    excluded = verdict.excluded
    if not excluded:
        return
    from arrears import words
    from arrears.problems import FORMATTERS

    click.echo(FORMATTERS["text"](p for problems in excluded.values() for p in problems if p.is_error),
               err=True, nl=False)
    click.echo(f"arrears: {words.count(len(excluded), 'case')} left out for errors ({', '.join(excluded)}); "
               "the others are shown. Fix them: arrears check.", err=True)
    sys.exit(1)


class LazyGroup(click.Group):
    """A group whose subcommands live in other modules, imported only when one is run or listed.

    `lazy` maps a command's name to "module:attribute".
    `arrears build` imports cli_site alone; `arrears --help` imports every command's module, to
    show each one's short help exactly as Click derives it from the docstring.
    """

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.lazy and args[0] not in self.commands:
            # No such command: Click suggests the close names ("Did you mean 'build'?") from
            # self.commands, so load them all first, as the eager group had.
            for name in self.lazy:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands grouped by the day's work (`SECTIONS`), each with its whole short help, wrapped."""
        names = self.list_commands(ctx)
        placed = {name for _, group in SECTIONS for name in group}
        sections = [*SECTIONS, ("Other", tuple(n for n in names if n not in placed))]
        for title, group in sections:
            rows = []
            for name in group:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit=10_000)))
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong entry in the map
            raise TypeError(f"{self.lazy[cmd_name]} is not a Click command")
        return command


COMMANDS = {
    "new": "arrears.cli.new:new",  # new case|note|plan
    "audit": "arrears.cli.audit:audit",  # Git: the audit trail and new repositories
    "init": "arrears.cli.audit:init",
    "due": "arrears.cli.due:due",  # what is due, and a statement of account
    "show": "arrears.cli.due:show",
    "statement": "arrears.cli.statement:statement",  # a statement of account to print, or as a PDF
    "insight": "arrears.cli.insight:insight",  # KPIs, trends and the 13-week forecast
    "agenda": "arrears.cli.actions:agenda",  # today's actions and reminder drafts
    "remind": "arrears.cli.actions:remind",
    "build": "arrears.cli.site:build",  # the static site and its live preview
    "serve": "arrears.cli.site:serve",
    "build-server": "arrears.cli.site:build_server",
    "export": "arrears.cli.export:export",  # the books for hledger, beancount, CSV, JSON
    "import": "arrears.cli.importing:import_",  # invoices and payments in from Xero, QuickBooks, FreeAgent, any CSV
}
"""Commands defined in their own modules, loaded on demand; `check` is defined below."""

SECTIONS = (
    ("Start", ("init", "new", "import")),
    ("Every day", ("agenda", "remind", "show", "statement")),
    ("Money", ("due", "export", "insight")),
    ("Publish", ("build", "serve", "build-server")),
    ("Trust", ("check", "audit")),
)
"""How `arrears --help` groups the commands: in the order of a credit controller's work."""


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="arrears")
def main() -> None:
    """Plain-text case files for chasing unpaid invoices, kindly.

    Each debtor is a folder under cases/ with case.md, notes/ and plans/.

    \b
    New here? Start with:
      arrears init books && cd books    a records repository, with an example case
      arrears new case acme --name "Acme Ltd" --kind business --email a@acme.example
      arrears agenda                    what to do today; then arrears remind CASE
    The records format is in docs/records.md; every command has --help.
    """


@main.command()
@root_option
@format_option("text", "json", "github")
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@as_of_option
def check(root: Path | None, output_format: str, strict: bool, as_of: date | None) -> None:
    """Validate every record and report all problems at once.

    \b
    What it checks:
      - each file: UTF-8, the '---' fences, YAML front matter without
        anchors, aliases, tags or duplicate keys
      - each key and value against the records contract: required and
        unknown keys (with a did-you-mean), dates, money in the currency's
        minor units, the allowed words for kind, channel, status ...
      - across records: unique invoice refs, references that name something
        (applies_to, corrects, supersedes), plan shapes, contact rules
      - arrears.toml
    Warnings flag what is probably a slip: a note dated after today, a newer
    plan that does not say what it supersedes, a promise on a closed case.

    \b
    Output: one line per problem, path relative to the root, so an editor
    can jump there:
      path:line:col: severity: message [code]
    --format json gives a list of objects with path, line, column, severity,
    code and message; --format github gives annotations for a pull request.
    A one-line summary goes to stderr. --as-of sets the "today" that dates
    are judged by.

    \b
    Exit status: 0 no errors (warnings allowed), 1 errors (or warnings
    with --strict), 2 wrong usage (no records repository, bad option).

    \b
    Example:
      $ arrears check
      cases/acme/notes/2026-03-02-call.md:3:7: error: kind: 'cal' is not
      one of call, email, ... (did you mean 'call'?) [bad-value]
      checked 4 cases, 31 notes, 2 plans: 1 error, 0 warnings
    """
    from arrears import pipeline, words
    from arrears.records.load import load_settings
    from arrears.problems import FORMATTERS, has_errors, summary

    found = locate_root(root)
    done = pipeline.summaries(found, resolve_as_of(as_of, load_settings(found)), compute=False)
    problems = list(done.verdict.problems)
    click.echo(FORMATTERS[output_format](problems), nl=False)
    click.echo(f"checked {words.count(done.cases, 'case')}, {words.count(done.notes, 'note')}, "
               f"{words.count(done.plans, 'plan')}: {summary(problems)}", err=True)
    sys.exit(1 if has_errors(problems, strict) else 0)


def internal_error(error: Exception) -> str:
    """How a crash (a bug) is said to the user, by `arrears` and by the build server alike."""
    return f"arrears: internal error: {error!r}. Please report it; ARREARS_DEBUG=1 shows details."


def run() -> None:
    """Entry point that turns an unexpected crash into a short message (ARREARS_DEBUG=1 shows it all)."""
    try:
        main(standalone_mode=True)
    except Exception as error:  # pragma: no cover - a bug, reported politely
        if os.environ.get("ARREARS_DEBUG"):
            raise
        click.echo(internal_error(error), err=True)
        sys.exit(70)
