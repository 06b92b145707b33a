"""The letter of claim and the breathing-space letters (records-v1 section 11), through the commands.

Figures worked by hand: 3,650.00 at a simple 8 % a year accrues exactly 0.80
a day (3650 x 8 / 36500); due 1 Feb 2026, as of 20 May 2026 it has run for
2..28 Feb (27) + March (31) + April (30) + 1..20 May (20) = 108 days, 86.40,
so the balance is 3,736.40 and the reply date is 20 May + 30 days = 19 June.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from test_print_pdf import SETTINGS, in_window, pages, words

AS_OF = "2026-05-20"

PERSON = """\
debtor:
  name: Mara Okafor
  kind: individual
  contacts:
    - {channel: email, value: mara@example.org, preferred: true}
  address: |
    Flat 2, 14 Elm Road
    Headingley
    Leeds LS6 3AB
opened: 2026-01-10
interest: {rule: simple, rate: 8}
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _books(records, front: str = PERSON):
    records.write("arrears.toml", SETTINGS)
    records.case("mara", front)
    records.note("mara", "inv", "date: 2026-01-10\nkind: invoice\nref: INV-2001\namount: 3650.00\ndue: 2026-02-01")
    return records


def test_the_letter_of_claim_text_has_the_amount_the_daily_rate_the_invoices_and_the_reply_date(records):
    _books(records)
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Pre-Action Protocol for Debt Claims" in text
    assert "you owe us £3,736.40" in text  # 3650 + 86.40
    assert "£0.80 a day" in text
    assert "invoice INV-2001, dated 10 January 2026, due for payment on 1 February 2026: £3,650.00" in text
    assert "by 19 June 2026" in text  # 20 May + 30 days
    assert "Bank transfer to 12-34-56 12345678" in text  # how to pay, from arrears.toml
    assert "Unit 4, Riverside Works, 12 Canal Street, Bristol BS1 4AB" in text  # where to reply
    assert "Information Sheet and Reply Form" in text
    for adviser in ("National Debtline", "StepChange", "Citizens Advice"):
        assert adviser in text
    assert "Enclosed: Statement of account, Interest workings." in text
    assert "£3,650.00 from 2 February 2026 to 20 May 2026, 108 days at 8%: £86.40" in text


def test_no_interest_says_nothing_more_is_added(records):
    _books(records, PERSON.replace("interest: {rule: simple, rate: 8}\n", ""))
    text = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim").stdout
    assert "you owe us £3,650.00" in text and "No interest or further charges are being added" in text


def test_refused_for_a_business_that_is_not_a_sole_trader_and_drafted_for_one(records):
    company = PERSON.replace("kind: individual", "kind: business").replace("interest: {rule: simple, rate: 8}\n", "")
    _books(records, company)
    refused = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "individuals and sole traders" in refused.stderr and "sole_trader: true" in refused.stderr
    records.case("mara", company + "sole_trader: true\n")
    drafted = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim")
    assert drafted.exit_code == 0 and "supplied to your business" in drafted.stdout


@pytest.fixture(scope="module")
def claim_pdf(tmp_path_factory) -> Path:
    from conftest import RecordsTree

    records = RecordsTree(tmp_path_factory.mktemp("claim") / "books")
    records.root.mkdir()
    _books(records)
    out = tmp_path_factory.mktemp("pdf") / "claim.pdf"
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim",
                 "--pdf", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_the_letter_of_claim_pdf_reads_back_with_the_amount_the_rate_and_the_reply_date(claim_pdf):
    found = pages(claim_pdf)
    # the letter (two pages), the statement of account with the workings, the reply section: each from a new page
    assert len(found) == 4
    assert all(f"Page {n} of 4" in text for n, text in enumerate(found, start=1))
    letter = "\n".join(found[:2])
    assert "Letter of claim: £3,736.40 owed" in letter and "£0.80 a day" in letter
    assert "19 June 2026" in found[0]  # "Please reply by" beside the window, and in the text
    assert "Statement of account as of 20 May 2026" in found[2] and "£86.40" in found[2]
    assert "Reply to our letter of claim of 20 May 2026" in found[3] and "19 June 2026" in found[3]
    assert "Information Sheet and Reply Form" in found[3]


def test_the_letter_of_claim_address_sits_in_the_envelope_window(claim_pdf):
    found = words(claim_pdf)
    address = ["Mara", "Okafor", "Flat", "Headingley", "Leeds", "LS6", "3AB"]
    boxes = [min((w for w in found if w[0] == word), key=lambda w: w[2]) for word in address]
    assert [w for w in boxes if not in_window(w)] == []


# --- the reply window ------------------------------------------------------------------------


