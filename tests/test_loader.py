"""The loader, field by field: a fully featured case loads into exactly the expected records.

Also: exact money (Decimal with the currency's exponent, quoted or not), BOM
and CRLF files with the right line numbers, and how the records root is found.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from arrears.rules.check import check
from arrears.records.load import load
from arrears.records.root import RootNotFound, find_root
from arrears.records.model import (
    Case, Contact, Contacting, Credit, Debtor, Discount, Dispute, Fee, Installment, Interest, Invoice, Note, Payment,
    Plan, Promise, Schedule, Source,
)

STORY = """The owner, Sam, lost the wholesale contract in January.

---

* Prefers email before 10am.
* Speaks to **Jo** only.

    indented code stays as written
"""

CASE = """---
debtor:
  name: Acme Bakery Ltd
  kind: business
  contacts:
    - {channel: email, value: accounts@acme.example, preferred: true}
    - channel: phone
      value: "+44 20 7946 0000"
      preferred: false
    - {channel: post, value: "1 High Street"}
  address: |
    1 High Street
    Leeds LS1 1AA
currency: EUR
opened: 2026-02-01
owner: jo
status: on-hold
tags: [wholesale, north]
circumstances: [job-loss, cash-flow]
vulnerable: true
do_not_contact: [sms]
interest: {rule: simple, rate: 8.5}
extra:
  crm_id: 4711
  labels: [a, b]
  nested: {empty: ~, quoted: "yes"}
---
""" + STORY

NOTES = {
    "2026-02-01-invoice": """---
date: 2026-02-01
kind: invoice
ref: INV-1
amount: 1250
due: 2026-03-01
issued: 2026-01-30
description: Bread, February
by: jo
summary: Invoice INV-1
tags: [bread]
---
Sent with the delivery.
""",
    "2026-02-02-invoice": """---
date: 2026-02-02
kind: invoice
ref: INV-2
amount: "99.9"
due: 2026-03-02
---
""",
    "2026-03-02-call": """---
date: 2026-03-02T14:30
kind: call
direction: in
outcome: spoke
by: jo
summary: Sam rang, can pay from April
follow_up: 2026-03-09
promise: {amount: 200.00, by: 2026-04-01}
extra: {minutes: 12}
---
Sam called back.

He sounded worried.
""",
    "2026-03-03-email": """---
date: 2026-03-03 09:05:07
kind: email
---
""",
    "2026-03-04-payment": """---
date: 2026-03-04
kind: payment
amount: "0.30"
method: bank-transfer
ref: BACS-77
applies_to: INV-2
---
""",
    "2026-03-05-fee": """---
date: 2026-03-05
kind: fee
amount: 40.5
reason: Late payment fee
---
""",
    "2026-03-06-credit": """---
date: 2026-03-06
kind: credit
amount: 10
reason: goodwill
---
""",
    "2026-03-07-dispute": """---
date: 2026-03-07
kind: dispute
state: open
ref: INV-2
---
""",
    "2026-03-08-note": """---
date: 2026-03-08
kind: note
corrects: 2026-03-06-credit
summary: The credit was entered twice
---
""",
}

PLANS = {
    "2026-03-10-plan": """---
agreed: 2026-03-10
amount: 1200.00
schedule:
  start: 2026-04-01
  every: month
  count: 6
grace_days: 3
broken_after: 1
discount: {percent: 5, if_paid_by: 2026-05-01}
by: jo
summary: Six monthly payments after job loss
tags: [hardship]
extra: {approved_by: team-lead}
---
Terms as explained to Sam.
""",
    "2026-04-10-plan": """---
agreed: 2026-04-10
installments:
  - {due: 2026-06-01, amount: 300}
  - {due: 2026-05-01, amount: 100.5}
discount: {amount: 50, if_paid_by: 2026-06-01}
supersedes: 2026-03-10-plan
---
""",
    "2026-04-11-plan": """---
