"""`arrears agenda`: today's actions in priority order, within the contact rules."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from arrears.actions import agenda as agendas
from arrears.cli.app import main
from arrears.ledger.compute import compute_portfolio
from arrears.records.load import load

TODAY = date(2026, 6, 15)
SETTINGS = 'name = "Northwind"\ntimezone = "Europe/London"\n[contact]\nquiet_days = 14\n'


def _case(records, case_id, extra="", contacts="- {channel: email, value: a@example.org, preferred: true}"):
    records.case(case_id, f"""
        debtor:
          name: {case_id.title()} Ltd
          kind: business
          contacts:
            {contacts}
        opened: 2026-01-10
        {extra}
    """)


def _invoice(records, case_id, amount="500", due="2026-05-01", ref="I-1"):
    records.note(case_id, f"inv-{ref}", f"date: 2026-02-01\nkind: invoice\nref: {ref}\namount: {amount}\ndue: {due}\n")


def _contact(records, case_id, day, note_id=None, extra=""):
    records.note(case_id, note_id or f"{day}-email", f"date: {day}\nkind: email\noutcome: sent\n{extra}")


def _portfolio(records):
    """One case per reason, plus the ones the agenda must not chase."""
    records.write("arrears.toml", SETTINGS)
    # 6: never contacted
    _case(records, "fresh")
    _invoice(records, "fresh", due="2026-06-30")
    # 5: overdue and quiet for 14+ days
    _case(records, "quiet")
    _invoice(records, "quiet")
    _contact(records, "quiet", "2026-06-01")
    # 4: a follow-up due
    _case(records, "follow")
    _invoice(records, "follow")
    _contact(records, "follow", "2026-06-10", extra="follow_up: 2026-06-14\n")
    # 3: a promise due today
    _case(records, "today")
    _invoice(records, "today")
    _contact(records, "today", "2026-06-12", extra="promise: {amount: 200, by: 2026-06-15}\n")
    # 2: a missed installment
    _case(records, "missed")
    _invoice(records, "missed", amount="600", due="2026-03-01")
    records.plan("missed", "plan", "agreed: 2026-03-10\nschedule: {start: 2026-04-01, every: month, count: 6}\n")
    records.note("missed", "pay", "date: 2026-04-01\nkind: payment\namount: 100\n")
    _contact(records, "missed", "2026-05-10")  # after the May installment was missed, before June's
    # 1: a broken promise
    _case(records, "broken")
    _invoice(records, "broken")
    _contact(records, "broken", "2026-06-01", extra="promise: {amount: 250, by: 2026-06-08}\n")
    # never listed / set apart
    _case(records, "paid-up")
    _invoice(records, "paid-up")
    records.note("paid-up", "pay", "date: 2026-05-02\nkind: payment\namount: 500\n")
    _case(records, "closed", "status: closed")
    _invoice(records, "closed")
    _case(records, "held", "status: on-hold")
    _invoice(records, "held")
    _case(records, "argued")
    _invoice(records, "argued")
    records.note("argued", "d", "date: 2026-05-05\nkind: dispute\nstate: open\nref: I-1\n")


def _build(records, as_of=TODAY, owner=None, now=None):
    portfolio = load(records.root)
    assert not [p for p in portfolio.problems if p.is_error], portfolio.problems
    now = now or agendas.start_of_day(as_of, portfolio.settings)
    return agendas.build(compute_portfolio(portfolio, as_of), portfolio.settings, now, owner)


def test_priority_order(records):
    _portfolio(records)
    agenda = _build(records)
    assert [(i.case.id, i.reason.code, i.priority) for i in agenda.items] == [
        ("broken", "broken-promise", 1),
        ("missed", "missed-installment", 2),
        ("today", "due-today", 3),
        ("follow", "follow-up", 4),
        ("quiet", "quiet", 5),
        ("fresh", "never-contacted", 6),
    ]


def test_set_apart_and_never_listed(records):
    _portfolio(records)
    agenda = _build(records)
    assert [(e.figures.case.id, e.figures.state) for e in agenda.set_apart] == [("argued", "disputed"),
                                                                              ("held", "on-hold")]
    listed = {i.case.id for i in agenda.items} | {e.figures.case.id for e in agenda.set_apart}
    assert not listed & {"paid-up", "closed"}


def test_amounts_and_details(records):
    _portfolio(records)
    items = {i.case.id: i for i in _build(records).items}
    assert items["broken"].reason.amount == 250 and "promised £250.00 by 8 June 2026" in items["broken"].reason.text
    assert items["missed"].reason.amount == 100
    assert items["missed"].reason.text == "installment 3 of 6 missed (due 1 June 2026); the plan is broken"
    assert items["today"].reason.text == "promise of £200.00 due today"
    assert items["follow"].reason.text == "follow-up due since 14 June 2026"
    assert items["quiet"].reason.text.startswith("£500.00 overdue and no contact for 14 days")


def test_one_item_per_case_with_the_other_reasons_as_also(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme")
    _invoice(records, "acme")
    _contact(records, "acme", "2026-05-20", extra="promise: {amount: 100, by: 2026-05-25}\nfollow_up: 2026-05-26\n")
    (item,) = _build(records).items
    assert item.reason.code == "broken-promise"
    assert [r.code for r in item.also] == ["follow-up", "quiet"]


def test_acting_clears_the_reason(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme")
    _invoice(records, "acme", due="2026-07-01")
    _contact(records, "acme", "2026-06-01", extra="promise: {amount: 100, by: 2026-06-08}\nfollow_up: 2026-06-12\n")
    assert [i.reason.code for i in _build(records).items] == ["broken-promise"]
    records.note("acme", "call", "date: 2026-06-13T10:00\nkind: call\ndirection: in\noutcome: spoke\n")
    assert _build(records).items == ()


def test_a_new_plan_forgives_earlier_broken_promises(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme")
    _invoice(records, "acme", due="2026-03-01")
    _contact(records, "acme", "2026-03-02", extra="promise: {amount: 100, by: 2026-03-09}\n")
    records.plan("acme", "plan", "agreed: 2026-06-10\nschedule: {start: 2026-07-01, every: month, count: 5}\n")
    _contact(records, "acme", "2026-06-10", note_id="agreed")
    assert _build(records).items == ()


def test_cases_opened_later_do_not_appear(records):
    records.write("arrears.toml", SETTINGS)
    records.case("fresh", """
        debtor: {name: Fresh Ltd, kind: business}
        opened: 2026-03-01
    """)
    _invoice(records, "fresh")
    assert _build(records, as_of=date(2026, 2, 28)).items == ()
    assert [i.reason.code for i in _build(records, as_of=date(2026, 3, 1)).items] == ["never-contacted"]


def test_owner_filter(records):
    records.write("arrears.toml", SETTINGS)
    for case_id, owner in (("a", "jo"), ("b", "sam"), ("c", "jo")):
        _case(records, case_id, f"owner: {owner}")
        _invoice(records, case_id)
    assert [i.case.id for i in _build(records, owner="jo").items] == ["a", "c"]


# --- channel and contact rules ------------------------------------------------------------------


PHONE_FIRST = """- {channel: phone, value: "+44 7700 900000", preferred: true}
            - {channel: email, value: a@example.org}"""


def test_channel_is_the_preferred_one_not_opted_out(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme", "do_not_contact: [phone]", contacts=PHONE_FIRST)
    _invoice(records, "acme")
    (item,) = _build(records).items
    assert item.contact.channel == "email" and item.allowed


def test_blocked_call_says_when_and_offers_what_is_allowed(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme", contacts=PHONE_FIRST)
    _invoice(records, "acme")
    records.note("acme", "call", "date: 2026-06-12T10:00\nkind: call\noutcome: spoke\nfollow_up: 2026-06-15\n")
    (item,) = _build(records).items
    assert item.contact.channel == "phone" and not item.allowed
    assert item.verdict.next_allowed == datetime(2026, 6, 19, 8, 0, tzinfo=ZoneInfo("Europe/London"))
    assert [c.channel for c in item.alternatives] == ["email"]


def test_now_outside_hours_blocks_calls_until_the_morning(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme", contacts=PHONE_FIRST)
    _invoice(records, "acme")
    late = datetime(2026, 6, 15, 21, 30, tzinfo=ZoneInfo("Europe/London"))
    (item,) = _build(records, now=late).items
    assert not item.allowed and item.verdict.next_allowed.isoformat() == "2026-06-16T08:00:00+01:00"


def test_vulnerable_flagged_with_care(records):
    records.write("arrears.toml", SETTINGS)
    _case(records, "acme", "vulnerable: true")
    _invoice(records, "acme")
    (item,) = _build(records).items
    assert item.vulnerable and item.tone == "gentle"
    data = agendas.to_json(_build(records))
    assert data["items"][0]["vulnerable"] is True and "gentle tone only" in data["items"][0]["care"]
    assert "[VULNERABLE]" in agendas.to_text(_build(records))


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def run(records):
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["agenda", "--root", str(records.root), *args])


def test_json_shape(records, run):
    _portfolio(records)
    result = run("--as-of", "2026-06-15", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-06-15"
    assert data["now"] == "2026-06-15T08:00+01:00"  # --as-of: the start of that day's calling hours
    first = data["items"][0]
    for key in ("case", "debtor", "reason", "priority", "amount", "channel", "allowed", "next_allowed",
                "vulnerable", "tone", "also"):
        assert key in first
    assert (first["case"], first["reason"], first["priority"], first["amount"]) == ("broken", "broken-promise",
                                                                                   1, "250.00")
    assert [d["priority"] for d in data["items"]] == sorted(d["priority"] for d in data["items"])
    assert [e["case"] for e in data["set_apart"]] == ["argued", "held"]


def test_text_output(records, run):
    _portfolio(records)
    result = run("--as-of", "2026-06-15")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Agenda, 15 June 2026 (contact rules judged at 08:00 BST)")
    assert " 1. broken  Broken Ltd" in result.stdout
    assert "Set apart, not chased:" in result.stdout and "argued" in result.stdout
    assert "paid-up" not in result.stdout


def test_owner_option_and_empty_agenda(records, run):
    _portfolio(records)
    result = run("--as-of", "2026-06-15", "--owner", "nobody")
    assert result.exit_code == 0 and "Nothing to chase today." in result.stdout


def test_refuses_records_with_errors(records, run):
    records.write("arrears.toml", SETTINGS)
    records.case("acme")
    records.note("acme", "bad", "date: 2026-02-30\nkind: call\n")
    assert run("--as-of", "2026-06-15").exit_code == 1


# --- on the site ------------------------------------------------------------------------------------


def test_site_has_an_agenda_page_and_a_next_draft_on_case_pages(records):
    from arrears.site.incremental import build as full_build

    _portfolio(records)
    out = records.root / "site"
    full_build(records.root, TODAY, out, full=True)
    agenda = (out / "agenda.html").read_text()
    dashboard = (out / "index.html").read_text()
    assert 'href="agenda.html"' in dashboard
    assert 'href="agenda.html" aria-current="page"' in agenda
    assert agenda.index("Broken Ltd") < agenda.index("Missed Ltd") < agenda.index("Fresh Ltd")
    assert "Set apart, not chased" in agenda and "Argued Ltd" in agenda and "Paid-Up Ltd" not in agenda
    case = (out / "cases/broken/index.html").read_text()
    assert "<details>" in case and "Next reminder" in case and "Suggested draft: firm Email" in case
    assert "promised" not in case or "Dear Broken Ltd" in case
    argued = (out / "cases/argued/index.html").read_text()
    assert "open dispute" in argued and "Dear Argued Ltd" not in argued
    assert "Next reminder" not in (out / "cases/paid-up/index.html").read_text()
    first = agenda
    full_build(records.root, TODAY, out, full=True)
    assert (out / "agenda.html").read_text() == first  # judged at the start of hours: the same bytes
