"""The `arrears` group loads each command's module only when that command is run or listed.

`arrears build` must not pay for importing `export`, `audit` or `new`; `--help`, each
command's help and Click's usual errors stay as they were with every module imported up front.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from arrears.cli.app import COMMANDS, main

EVERY_COMMAND = ["agenda", "audit", "build", "build-server", "check", "due", "export", "import", "init", "insight",
                 "new", "remind", "serve", "show", "statement"]
NEW_SUBCOMMANDS = ["case", "note", "plan"]


SECTIONS = {"Start": ["init", "new", "import"], "Every day": ["agenda", "remind", "show", "statement"],
            "Money": ["due", "export", "insight"], "Publish": ["build", "serve", "build-server"],
            "Trust": ["check", "audit"]}


def listed(output: str) -> list[tuple[str, str, str]]:
    """The (section, name, short help) rows of a help page's command sections, wrapped lines joined."""
    rows: list[list[str]] = []
    section = None
    for line in output.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            section = line[:-1] if line[:-1] in SECTIONS or line == "Other:" else None
        elif section and line.startswith("  ") and not line.startswith("   ") and line.strip():
            name, _, short = line.strip().partition(" ")
            rows.append([section, name, short.strip()])
        elif section and line.strip() and rows:
            rows[-1][2] += " " + line.strip()
    return [tuple(row) for row in rows]


def test_help_groups_the_commands_by_the_days_work_with_their_whole_short_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    rows = listed(result.output)
    assert [(section, name) for section, name, _ in rows] == [
        (section, name) for section, names in SECTIONS.items() for name in names]
    assert sorted(name for _, name, _ in rows) == EVERY_COMMAND
    ctx = click.Context(main)
    for _, name, short in rows:
        full = main.get_command(ctx, name).get_short_help_str(limit=10_000)
        assert short and " ".join(full.split()) == short.replace("- ", "-"), name  # never cut off
    assert "New here? Start with:" in result.output and "arrears init" in result.output


def test_no_arguments_show_the_same_help_as_help():
    with_help = CliRunner().invoke(main, ["--help"])
    bare = CliRunner().invoke(main, [])
    assert bare.exit_code == 2  # Click: a group run without a command shows its help, usage status
    assert listed(bare.output) == listed(with_help.output)


def test_the_lazy_map_names_each_command_by_its_own_name():
    ctx = click.Context(main)
    assert sorted([*COMMANDS, "check"]) == EVERY_COMMAND
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name


@pytest.mark.parametrize("name", EVERY_COMMAND)
def test_each_command_help_works(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {name} ")
    assert "-h, --help" in result.output


@pytest.mark.parametrize("name", NEW_SUBCOMMANDS)
def test_new_subcommands_help_works(name):
    result = CliRunner().invoke(main, ["new", name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main new {name} ")


def test_an_unknown_command_is_clicks_usage_error():
    result = CliRunner().invoke(main, ["bogus"])
    assert result.exit_code == 2
    assert "Usage: main [OPTIONS] COMMAND [ARGS]..." in result.output
    assert "Try 'main --help' for help." in result.output
    assert "Error: No such command 'bogus'." in result.output


@pytest.mark.parametrize("typo", ["buil", "exprot", "chek", "nwe", "bogus"])
def test_a_typo_is_answered_as_an_eager_group_answers_it(typo):
    """Click's "Did you mean ...?" looks at the loaded commands: the lazy group loads them all first."""
    ctx = click.Context(main)
    eager = click.Group("main", commands={name: main.get_command(ctx, name) for name in EVERY_COMMAND})
    lazy_result = CliRunner().invoke(main, [typo])
    eager_result = CliRunner().invoke(eager, [typo])
    assert lazy_result.exit_code == eager_result.exit_code == 2
    assert lazy_result.output == eager_result.output


BUILD_ONLY = """
import json, sys
import arrears.cli
after_import = sorted(m for m in sys.modules if m.startswith("arrears"))
try:
    arrears.cli.main(["build", "--help"], prog_name="arrears", standalone_mode=False)
finally:
    sys.stdout.flush()
print(json.dumps({"after_import": after_import,
                  "after_build": sorted(m for m in sys.modules if m.startswith("arrears"))}))
"""


def test_resolving_build_imports_no_other_commands_module():
    """Fails with the old cli.py, which imported every cli_* module to register its commands."""
    done = subprocess.run([sys.executable, "-c", BUILD_ONLY], capture_output=True, text=True, check=True)
    help_text, _, last = done.stdout.rstrip("\n").rpartition("\n")
    modules = json.loads(last)
    assert help_text.startswith("Usage: arrears build ")
    assert not any(name.startswith("arrears.cli.") and name != "arrears.cli.app" for name in modules["after_import"])
    assert "arrears.records.model" not in modules["after_import"]  # cli.py's helpers import what they use
    assert "arrears.cli.site" in modules["after_build"]
    for other in ("arrears.cli.export", "arrears.views.export", "arrears.cli.new", "arrears.cli.audit",
                  "arrears.git.audit", "arrears.cli.due", "arrears.cli.actions", "arrears.views.statement"):
        assert other not in modules["after_build"], other
