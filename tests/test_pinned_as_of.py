"""`as_of` in arrears.toml pins the day reports are computed as of (a demo keeps its story); real records follow the clock."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from arrears.cli.app import main
from arrears.records.load import load
from arrears.records.settings import parse_settings
from arrears.site.incremental import build as full_build

DEMO = Path(__file__).resolve().parents[1]


def test_as_of_reads_a_toml_date_or_a_quoted_one_and_refuses_anything_else():
    assert parse_settings(b"as_of = 2026-11-24\n")[0].as_of == date(2026, 11, 24)
    assert parse_settings(b'as_of = "2026-11-24"\n')[0].as_of == date(2026, 11, 24)
    assert parse_settings(b"")[0].as_of is None
    for bad in (b"as_of = 2026-11-24T10:00:00\n", b'as_of = "soon"\n', b"as_of = 3\n"):
        settings, problems = parse_settings(bad)
        assert settings.as_of is None and [p.code for p in problems] == ["bad-value"]


def test_a_pinned_repository_computes_as_of_its_day_whatever_the_clock(records, monkeypatch):
    monkeypatch.setenv("ARREARS_TODAY", "2031-01-01")  # the clock, moved on years
    records.write("arrears.toml", 'name = "N"\nas_of = 2026-05-10\n')
    records.case("acme")
    records.note("acme", "2026-04-01-invoice", "date: 2026-04-01\nkind: invoice\nref: I-1\namount: 100\ndue: 2026-05-01")
    result = CliRunner().invoke(main, ["due", "--root", str(records.root), "--format", "json"])
    assert json.loads(result.stdout)["as_of"] == "2026-05-10"
    assert json.loads(result.stdout)["cases"][0]["days_past_due"] == 9
    again = CliRunner().invoke(main, ["due", "--root", str(records.root), "--as-of", "2026-06-01", "--format", "json"])
    assert json.loads(again.stdout)["as_of"] == "2026-06-01"  # --as-of still wins


def test_every_page_of_a_pinned_site_says_so(records, tmp_path):
    records.write("arrears.toml", 'name = "N"\nas_of = 2026-05-10\n')
    records.case("acme")
    full_build(records.root, date(2026, 5, 10), tmp_path / "pinned", full=True)
    full_build(records.root, date(2026, 5, 11), tmp_path / "other", full=True)
    for page in ("index.html", "agenda.html", "insight.html", "cases/acme/index.html"):
        assert "(pinned)" in (tmp_path / "pinned" / page).read_text(), page
        assert "(pinned)" not in (tmp_path / "other" / page).read_text(), page


def test_the_demo_is_pinned_to_the_day_its_story_was_written_for():
    settings = load(DEMO).settings
    assert settings.as_of == date(2026, 11, 24)
    result = CliRunner().invoke(main, ["due", "--root", str(DEMO), "--format", "json"])
    cases = {c["case"]: c for c in json.loads(result.stdout)["cases"]}
    assert cases["copperleaf-print"]["follow_up"] == "2026-11-24"  # "a follow-up due today"
    assert cases["mara-okafor"]["state"] == "plan-behind" and cases["kestrel-logistics"]["state"] == "in-plan"
