"""The README's sample output is the demo's: each `$ arrears ...` block, run on this repository, prints exactly that.

The demo pins `as_of` in arrears.toml, so the samples hold whatever today's date.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from arrears.cli.app import main

ROOT = Path(__file__).resolve().parents[1]


def samples() -> list[tuple[str, str]]:
    """(command, expected output) for each indented block that starts with `$ arrears`."""
    found, lines = [], (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("    $ arrears "):
            output = []
            for follow in lines[index + 1:]:
                if follow and not follow.startswith("    "):
                    break
                output.append(follow[4:])
            found.append((line[6:], "\n".join(output).strip("\n")))
    return found


def test_the_readme_samples_are_what_the_demo_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ARREARS_ROOT", raising=False)
    checked = samples()
    assert [command for command, _ in checked] == ["arrears check", "arrears agenda"]
    for command, expected in checked:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, result.output
        said = (result.stdout.rstrip("\n") + "\n" + result.stderr).strip("\n")
        assert said == expected, command
