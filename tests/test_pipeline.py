"""The one rule of `pipeline`: a case with errors is left out and listed (exit 1); every other case is computed.

Two cases: `acme` is broken (a typo in a note, or a plan `check` rejects),
`bolt` is fine. Every command must keep working for `bolt`, never compute,
draft or publish anything from `acme`, name acme's problems with
path:line:col on stderr, and exit 1 so CI still fails.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.pipeline import case_of, load_checked, verdict
from arrears.problems import Problem

from ledger_helpers import invoice

AS_OF = "2026-06-01"
BOLT = """
    debtor:
      name: Bolt Joinery Ltd
      kind: business
      contacts:
        - {channel: email, value: pay@bolt.example, preferred: true}
    opened: 2026-01-10
"""


def run(records, *args: str):
    return CliRunner().invoke(main, [args[0], "--root", str(records.root), *args[1:]])


def _portfolio(records, broken: str) -> str:
    """acme (broken as asked) and bolt (fine), each owing an invoice; the path of acme's bad record."""
    records.case("acme")
    invoice(records, "i1", "2026-01-20", "INV-1", "1000.00", "2026-02-19")
    records.case("bolt", BOLT)
    invoice(records, "i1", "2026-02-01", "B-1", "250.00", "2026-03-03", case_id="bolt")
    if broken == "typo":
        records.note("acme", "2026-03-02-call", "date: 2026-03-02\nkind: cal\n")
        return "cases/acme/notes/2026-03-02-call.md"
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        amount: 5000.00
        schedule: {start: 2026-04-01, every: month, count: 3}
    """)
    return "cases/acme/plans/plan.md"


BROKEN = pytest.mark.parametrize("broken", ["typo", "plan-exceeds-balance"])


def _listed(result, path: str) -> None:
    assert result.exit_code == 1, result.output
    assert re.search(rf"^{re.escape(path)}:\d+:\d+: error: ", result.stderr, re.M), result.stderr
    assert "1 case left out for errors (acme)" in result.stderr


@BROKEN
def test_due_shows_the_other_cases_and_exits_1(records, broken):
    path = _portfolio(records, broken)
    for output_format in ("table", "json", "csv"):
        result = run(records, "due", "--as-of", AS_OF, "--format", output_format)
        _listed(result, path)
        assert "Bolt Joinery" in result.stdout or "bolt" in result.stdout
        assert "acme" not in result.stdout.lower()
    figures = json.loads(run(records, "due", "--as-of", AS_OF, "--format", "json").stdout)
    assert [case["case"] for case in figures["cases"]] == ["bolt"]


@BROKEN
def test_due_at_a_commit_follows_the_same_rule(records, broken, isolated_git):
    from gitrepo import GitRepo

    path = _portfolio(records, broken)
    GitRepo(records.root).commit("records")
    result = run(records, "due", "--as-of", AS_OF, "--at", "HEAD", "--format", "csv")
    _listed(result, path)
    assert "bolt" in result.stdout and "acme" not in result.stdout


@BROKEN
def test_agenda_lists_the_other_cases_and_exits_1(records, broken):
    path = _portfolio(records, broken)
    result = run(records, "agenda", "--as-of", AS_OF, "--format", "json")
    _listed(result, path)
    cases = {item["case"] for item in json.loads(result.stdout)["items"]}
    assert cases == {"bolt"}


@BROKEN
def test_show_and_remind_refuse_the_rejected_case_with_its_problems(records, broken):
    path = _portfolio(records, broken)
    for command in (("show", "acme"), ("remind", "acme")):
        result = run(records, command[0], "--as-of", AS_OF, command[1])
        assert result.exit_code == 1, result.output
        assert result.stdout == "", "nothing is drafted or shown from a rejected case"
        assert re.search(rf"^{re.escape(path)}:\d+:\d+: error: ", result.stderr, re.M)
        assert "case acme has 1 error" in result.stderr
    assert not list((records.root / "cases/acme/notes").glob("*reminder*"))


@BROKEN
def test_show_and_remind_still_work_for_the_others(records, broken):
    path = _portfolio(records, broken)
    shown = run(records, "show", "--as-of", AS_OF, "bolt")
    _listed(shown, path)
    assert "Bolt Joinery Ltd" in shown.stdout
    drafted = run(records, "remind", "--as-of", AS_OF, "bolt")
    _listed(drafted, path)
    assert "250.00" in drafted.stdout


@BROKEN
def test_export_writes_the_books_of_the_others(records, broken):
    path = _portfolio(records, broken)
    result = run(records, "export", "--as-of", AS_OF, "--format", "hledger")
    _listed(result, path)
    assert "Bolt-joinery" in result.stdout or "bolt" in result.stdout.lower()
    assert "acme" not in result.stdout.lower()


@BROKEN
def test_build_publishes_the_others_and_nothing_from_the_rejected_case(records, broken):
    path = _portfolio(records, broken)
    result = run(records, "build", "--as-of", AS_OF)
    _listed(result, path)
    site = records.root / "site"
    assert (site / "cases/bolt/index.html").is_file()
    assert not (site / "cases/acme").exists()
    for name in ("due.json", "due.csv"):
        assert "acme" not in (site / name).read_text(encoding="utf-8")
    for name in ("index.html", "agenda.html"):
        page = (site / name).read_text(encoding="utf-8")
        assert "1 case left out" in page and path in page
        assert 'href="cases/acme/' not in page


def test_check_still_reports_everything(records):
    path = _portfolio(records, "typo")
    result = run(records, "check", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(path)}:\d+:\d+: error: ", result.stdout, re.M)
    assert result.stderr == "checked 2 cases, 2 notes, 0 plans: 1 error, 0 warnings\n"  # the bad note did not parse


def test_repository_wide_errors_stop_every_command(records):
    _portfolio(records, "typo")
    records.write("arrears.toml", 'currency = "XXX"\n')
    for command in ("due", "agenda", "export"):
        result = run(records, command, "--as-of", AS_OF)
        assert result.exit_code == 1 and result.stdout == "", (command, result.output)
        assert "arrears.toml" in result.stderr


def test_clean_records_exit_0_and_say_nothing_more(records):
    records.case("bolt", BOLT)
    invoice(records, "i1", "2026-02-01", "B-1", "250.00", "2026-03-03", case_id="bolt")
    for command in ("due", "agenda", "export", "build"):
        result = run(records, command, "--as-of", AS_OF)
        assert result.exit_code == 0, (command, result.output)
        assert "left out" not in result.stderr


def test_the_verdict_sorts_problems_by_case_and_keeps_warnings_with_their_case():
    found = verdict([
        Problem("cases/b/notes/x.md", 2, 1, "warning", "future-date", "later"),
        Problem("cases/a/case.md", 1, 1, "error", "bad-value", "wrong"),
        Problem("cases/a/notes/y.md", 3, 1, "warning", "future-date", "later"),
        Problem("cases/c", 1, 1, "error", "missing-case-file", "no case.md"),
        Problem("cases/stray.txt", 1, 1, "warning", "stray-file", "ignored"),
    ])
    assert not found.fatal
    assert list(found.excluded) == ["a", "c"]
    assert [p.path for p in found.excluded["a"]] == ["cases/a/case.md", "cases/a/notes/y.md"]
    assert found.accepts("b") and not found.accepts("a")
    assert case_of(Problem("arrears.toml", 1, 1, "error", "x", "y")) is None
    assert verdict([Problem("arrears.toml", 1, 1, "error", "x", "y")]).fatal


@BROKEN
def test_load_checked_keeps_only_the_accepted_cases(records, broken):
    _portfolio(records, broken)
    from datetime import date

    found = load_checked(records.root, date.fromisoformat(AS_OF))
    assert [case.id for case in found.portfolio.cases] == ["bolt"]
    assert list(found.verdict.excluded) == ["acme"]


def test_the_dashboards_worklist_is_the_agenda_on_the_demo(tmp_path):
    """Same items, order, amounts and count (the worklist used to rank by rules of its own)."""
    from html import unescape
    from pathlib import Path

    from arrears.money import display

    demo = Path(__file__).resolve().parents[1]
    out = tmp_path / "site"
    built = CliRunner().invoke(main, ["build", "--root", str(demo), "--as-of", "2026-05-01", "--out", str(out)])
    assert built.exit_code == 0, built.output
    agenda = json.loads(CliRunner().invoke(main, ["agenda", "--root", str(demo), "--as-of", "2026-05-01",
                                                  "--format", "json"]).stdout)["items"]
    assert agenda, "the demo has actions"
    page = (out / "index.html").read_text(encoding="utf-8")
    worklist = page.split('id="worklist-title"', 1)[1].split("</section>", 1)[0]
    tasks = re.findall(r'<a href="cases/([^/]+)/index.html">.*?<span class="num">([^<]*)</span>', worklist, re.S)
    assert [case for case, _ in tasks] == [item["case"] for item in agenda[:12]]
    from decimal import Decimal

    assert [unescape(amount) for _, amount in tasks] == [
        display(Decimal(item["amount"] if item["amount"] is not None else item["balance"]), item["currency"])
        for item in agenda[:12]]
    count = len(agenda)
    assert f"{count} needing attention" in page


def _new_plan(records, *args: str):
    return CliRunner().invoke(main, ["new", "plan", "--root", str(records.root), *args])


def test_new_plan_is_refused_only_for_a_case_with_errors(records):
    path = _portfolio(records, "typo")
    refused = _new_plan(records, "acme", "--start", "2026-07-01", "--every", "month", "--count", "3", "--agreed", "2026-06-01",
                  "--yes")
    assert refused.exit_code == 1 and path in refused.stderr
    assert not (records.root / "cases/acme/plans").exists()
    made = _new_plan(records, "bolt", "--start", "2026-07-01", "--every", "month", "--count", "2", "--agreed", "2026-06-01",
               "--yes")
    assert made.exit_code == 0, made.output
    assert (records.root / "cases/bolt/plans/2026-06-01-plan.md").is_file()