agreed: 2026-04-11
schedule: {start: 2026-01-31, every: quarter, installment: "250"}
supersedes: 2026-04-10-plan
---
""",
}


@pytest.fixture
def full(records):
    records.write("cases/acme/case.md", CASE)
    for note_id, text in NOTES.items():
        records.write(f"cases/acme/notes/{note_id}.md", text)
    for plan_id, text in PLANS.items():
        records.write(f"cases/acme/plans/{plan_id}.md", text)
    return records


def exponents(*amounts: Decimal) -> list[int]:
    return [amount.as_tuple().exponent for amount in amounts]


def test_full_case_loads_without_problems(full):
    portfolio = load(full.root)
    assert portfolio.problems == ()
    assert check(portfolio, date(2026, 6, 1)) == []


def test_case_record_has_every_field(full):
    case = load(full.root).case("acme")
    path = "cases/acme/case.md"
    expected = Case(
        id="acme",
        debtor=Debtor(
            name="Acme Bakery Ltd",
            kind="business",
            contacts=(Contact("email", "accounts@acme.example", True), Contact("phone", "+44 20 7946 0000", False),
                      Contact("post", "1 High Street", False)),
            address="1 High Street\nLeeds LS1 1AA\n",
        ),
        currency="EUR",
        opened=date(2026, 2, 1),
        source=Source(path),
        owner="jo",
        status="on-hold",
        tags=("wholesale", "north"),
        circumstances=("job-loss", "cash-flow"),
        vulnerable=True,
        do_not_contact=("sms",),
        interest=Interest("simple", Decimal("8.5")),
        story=STORY,
    )
    bare = type(case)(**{name: getattr(case, name) for name in case.__dataclass_fields__
                         if name not in ("notes", "plans", "unreadable")})
    assert bare == expected
    assert case.extra == {"crm_id": "4711", "labels": ["a", "b"], "nested": {"empty": None, "quoted": "yes"}}
    assert type(case.extra) is dict and type(case.extra["labels"]) is list
    assert case.source.at("opened").line == 15
    assert (case.source.at("debtor.contacts").line, case.source.at("debtor.contacts").column) == (6, 5)
    assert (case.source.at("interest.rate").line, case.source.at("interest.rate").column) == (22, 32)
    assert case.unreadable == frozenset()


def test_notes_are_chronological_typed_records(full):
    case = load(full.root).case("acme")
    assert [note.id for note in case.notes] == sorted(NOTES)

    def note(note_id, kind, day, detail, **fields):
        return Note(id=note_id, case="acme", kind=kind, date=day, time=fields.pop("time", None), detail=detail,
                    source=Source(f"cases/acme/notes/{note_id}.md"), **fields)

    expected = [
        note("2026-02-01-invoice", "invoice", date(2026, 2, 1),
             Invoice("INV-1", Decimal("1250.00"), date(2026, 3, 1), date(2026, 1, 30), "Bread, February"),
             by="jo", summary="Invoice INV-1", tags=("bread",), body="Sent with the delivery.\n"),
        note("2026-02-02-invoice", "invoice", date(2026, 2, 2),
             Invoice("INV-2", Decimal("99.90"), date(2026, 3, 2), date(2026, 2, 2))),
        note("2026-03-02-call", "call", date(2026, 3, 2), Contacting("in", "spoke"), time=time(14, 30), by="jo",
             summary="Sam rang, can pay from April", follow_up=date(2026, 3, 9),
             promise=Promise(Decimal("200.00"), date(2026, 4, 1)), body="Sam called back.\n\nHe sounded worried.\n"),
        note("2026-03-03-email", "email", date(2026, 3, 3), Contacting("out", None), time=time(9, 5, 7)),
        note("2026-03-04-payment", "payment", date(2026, 3, 4),
             Payment(Decimal("0.30"), "bank-transfer", "BACS-77", "INV-2")),
        note("2026-03-05-fee", "fee", date(2026, 3, 5), Fee(Decimal("40.50"), "Late payment fee")),
        note("2026-03-06-credit", "credit", date(2026, 3, 6), Credit(Decimal("10.00"), "goodwill")),
        note("2026-03-07-dispute", "dispute", date(2026, 3, 7), Dispute("open", "INV-2")),
        note("2026-03-08-note", "note", date(2026, 3, 8), None, corrects="2026-03-06-credit",
             summary="The credit was entered twice"),
    ]
    assert list(case.notes) == expected
    assert case.note("2026-03-02-call").extra == {"minutes": "12"}
    assert case.note("2026-02-01-invoice").extra is None
    amounts = [n.amount for n in case.notes if n.amount is not None]
    assert [str(a) for a in amounts] == ["1250.00", "99.90", "0.30", "40.50", "10.00"]
    assert exponents(*amounts) == [-2] * 5
    assert all(isinstance(a, Decimal) for a in amounts)


def test_plans_have_every_field(full):
    case = load(full.root).case("acme")
    first, second, third = case.plans
    assert first == Plan(
        id="2026-03-10-plan", case="acme", agreed=date(2026, 3, 10), source=Source("cases/acme/plans/2026-03-10-plan.md"),
        amount=Decimal("1200.00"), schedule=Schedule(date(2026, 4, 1), "month", 6, None), installments=None,
        grace_days=3, broken_after=1, discount=Discount(date(2026, 5, 1), Decimal("5"), None), supersedes=None,
        by="jo", summary="Six monthly payments after job loss", tags=("hardship",),
        body="Terms as explained to Sam.\n",
    )
    assert first.extra == {"approved_by": "team-lead"}
    assert second == Plan(
        id="2026-04-10-plan", case="acme", agreed=date(2026, 4, 10), source=Source("cases/acme/plans/2026-04-10-plan.md"),
        installments=(Installment(date(2026, 5, 1), Decimal("100.50")), Installment(date(2026, 6, 1), Decimal("300.00"))),
        discount=Discount(date(2026, 6, 1), None, Decimal("50.00")), supersedes="2026-03-10-plan",
    )
    assert (second.grace_days, second.broken_after) == (7, 2)  # the defaults without arrears.toml
    assert third.schedule == Schedule(date(2026, 1, 31), "quarter", None, Decimal("250.00"))
    assert exponents(first.amount, third.schedule.installment, *(i.amount for i in second.installments)) == [-2] * 4
    assert first.source.at("schedule.count").line == 7
    assert second.source.at("installments[1].amount").line == 5


def test_plan_defaults_come_from_arrears_toml(records):
    records.write("arrears.toml", '[plans]\ngrace_days = 10\nbroken_after = 3\n')
    records.case("acme")
    records.plan("acme", "p", "agreed: 2026-03-10\nschedule: {start: 2026-04-01, every: week, count: 2}\n")
    (plan,) = load(records.root).case("acme").plans
    assert (plan.grace_days, plan.broken_after) == (10, 3)


@pytest.mark.parametrize("written", ["1250.5", '"1250.5"', "1250.50", "'1250.50'", '" 1250.50"', "01250.50"])
def test_quoted_and_unquoted_money_are_the_same_exact_amount(records, written):
    records.case("acme")
    records.note("acme", "p", f"date: 2026-03-02\nkind: payment\namount: {written}\n")
    (note,) = load(records.root).case("acme").notes
    assert note.amount == Decimal("1250.50") and str(note.amount) == "1250.50"


def test_money_takes_the_exponent_of_the_case_currency(records):
    records.case("yen", front="debtor: {name: Sato, kind: individual}\nopened: 2026-01-15\ncurrency: JPY\n")
    records.case("dinar", front="debtor: {name: Ali, kind: individual}\nopened: 2026-01-15\ncurrency: KWD\n")
    records.note("yen", "p", "date: 2026-03-02\nkind: payment\namount: 15000\n")
    records.note("dinar", "p", "date: 2026-03-02\nkind: payment\namount: 12.5\n")
    portfolio = load(records.root)
    assert portfolio.problems == ()
    assert str(portfolio.case("yen").notes[0].amount) == "15000"
    assert str(portfolio.case("dinar").notes[0].amount) == "12.500"


def test_case_currency_defaults_to_arrears_toml(records):
    records.write("arrears.toml", 'currency = "USD"\n')
    records.case("acme")
    assert load(records.root).case("acme").currency == "USD"


def test_bom_and_crlf_are_tolerated_with_the_right_lines(records):
    records.case("acme")
    text = "---\ndate: 2026-03-02\nkind: payment\n\namount: 12.50\nmethod: card\n---\nLine one.\nLine two.\n"
    records.write("cases/acme/notes/p.md", ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    records.write("cases/acme/notes/bad.md", ("\ufeff" + text.replace("card", "carrd").replace("\n", "\r\n")).encode())
    portfolio = load(records.root)
    (note,) = portfolio.case("acme").notes
    assert note.amount == Decimal("12.50")
    assert note.body == "Line one.\nLine two.\n"
    assert (note.source.at("amount").line, note.source.at("amount").column) == (5, 9)
    assert [(p.path, p.line, p.column, p.code) for p in portfolio.problems] == [
        ("cases/acme/notes/bad.md", 6, 9, "bad-value")]


def test_body_is_kept_verbatim_including_fences_and_blank_lines(records):
    records.case("acme")
    body = "\n\n# Heading\n\n---\n\n```yaml\nkind: not-front-matter\n---\n```\n\n  trailing spaces  \n"
    records.note("acme", "n", "date: 2026-03-02\nkind: note\n", body=body)
    records.note("acme", "empty", "date: 2026-03-02\nkind: note\n", body="")
    case = load(records.root).case("acme")
    assert case.note("n").body == body
    assert case.note("empty").body == ""


def test_a_note_with_an_error_is_unreadable_not_half_loaded(records):
    records.case("acme")
    records.note("acme", "bad", "date: 2026-03-02\nkind: payment\namount: -5\n")
    records.note("acme", "good", "date: 2026-03-02\nkind: payment\namount: 5\n")
    case = load(records.root).case("acme")
    assert [n.id for n in case.notes] == ["good"]
    assert case.unreadable == frozenset({"bad"})


# -- finding the records root ------------------------------------------------------


@pytest.fixture
def no_env_root(monkeypatch):
    monkeypatch.delenv("ARREARS_ROOT", raising=False)


def test_explicit_root_wins_over_the_environment(records, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("ARREARS_ROOT", str(other))
    assert find_root(records.root) == records.root.resolve()
    assert find_root(str(records.root)) == records.root.resolve()


def test_environment_root_is_used_without_an_explicit_one(records, monkeypatch, tmp_path):
    monkeypatch.setenv("ARREARS_ROOT", str(records.root))
    assert find_root(cwd=tmp_path) == records.root.resolve()


def test_missing_explicit_root_is_refused(tmp_path, no_env_root):
    with pytest.raises(RootNotFound, match="not a folder"):
        find_root(tmp_path / "nope")


@pytest.mark.parametrize("marker", ["arrears.toml", "cases"])
def test_root_is_found_by_walking_up_from_a_nested_folder(records, no_env_root, marker):
    if marker == "arrears.toml":
        records.write("arrears.toml", 'name = "Northwind"\n')
    nested = records.root / "cases" / "acme" / "notes"
    nested.mkdir(parents=True)
    if marker == "arrears.toml":
        (records.root / "cases").rename(records.root / "records")
        nested = records.root / "records" / "acme" / "notes"
    assert find_root(cwd=nested) == records.root.resolve()
    assert find_root(cwd=records.root) == records.root.resolve()


def test_the_nearest_repository_wins(records, no_env_root):
    inner = records.root / "archive" / "2025"
    (inner / "cases").mkdir(parents=True)
    (records.root / "cases").mkdir()
    assert find_root(cwd=inner / "cases") == inner.resolve()


def test_no_repository_anywhere_is_a_clear_error(tmp_path, no_env_root):
    start = tmp_path / "empty" / "deeper"
    start.mkdir(parents=True)
    if any((folder / "cases").is_dir() or (folder / "arrears.toml").is_file() for folder in start.resolve().parents):
        pytest.skip("a records repository above the temp folder")
    with pytest.raises(RootNotFound) as raised:
        find_root(cwd=start)
    assert "--root" in str(raised.value) and "ARREARS_ROOT" in str(raised.value)


# --- a byte-order mark ----------------------------------------------------------------------------

def test_a_byte_order_mark_is_read_past_and_a_bad_byte_after_it_is_placed_exactly():
    """Windows editors may start a file with a BOM: the record reads as without one, and a byte
    that is not UTF-8 is placed at its own line and column, the BOM not counted."""
    from arrears.records.yamlsafe import read_document

    record = b"---\nkind: note\ndate: 2026-03-02\n---\nSpoke to Priya.\n"
    plain, marked = read_document(record), read_document(b"\xef\xbb\xbf" + record)
    assert marked == plain and not marked.problems and marked.body == "Spoke to Priya.\n"
    broken = read_document(b"\xef\xbb\xbf---\nkind: note\nby: J\xffo\n---\n")
    assert [(p.pos.line, p.pos.column, p.code) for p in broken.problems] == [(3, 6, "not-utf8")]
