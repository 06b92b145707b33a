"""arrears init: a new records repository that passes check --strict and audit, never overwriting anything."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from arrears.git.audit import audit
from arrears.cli.app import main
from arrears.git.init import TEMPLATES, files
from gitrepo import GitRepo, isolate_git

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _git(monkeypatch):
    isolate_git(monkeypatch)
    monkeypatch.setenv("ARREARS_TODAY", "2026-06-01")


def init(*args: str):
    return CliRunner().invoke(main, ["init", *args])


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_init_writes_the_scaffold_and_makes_the_first_commit(tmp_path):
    target = tmp_path / "books"
    result = init(str(target))
    assert result.exit_code == 0, result.output
    expected = sorted(relative for relative, _ in files())
    assert {".gitignore", "Makefile", "arrears.toml", ".github/workflows/records.yml",
            "cases/example-bakery/case.md"} <= set(expected)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(target).parts[:1]) == expected
    assert "initialised a Git repository" in result.output
    assert git(target, "log", "--format=%s").splitlines() == ["Records repository, set up by arrears init"]
    assert git(target, "status", "--porcelain") == ""
    assert sorted(git(target, "ls-files").splitlines()) == expected


def test_the_example_passes_check_strict_and_audit(tmp_path):
    target = tmp_path / "books"
    assert init(str(target)).exit_code == 0
    checked = CliRunner().invoke(main, ["check", "--strict", "--root", str(target)])
    assert checked.exit_code == 0, checked.output
    assert "1 case, 3 notes, 1 plan: 0 errors, 0 warnings" in checked.stderr
    assert audit(target) == []  # imported in the root commit: not backdated


def test_init_never_overwrites(tmp_path):
    target = tmp_path / "books"
    (target / "cases/acme").mkdir(parents=True)
    (target / "arrears.toml").write_text('name = "Mine"\n')
    (target / "Makefile").write_text("all:\n\techo mine\n")
    result = init(str(target))
    assert result.exit_code == 0, result.output
    assert (target / "arrears.toml").read_text() == 'name = "Mine"\n'
    assert (target / "Makefile").read_text() == "all:\n\techo mine\n"
    assert "skipped arrears.toml (already there" in result.output
    assert "skipped Makefile (already there" in result.output
    assert not (target / "cases/example-bakery").exists()  # there are cases already: no example
    assert "wrote   .gitignore" in result.output
    assert "arrears.toml" not in git(target, "ls-files").split()  # the user's file is not committed for them
    again = init(str(target))
    assert "wrote" not in again.output
    assert "already a Git repository: nothing committed" in again.output


def test_init_inside_an_existing_repository_commits_nothing(tmp_path):
    repo = GitRepo(tmp_path / "monorepo")
    repo.write("README", "hello\n")
    first = repo.commit()
    result = init(str(repo.root / "records"))
    assert result.exit_code == 0
    assert repo.head() == first
    assert (repo.root / "records/arrears.toml").is_file()
    assert not (repo.root / "records/.git").exists()


def test_no_git_option(tmp_path):
    result = init(str(tmp_path / "books"), "--no-git")
    assert result.exit_code == 0
    assert not (tmp_path / "books/.git").exists()


def test_ci_workflow_checks_and_audits_pull_requests():
    workflow = yaml.safe_load((TEMPLATES / "dot-github/workflows/records.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert steps[0]["with"]["fetch-depth"] == 0  # the audit needs the whole history
    assert any('pip install "arrears @ git+${ARREARS_REPOSITORY}@${ARREARS_REVISION}"' in run for run in runs)
    assert any("arrears check --strict" in run for run in runs)
    assert any('arrears audit --since "origin/${GITHUB_BASE_REF}"' in run for run in runs)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true


def test_makefile_gitignore_and_pre_commit_hooks():
    makefile = (TEMPLATES / "Makefile").read_text()
    for target in ("build:", "check:", "serve:"):
        assert target in makefile
    assert "arrears check --strict" in makefile
    ignored = (TEMPLATES / "dot-gitignore").read_text().split()
    assert "/site/" in ignored and "/.arrears-cache/" in ignored
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["arrears-check"]["entry"] == "arrears check --strict"
    assert hooks["arrears-audit"]["entry"] == "arrears audit --staged"
    assert all(hook["pass_filenames"] is False for hook in hooks.values())
