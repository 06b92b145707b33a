"""`arrears remind`: drafts per tone and channel (golden files), the tone rules, refusals, SMS length, --record.

Golden drafts live in tests/golden/messages/. After a deliberate wording
change, refresh them with `.venv/bin/python -m pytest tests/test_remind.py
--update-golden` (or ARREARS_UPDATE_GOLDEN=1) and review the diff.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.views import messages
from arrears.rules.check import check
from arrears.cli.app import main
from arrears.ledger.compute import compute_case
from arrears.records.load import load

GOLDEN = Path(__file__).parent / "golden" / "messages"
AS_OF = date(2026, 5, 20)

SETTINGS = """
name = "Northwind Supplies Ltd"
currency = "GBP"
timezone = "Europe/London"
[payment]
instructions = "Bank transfer to 12-34-56 12345678, reference: your invoice number"
"""

MARA = """
    debtor:
      name: Mara Okafor
      kind: individual
      contacts:
        - {channel: email, value: mara@example.org, preferred: true}
        - {channel: sms, value: "+44 7700 900231"}
      address: |
        Flat 3, 27 Alder Road
        Sheffield S7 1QT
    opened: 2026-02-01
    owner: sam
    circumstances: [job-loss]
"""


def _mara(records, front: str = MARA) -> None:
    records.write("arrears.toml", SETTINGS)
    records.case("mara", front, story="Lost her job in March.")
    records.note("mara", "2026-02-01-invoice", """
        date: 2026-02-01
        kind: invoice
        ref: NW-1001
        amount: 600.00
        due: 2026-03-03
    """)
    records.plan("mara", "2026-03-10-plan", """
        agreed: 2026-03-10
        schedule: {start: 2026-04-01, every: month, count: 6}
    """)
    records.note("mara", "2026-03-10-call", """
        date: 2026-03-10T10:00
        kind: call
        outcome: spoke
        summary: Agreed six payments of £100
    """)
    records.note("mara", "2026-04-01-payment", "date: 2026-04-01\nkind: payment\namount: 100\n")


def _figures(records, as_of: date = AS_OF):
    portfolio = load(records.root)
    return compute_case(portfolio.cases[0], portfolio.settings, as_of), portfolio


@pytest.fixture
def run(records):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [args[0], "--root", str(records.root), *args[1:]])

    return invoke


# --- golden drafts: every tone x channel ----------------------------------------------------


@pytest.mark.parametrize("channel", messages.MESSAGE_CHANNELS)
@pytest.mark.parametrize("tone", messages.TONES)
def test_golden_drafts(records, tone, channel):
    _mara(records)
    figures, portfolio = _figures(records)
    draft = messages.render(figures, portfolio.settings, tone, channel, records.root)
    golden = GOLDEN / f"{channel}-{tone}.txt"
    if os.environ.get("ARREARS_UPDATE_GOLDEN") == "1":  # or pytest --update-golden
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(draft.text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with ARREARS_UPDATE_GOLDEN=1 and review it"
    assert draft.text == golden.read_text(encoding="utf-8")


def test_drafts_carry_the_computed_figures_and_instructions(records):
    _mara(records)
    figures, portfolio = _figures(records)
    draft = messages.render(figures, portfolio.settings, "gentle", "email", records.root)
    assert draft.subject == "A friendly reminder about your account with Northwind Supplies Ltd"
    assert "£500.00 outstanding" in draft.body and "£100.00 is now past its due date" in draft.body
    assert "Installment 2 of 6: £100.00, due 1 May 2026" in draft.body
    assert "1 of 6" in draft.body and "The payment of £100.00 due on 1 May 2026 has not reached us yet" in draft.body
    assert "Bank transfer to 12-34-56 12345678" in draft.body
    assert "losing your job" in draft.body and "debt advice" in draft.body


def test_firm_and_final_state_deadline_and_consequence_without_threats(records):
    _mara(records)
    figures, portfolio = _figures(records)
    firm = messages.render(figures, portfolio.settings, "firm", "email", records.root).body
    final = messages.render(figures, portfolio.settings, "final", "letter", records.root).body
    assert "by 3 June 2026" in firm  # 14 days
    assert "by 19 June 2026" in final  # 30 days for an individual
    assert "formal recovery" in final and "court proceedings" in final
    for text in (firm, final):
        assert "agree a plan" not in text  # Mara is on a plan already: the way out is to talk about it
        assert "the plan" in text
        for harsh in ("bailiff", "blacklist", "ashamed", "threat", "arrest", "!"):
            assert harsh not in text.lower()


def test_final_deadline_for_a_business_is_14_days(records):
    _mara(records, MARA.replace("kind: individual", "kind: business"))
    figures, portfolio = _figures(records)
    final = messages.render(figures, portfolio.settings, "final", "email", records.root).body
    assert "by 3 June 2026" in final and "debt advice" not in final


# --- the tone follows the case -------------------------------------------------------------------


def _business_with_invoice(records, due: str, *notes: tuple[str, str]):
    records.write("arrears.toml", SETTINGS)
    records.case("acme")
    records.note("acme", "inv", f"date: 2026-01-01\nkind: invoice\nref: A-1\namount: 500\ndue: {due}\n")
    for note_id, front in notes:
        records.note("acme", note_id, front)


@pytest.mark.parametrize("due,tone", [("2026-05-10", "gentle"), ("2026-04-20", "gentle"),
                                      ("2026-04-19", "firm"), ("2026-02-20", "firm"), ("2026-02-19", "final")])
def test_tone_follows_days_past_due(records, due, tone):
    _business_with_invoice(records, due)
    figures, _ = _figures(records)
    assert messages.suggest_tone(figures)[0] == tone


def test_tone_firm_after_a_broken_promise_final_after_two(records):
    _business_with_invoice(records, "2026-05-10", ("p1", "date: 2026-05-11\nkind: call\noutcome: spoke\n"
                                                         "promise: {amount: 100, by: 2026-05-15}\n"))
    figures, _ = _figures(records)
    assert messages.suggest_tone(figures) == ("firm", "a promise to pay was broken")
    records.note("acme", "p2", "date: 2026-05-16\nkind: email\ndirection: in\npromise: {amount: 100, by: 2026-05-18}\n")
    figures, _ = _figures(records)
    assert messages.suggest_tone(figures)[0] == "final"


def test_tone_firm_when_the_plan_is_behind(records):
    _mara(records)
    figures, _ = _figures(records)
    assert figures.plan.status == "behind"
    assert messages.suggest_tone(figures) == ("firm", "the payment plan is behind")


def test_cli_uses_the_suggested_tone_and_preferred_channel(records, run):
    _mara(records)
    result = run("remind", "mara", "--as-of", "2026-05-20")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Subject: Your account with Northwind Supplies Ltd: £100.00 overdue\n\n")
    assert "tone: firm (suggested: the payment plan is behind)" in result.stderr


# --- vulnerable debtors, opt-outs, cases not chased ----------------------------------------------


def test_vulnerable_debtor_gets_gentle_only(records, run):
    _mara(records, MARA + "    vulnerable: true\n")
    figures, _ = _figures(records)
    assert messages.suggest_tone(figures)[0] == "gentle"
    for tone in ("firm", "final"):
        refused = run("remind", "mara", "--as-of", "2026-05-20", "--tone", tone)
        assert refused.exit_code == 2
        assert "flagged vulnerable: only gentle reminders" in refused.stderr
        assert refused.stdout == ""
    gentle = run("remind", "mara", "--as-of", "2026-05-20")
    assert gentle.exit_code == 0 and "friendly reminder" in gentle.stdout


def test_force_drafts_anyway_and_says_so(records, run):
    _mara(records, MARA + "    vulnerable: true\n")
    result = run("remind", "mara", "--as-of", "2026-05-20", "--tone", "final", "--force")
    assert result.exit_code == 0
    assert "drafted anyway (--force)" in result.stderr and "final reminder" in result.stdout


def test_opted_out_channel_refused(records, run):
    _mara(records, MARA + "    do_not_contact: [email]\n")
    result = run("remind", "mara", "--as-of", "2026-05-20", "--channel", "email")
    assert result.exit_code == 2 and "asked not to be contacted by email" in result.stderr
    default = run("remind", "mara", "--as-of", "2026-05-20")  # falls back to the SMS contact
    assert default.exit_code == 0 and default.stdout.startswith("Northwind Supplies Ltd: Hi Mara")


def test_disputed_case_not_chased(records, run):
    _business_with_invoice(records, "2026-03-01", ("d", "date: 2026-04-01\nkind: dispute\nstate: open\nref: A-1\n"))
    result = run("remind", "acme", "--as-of", "2026-05-20")
    assert result.exit_code == 2 and "open dispute" in result.stderr


def test_unknown_case_is_a_usage_error(records, run):
    _mara(records)
    assert run("remind", "nobody").exit_code == 2


# --- SMS length ---------------------------------------------------------------------------------


def test_sms_reports_length_and_segments(records, run):
    _mara(records)
    result = run("remind", "mara", "--as-of", "2026-05-20", "--channel", "sms", "--tone", "gentle")
    assert result.exit_code == 0
    length = messages.sms_length(result.stdout.rstrip("\n"))
    assert f"SMS: {len(result.stdout.rstrip())} characters, GSM-7, {length.segments} segment" in result.stderr


@pytest.mark.parametrize("text,encoding,units,segments", [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("£" * 160, "GSM-7", 160, 1),  # the pound sign is in the GSM alphabet
    ("€" * 80, "GSM-7", 160, 1),  # the euro sign is an extension: two septets
    ("€" * 81, "GSM-7", 162, 2),
    ("a" * 152 + "€", "GSM-7", 154, 1),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # an escaped character never splits across parts
    ("a" * 70 + "é", "GSM-7", 71, 1),
    ("ć" * 70, "UCS-2", 70, 1),
    ("ć" * 71, "UCS-2", 71, 2),
    ("ć" * 134, "UCS-2", 134, 2),
    ("ć" * 135, "UCS-2", 135, 3),
    ("😀" * 35, "UCS-2", 70, 1),  # surrogate pairs count two units
    ("a" * 66 + "😀", "UCS-2", 68, 1),
    ("a" * 66 + "😀" + "a" * 66, "UCS-2", 134, 3),  # nor does a surrogate pair
    ("Don’t", "UCS-2", 5, 1),  # a curly apostrophe forces UCS-2
])
def test_sms_segments(text, encoding, units, segments):
    length = messages.sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


# --- --record -------------------------------------------------------------------------------------


def test_record_writes_a_valid_sent_note(records, run):
    _mara(records)
    result = run("remind", "mara", "--as-of", "2026-05-20", "--record")
    assert result.exit_code == 0, result.output
    assert "recorded cases/mara/notes/2026-05-20-email.md" in result.stderr
    portfolio = load(records.root)
    note = portfolio.case("mara").note("2026-05-20-email")
    assert note.kind == "email" and note.detail.direction == "out" and note.detail.outcome == "sent"
    assert note.body.startswith("Subject: Your account with Northwind Supplies Ltd")
    assert note.body.rstrip("\n") == result.stdout.rstrip("\n")
    assert note.by == "sam"
    assert [p for p in check(portfolio, date(2026, 5, 20))] == []


def test_record_never_overwrites(records, run):
    _mara(records)
    records.note("mara", "2026-05-20-sms", "date: 2026-05-20\nkind: sms\n", "Keep me.")
    for expected in ("2026-05-20-sms-2.md", "2026-05-20-sms-3.md"):
        result = run("remind", "mara", "--as-of", "2026-05-20", "--channel", "sms", "--record", "--again")
        assert result.exit_code == 0, result.output
        assert expected in result.stderr
    assert (records.root / "cases/mara/notes/2026-05-20-sms.md").read_text().endswith("Keep me.")
    assert check(load(records.root), date(2026, 5, 20)) == []


def test_two_records_racing_give_two_notes(records):
    _mara(records)
    figures, portfolio = _figures(records)
    draft = messages.render(figures, portfolio.settings, "gentle", "letter", records.root)
    barrier = threading.Barrier(2)
    paths: list[Path] = []

    def send() -> None:
        barrier.wait()
        paths.append(messages.record(records.root, draft, AS_OF, None))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(p.name for p in paths) == ["2026-05-20-letter-2.md", "2026-05-20-letter.md"]
    assert check(load(records.root), AS_OF) == []


# --- templates are the user's ---------------------------------------------------------------------


def test_records_repository_templates_override_one_file_at_a_time(records, run):
    _mara(records)
    records.write("templates/messages/partials/signoff.txt", "Sam, on behalf of {{ org }}\n")
    records.write("templates/messages/sms-gentle.txt", "{{ org }}: {{ balance }} to go. Thanks, Sam\n")
    email = run("remind", "mara", "--as-of", "2026-05-20", "--tone", "gentle")
    assert "Sam, on behalf of Northwind Supplies Ltd" in email.stdout
    assert "How to pay:" in email.stdout  # the package's partials still apply
    sms = run("remind", "mara", "--as-of", "2026-05-20", "--tone", "gentle", "--channel", "sms")
    assert sms.stdout == "Northwind Supplies Ltd: £500.00 to go. Thanks, Sam\n"


def test_a_broken_user_template_is_reported_not_a_crash(records, run):
    _mara(records)
    records.write("templates/messages/email-gentle.txt", "Dear {{ debtor.nickname }}\n")
    result = run("remind", "mara", "--as-of", "2026-05-20", "--tone", "gentle")
    assert result.exit_code == 1, result.output
    assert "arrears: cannot render the message template templates/messages/email-gentle.txt, line 1: " in result.stderr


def test_a_letter_without_an_address_is_drafted_with_a_warning(records, run):
    _mara(records, MARA.replace("      address: |\n        Flat 3, 27 Alder Road\n        Sheffield S7 1QT\n", ""))
    result = run("remind", "mara", "--as-of", "2026-05-20", "--channel", "letter", "--tone", "gentle")
    assert result.exit_code == 0
    assert "no postal address" in result.stderr


# --- a firm or final tone needs a reason; --record brings the case back -------------------------------


def test_final_on_a_plan_kept_to_is_refused_unless_forced(records, run):
    _mara(records)  # on 20 April: the April installment paid, May's not yet due
    result = run("remind", "mara", "--as-of", "2026-04-20", "--tone", "final")
    assert result.exit_code == 2 and result.stdout == ""
    assert "a final reminder needs a reason in the figures" in result.stderr
    assert "the payment plan is on track (1 of 6 payments made)" in result.stderr
    forced = run("remind", "mara", "--as-of", "2026-04-20", "--tone", "final", "--force")
    assert forced.exit_code == 0 and "drafted anyway (--force)" in forced.stderr
    assert run("remind", "mara", "--as-of", "2026-04-20").exit_code == 0  # the suggested tone: gentle
    assert "tone: gentle" in run("remind", "mara", "--as-of", "2026-04-20").stderr


def test_firm_on_a_plan_behind_is_drafted(records, run):
    _mara(records)  # on 20 May: the May installment is missed
    result = run("remind", "mara", "--as-of", "2026-05-20", "--tone", "firm")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("tone, follow_up", [("firm", "2026-06-03"), ("final", "2026-06-19"), ("gentle", "2026-05-27")])
def test_record_writes_the_deadline_as_follow_up(records, run, tone, follow_up):
    _mara(records)
    result = run("remind", "mara", "--as-of", "2026-05-20", "--tone", tone, "--record")
    assert result.exit_code == 0, result.output
    note = load(records.root).case("mara").note("2026-05-20-email")
    assert note.follow_up == date.fromisoformat(follow_up)
    assert f"(follow-up {follow_up})" in result.stderr


def test_recording_the_same_reminder_twice_a_day_needs_again(records, run):
    _mara(records)
    assert run("remind", "mara", "--as-of", "2026-05-20", "--record").exit_code == 0
    twice = run("remind", "mara", "--as-of", "2026-05-20", "--record")
    assert twice.exit_code == 2 and "already recorded today (cases/mara/notes/2026-05-20-email.md)" in twice.stderr
    assert not (records.root / "cases/mara/notes/2026-05-20-email-2.md").exists()
    assert run("remind", "mara", "--as-of", "2026-05-20", "--record", "--channel", "sms").exit_code == 0
    assert run("remind", "mara", "--as-of", "2026-05-20", "--record", "--again").exit_code == 0
    assert (records.root / "cases/mara/notes/2026-05-20-email-2.md").exists()