def _recorded(records) -> str:
    _books(records)
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim", "--record")
    assert result.exit_code == 0, result.output
    [note] = [p for p in (records.root / "cases/mara/notes").iterdir() if p.name != "inv.md"]
    return note.read_text()


def test_recording_writes_a_letter_note_tagged_letter_of_claim(records):
    text = _recorded(records)
    assert "kind: letter\n" in text and "tags: [letter-of-claim]\n" in text and "date: 2026-05-20\n" in text


def _apart(records, day: str) -> list[dict]:
    out = run("agenda", "--root", str(records.root), "--as-of", day, "--format", "json")
    return json.loads(out.stdout)["set_apart"]


def test_the_agenda_sets_the_case_apart_through_day_30_and_not_on_day_31(records):
    _recorded(records)  # sent 20 May: day 30 is 19 June, day 31 is 20 June
    [day_30] = _apart(records, "2026-06-19")
    assert day_30["reason"] == "awaiting reply to letter of claim until 19 June 2026"
    assert _apart(records, "2026-06-20") == []
    day_31 = json.loads(run("agenda", "--root", str(records.root), "--as-of", "2026-06-20", "--format",
                            "json").stdout)["items"]
    assert [item["case"] for item in day_31] == ["mara"]  # chased again


@pytest.mark.parametrize("day, warned", [("2026-06-19", True), ("2026-06-20", False)])
def test_check_warns_about_an_escalation_inside_the_window_only(records, day, warned):
    _recorded(records)
    records.note("mara", "court", f"date: {day}\nkind: note\ntags: [court]\nsummary: Claim form drafted")
    out = run("check", "--root", str(records.root), "--as-of", "2026-07-01", "--format", "json")
    codes = [p["code"] for p in json.loads(out.stdout)]
    assert ("escalation-in-reply-window" in codes) is warned


def test_a_final_reminder_inside_the_window_is_an_escalation(records):
    _recorded(records)
    records.note("mara", "final", "date: 2026-06-01\nkind: email\ntags: [reminder, final]")
    out = run("check", "--root", str(records.root), "--as-of", "2026-07-01", "--format", "json")
    assert [p["path"] for p in json.loads(out.stdout) if p["code"] == "escalation-in-reply-window"] == [
        "cases/mara/notes/final.md"]


def test_a_final_reminder_to_an_individual_warns_until_a_letter_of_claim_is_recorded(records):
    _books(records)
    before = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--tone", "final")
    assert before.exit_code == 0 and "expects a letter of claim" in before.stderr
    run("remind", "mara", "--root", str(records.root), "--as-of", "2026-04-01", "--letter-of-claim", "--record")
    after = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--tone", "final")
    assert after.exit_code == 0 and "expects a letter of claim" not in after.stderr


# --- breathing space: remind and the agenda ---------------------------------------------------


def _held(records, fields: str = "type: standard\nref: DRS-42") -> None:
    _books(records)
    records.note("mara", "bs", f"date: 2026-05-01\nkind: breathing-space\n{fields}")  # standard: to 29 June


@pytest.mark.parametrize("args", [["--tone", "firm"], ["--tone", "gentle", "--channel", "email"],
                                  ["--tone", "final", "--channel", "letter", "--force"], ["--letter-of-claim"],
                                  []])
def test_remind_refuses_a_demand_in_breathing_space_even_with_force(records, args):
    _held(records)
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert "in breathing space until 29 June 2026" in result.stderr  # 1 May + 59 days
    assert "--tone gentle --channel letter" in result.stderr


def test_remind_drafts_only_the_gentle_letter_acknowledging_the_hold(records):
    _held(records)
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--tone", "gentle",
                 "--channel", "letter")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "breathing space under the Debt Respite Scheme (reference DRS-42)" in text
    assert "starting on 1 May 2026 and ending on 29 June 2026" in text
    assert "we will not add interest, fees or other charges, we will not ask you to pay" in text
    assert "balance of your account on 20 May 2026 is £3,720.40" in text  # 3650 + (27 + 31 + 30 days) x 0.80
    assert "Subject" not in text and "outstanding" not in text


def test_the_agenda_sets_a_breathing_space_apart_with_its_end_and_never_suggests_contact(records):
    _held(records)
    out = json.loads(run("agenda", "--root", str(records.root), "--as-of", AS_OF, "--format", "json").stdout)
    assert out["items"] == []
    [apart] = out["set_apart"]
    assert apart["state"] == "breathing-space"
    assert apart["reason"].startswith("in breathing space until 29 June 2026: no contact asking for payment")
    text = run("agenda", "--root", str(records.root), "--as-of", AS_OF).stdout
    assert "mara  Mara Okafor: in breathing space until 29 June 2026" in text and "draft:" not in text


