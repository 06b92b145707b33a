"""`arrears check` as a user meets it: output formats, positions, exit codes, finding the root."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from arrears.cli.app import main

TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
                       r"(?P<message>.+) \[(?P<code>[a-z0-9-]+)\]$")


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch):
    monkeypatch.delenv("ARREARS_ROOT", raising=False)
    monkeypatch.delenv("ARREARS_TODAY", raising=False)


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, ["check", *args], **kwargs)


@pytest.fixture
def clean(records):
    records.case("acme")
    records.note("acme", "2026-02-01-invoice", "date: 2026-02-01\nkind: invoice\nref: INV-1\namount: 100\n"
                                               "due: 2026-03-01\n")
    records.plan("acme", "2026-03-10-plan", "agreed: 2026-03-10\nschedule: {start: 2026-04-01, every: month, count: 2}\n")
    return records


@pytest.fixture
def broken(clean):
    clean.note("acme", "bad", "date: 2026-03-02\nkind: payment\nmethod: card\namount: 12.345\n")
    clean.case("b-ltd", front="debtor: {name: B, kind: company}\nopened: 2026-01-15\n")
    clean.note("acme", "later", "date: 2026-07-01\nkind: call\n")
    return clean


@pytest.fixture
def warnings_only(clean):
    clean.note("acme", "later", "date: 2026-07-01\nkind: call\n")
    return clean


def test_clean_records_exit_0_with_a_summary_on_stderr(clean):
    result = run("--root", str(clean.root), "--as-of", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "checked 1 case, 1 note, 1 plan: 0 errors, 0 warnings\n"


def test_errors_exit_1_and_each_line_is_path_line_col_severity_message_code(broken):
    result = run("--root", str(broken.root), "--as-of", "2026-06-01")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "cases/acme/notes/bad.md:5:9: error: amount: 12.345 has 3 decimal places but GBP has 2 [minor-units]",
        "cases/acme/notes/later.md:2:7: warning: dated 2026-07-01, after today (2026-06-01): typo, or not yet "
        "happened? [future-date]",
        "cases/b-ltd/case.md:2:25: error: kind: 'company' is not one of business, individual [bad-value]",
    ]
    assert all(TEXT_LINE.match(line) for line in lines)
    assert result.stderr.strip().endswith(": 2 errors, 1 warning")
    assert "\n" not in result.stderr.strip()


def test_warnings_alone_pass_unless_strict(warnings_only):
    relaxed = run("--root", str(warnings_only.root), "--as-of", "2026-06-01")
    strict = run("--root", str(warnings_only.root), "--as-of", "2026-06-01", "--strict")
    assert (relaxed.exit_code, strict.exit_code) == (0, 1)
    assert relaxed.stdout == strict.stdout
    assert [TEXT_LINE.match(line)["code"] for line in relaxed.stdout.splitlines()] == ["future-date"]


def test_as_of_decides_what_is_in_the_future(warnings_only, monkeypatch):
    assert run("--root", str(warnings_only.root), "--as-of", "2026-07-01", "--strict").exit_code == 0
    monkeypatch.setenv("ARREARS_TODAY", "2026-06-30")
    assert run("--root", str(warnings_only.root), "--strict").exit_code == 1
    monkeypatch.setenv("ARREARS_TODAY", "2026-07-02")
    assert run("--root", str(warnings_only.root), "--strict").exit_code == 0


def test_json_is_a_list_of_problem_objects(broken):
    result = run("--root", str(broken.root), "--as-of", "2026-06-01", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert isinstance(problems, list) and len(problems) == 3
    for problem in problems:
        assert set(problem) == {"path", "line", "column", "severity", "code", "message"}
        assert isinstance(problem["line"], int) and isinstance(problem["column"], int)
    assert problems[0] == {
        "path": "cases/acme/notes/bad.md", "line": 5, "column": 9, "severity": "error", "code": "minor-units",
        "message": "amount: 12.345 has 3 decimal places but GBP has 2",
    }
    assert [p["severity"] for p in problems] == ["error", "warning", "error"]


def test_json_for_clean_records_is_an_empty_list(clean):
    result = run("--root", str(clean.root), "--as-of", "2026-06-01", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    assert result.stderr == "checked 1 case, 1 note, 1 plan: 0 errors, 0 warnings\n"


def test_github_format_gives_workflow_annotations(broken):
    result = run("--root", str(broken.root), "--as-of", "2026-06-01", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ("::error file=cases/acme/notes/bad.md,line=5,col=9,title=minor-units::"
                        "amount: 12.345 has 3 decimal places but GBP has 2")
    assert lines[1].startswith("::warning file=cases/acme/notes/later.md,line=2,col=7,title=future-date::")
    assert lines[2].startswith("::error file=cases/b-ltd/case.md,line=2,col=25,title=bad-value::")
    assert len(lines) == 3


def test_paths_are_relative_to_the_root_with_forward_slashes(records):
    records.case("acme")
    records.plan("acme", "p", "agreed: 2026-13-01\nschedule: {start: 2026-04-01, every: month, count: 2}\n")
    records.write("arrears.toml", 'timezone = "Mars/Olympus"\n')
    result = run("--root", str(records.root), "--as-of", "2026-06-01", "--format", "json")
    paths = [p["path"] for p in json.loads(result.stdout)]
    assert paths == ["arrears.toml", "cases/acme/plans/p.md"]
    assert str(records.root) not in result.stdout


def test_root_from_the_environment_and_from_the_working_directory(broken, monkeypatch):
    monkeypatch.setenv("ARREARS_ROOT", str(broken.root))
    assert run("--as-of", "2026-06-01").exit_code == 1
    monkeypatch.delenv("ARREARS_ROOT")
    monkeypatch.chdir(broken.root / "cases" / "acme" / "notes")
    from_inside = run("--as-of", "2026-06-01")
    assert from_inside.exit_code == 1
    assert from_inside.stdout.startswith("cases/acme/notes/bad.md:5:9: error:")


def test_wrong_format_is_a_usage_error(clean):
    result = run("--root", str(clean.root), "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr and result.stdout == ""


def test_bad_as_of_is_a_usage_error(clean):
    result = run("--root", str(clean.root), "--as-of", "2026-02-30")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_missing_root_folder_is_a_usage_error(tmp_path):
    result = run("--root", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stdout == ""


def test_no_repository_found_is_a_usage_error_that_says_what_to_do(tmp_path, monkeypatch):
    start = tmp_path / "empty"
    start.mkdir()
    if any((f / "cases").is_dir() or (f / "arrears.toml").is_file() for f in start.resolve().parents):
        pytest.skip("a records repository above the temp folder")
    monkeypatch.chdir(start)
    result = run()
    assert result.exit_code == 2
    assert "--root" in result.stderr and "ARREARS_ROOT" in result.stderr
    assert "Traceback" not in result.output



def test_help_teaches_what_is_checked_the_format_and_exit_codes():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for phrase in ("path:line:col: severity: message [code]", "Exit status", "0", "1", "2", "--strict",
                   "--format json", "Example", "arrears check"):
        assert phrase in text, phrase