def test_a_mental_health_space_is_set_apart_open_ended(records):
    _held(records, "type: mental-health")
    [apart] = json.loads(run("agenda", "--root", str(records.root), "--as-of", AS_OF, "--format",
                             "json").stdout)["set_apart"]
    assert "open-ended" in apart["reason"] and "since 1 May 2026" in apart["reason"]


def test_due_reports_the_state_and_the_usual_overdue(records):
    _held(records)
    [case] = json.loads(run("due", "--root", str(records.root), "--as-of", AS_OF, "--format", "json").stdout)["cases"]
    # 1 Feb to 20 May: 108 days past due; overdue is the invoice and the 70.40 accrued before the space
    assert (case["state"], case["overdue"], case["days_past_due"], case["interest"]) == (
        "breathing-space", "3720.40", 108, "70.40")
    assert case["interest_daily"] == "0.00"


# --- golden drafts ---------------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "messages"


def _golden(name: str, text: str) -> None:
    import os

    golden = GOLDEN / name
    if os.environ.get("ARREARS_UPDATE_GOLDEN") == "1":  # or pytest --update-golden
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with --update-golden and review it"
    assert text == golden.read_text(encoding="utf-8")


def test_golden_letter_of_claim(records):
    # Reviewed by hand: 2..28 Feb on 3650 = 27 x 0.80 = 21.60; a payment of 650 on 1 Mar stops that day's
    # interest, so 1 Mar..20 May (81 days) on 3000: 3000 x 8 x 81 / 36500 = 53.2603; 74.8603 -> 74.86;
    # balance 3650 + 74.86 - 650 = 3,074.86; daily 3000 x 8 / 36500 = 0.6575 -> 0.66.
    _books(records)
    payment_note = "date: 2026-03-01\nkind: payment\namount: 650.00\napplies_to: INV-2001"
    records.note("mara", "pay", payment_note)
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim")
    assert result.exit_code == 0, result.output
    _golden("letter-of-claim.txt", result.stdout)


def test_golden_breathing_space_acknowledgement(records):
    # open-ended (mental health): no end date in the letter; balance 3650 + 88 days (2 Feb..30 Apr) x 0.80
    _held(records, "type: mental-health\nref: MH-2026-0091")
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--tone", "gentle",
                 "--channel", "letter")
    assert result.exit_code == 0, result.output
    _golden("letter-breathing-space.txt", result.stdout)


# --- on the site and on paper ------------------------------------------------------------------


def test_the_case_page_shows_the_hold_with_its_dates_and_offers_only_the_acknowledgement(records, tmp_path):
    from arrears.site.incremental import build

    _held(records)
    build(records.root, date.fromisoformat(AS_OF), tmp_path / "site", full=True)
    page = (tmp_path / "site" / "cases" / "mara" / "index.html").read_text(encoding="utf-8")
    assert 'class="callout callout-breathing-space"' in page
    assert "from 1 May 2026 until 29 Jun 2026, reference DRS-42" in " ".join(page.split())
    assert "state-breathing-space" in page
    assert "only a letter acknowledging the hold" in page and "Final reminder" not in page


def test_the_acknowledgement_prints_as_a_one_page_letter_without_enclosures(records, tmp_path):
    _held(records)
    out = tmp_path / "ack.pdf"
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--tone", "gentle",
                 "--channel", "letter", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    (text,) = pages(out)
    assert "Your breathing space: our confirmation" in text and "Page 1 of 1" in text
    assert "ending on 29 June 2026" in " ".join(text.split()) and "Enclosed" not in text


def test_recording_the_acknowledgement_says_what_it_was(records):
    _held(records)
    result = run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--tone", "gentle",
                 "--channel", "letter", "--record")
    assert result.exit_code == 0 and "breathing-space acknowledgement" in result.stderr
    text = (records.root / "cases/mara/notes/2026-05-20-letter.md").read_text()
    assert "tags: [breathing-space]" in text and "no payment asked" in text and "reminder" not in text


def test_show_says_the_case_is_held_or_awaiting_a_reply(records):
    _held(records)
    shown = run("show", "mara", "--root", str(records.root), "--as-of", AS_OF).stdout
    assert "BREATHING SPACE from 2026-05-01 until 2026-06-29, ref DRS-42" in shown
    records.note("mara", "bs", "date: 2026-05-01\nkind: note\nsummary: wrong debtor")  # no space any more (the test rewrites the file)
    run("remind", "mara", "--root", str(records.root), "--as-of", AS_OF, "--letter-of-claim", "--record")
    shown = run("show", "mara", "--root", str(records.root), "--as-of", "2026-06-19").stdout
    assert "LETTER OF CLAIM sent 2026-05-20: awaiting reply until 2026-06-19" in shown
    assert "LETTER OF CLAIM" not in run("show", "mara", "--root", str(records.root), "--as-of", "2026-06-20").stdout
