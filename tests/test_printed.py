"""The contexts of the print templates (views/printed.py): sender, recipient, the letter's words, the hooks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from arrears.ledger.compute import compute_case
from arrears.records.load import load
from arrears.site.templates import environment
from arrears.views import printed

AS_OF = date(2026, 5, 20)


def _books(records, address="Flat 2, 14 Elm Road\nLeeds LS6 3AB\n", sender=True):
    records.write("arrears.toml", 'name = "Northwind Supplies Ltd"\n' + (
        '[sender]\naddress = """\n1 Dock Road\n  Bristol BS1 4AB\n"""\nphone = "0117 496 0000"\n' if sender else ""))
    address_yaml = "  address: |\n" + "".join(f"    {line}\n" for line in address.splitlines()) if address else ""
    records.write("cases/mara/case.md", "---\ndebtor:\n  name: Mara Okafor\n  kind: individual\n"
                  "  contacts:\n    - {channel: post, value: 9 Post Lane}\n" + address_yaml + "opened: 2026-01-10\n---\n")
    records.note("mara", "2026-01-10-invoice", """
        date: 2026-01-10
        kind: invoice
        ref: INV-1
        amount: 500
        due: 2026-02-01
    """)
    portfolio = load(records.root)
    assert not portfolio.problems, portfolio.problems
    return portfolio, compute_case(portfolio.case("mara"), portfolio.settings, AS_OF)


def test_sender_and_recipient_come_from_arrears_toml_and_case_md(records):
    portfolio, figures = _books(records)
    context = printed.statement_context(figures, portfolio.settings)
    assert context["sender"] == {"name": "Northwind Supplies Ltd", "address": ["1 Dock Road", "Bristol BS1 4AB"],
                                 "phone": "0117 496 0000", "email": None,
                                 "return_line": "Northwind Supplies Ltd, 1 Dock Road, Bristol BS1 4AB"}
    assert context["recipient"] == {"name": "Mara Okafor", "address": ["Flat 2, 14 Elm Road", "Leeds LS6 3AB"]}
    assert context["date"] == "20 May 2026" and context["reference"] == "mara"
    assert [line.description for line in context["lines"]] == ["Invoice INV-1"]


def test_without_an_address_the_postal_contact_is_used_and_no_sender_is_fine(records):
    portfolio, figures = _books(records, address=None, sender=False)
    context = printed.statement_context(figures, portfolio.settings)
    assert context["recipient"]["address"] == ["9 Post Lane"]
    assert context["sender"]["address"] == [] and context["sender"]["return_line"] == "Northwind Supplies Ltd"


def test_the_letter_has_the_text_templates_words_without_their_head(records):
    portfolio, figures = _books(records)
    context = printed.letter_context(figures, portfolio.settings, "firm", records.root)
    assert context["paragraphs"][0] == "Dear Mara Okafor,"
    assert "Leeds LS6 3AB" not in "\n".join(context["paragraphs"])  # the address is the window's alone
    assert context["deadline"] == "3 June 2026" and any("3 June 2026" in p for p in context["paragraphs"])
    assert context["subject"] == "Your account: £500.00 outstanding"
    assert context["enclosures"] == [] and context["statement"]["lines"]


def test_an_overridden_letter_template_is_used_for_the_pdf_too(records):
    portfolio, figures = _books(records)
    records.write("templates/messages/letter-gentle.txt", "{% include 'partials/letter-head.txt' %}\nHello {{ debtor.name }}.\n")
    assert printed.letter_text(figures, portfolio.settings, "gentle", records.root) == "Hello Mara Okafor.\n"


def test_no_interest_figures_print_no_workings(records):
    portfolio, figures = _books(records)
    context = printed.statement_context(figures, portfolio.settings)
    assert context["charges"] == []
    html = environment(records.root).get_template("print/statement.html").render(**context)
    assert "Interest and compensation" not in html and 'class="workings"' not in html


def test_interest_workings_print_once_the_ledger_gives_them(records):
    """The shape the interest ledger gives (`figures.charges`, each with `periods`): one row per period."""
    period = SimpleNamespace(principal=Decimal("2000.00"), start=date(2025, 7, 16), end=date(2025, 8, 29), days=45,
                             rate=Decimal("12.25"), amount=Decimal("30.2054794520547945"))
    charge = SimpleNamespace(label="Interest on INV-7", amount=Decimal("30.21"), periods=(period,))
    compensation = SimpleNamespace(label="Compensation on INV-7", amount=Decimal("70.00"), periods=())
    charges = printed.charges(SimpleNamespace(charges=(charge, compensation)))
    assert [c.label for c in charges] == ["Interest on INV-7", "Compensation on INV-7"]
    html = environment(records.root).get_template("print/partials/workings.html").render(
        charges=charges, currency="GBP", interest_daily=Decimal("0.67"))
    for text in ("Interest on INV-7", "£2,000.00", "16 Jul 2025", "29 Aug 2025", ">45<", "12.25%", "£30.21",
                 "Compensation on INV-7", "£70.00", "£0.67 a day"):
        assert text in html, text


def test_a_letter_can_enclose_the_statement_of_account(records):
    portfolio, figures = _books(records)
    context = printed.letter_context(figures, portfolio.settings, "final", records.root)
    env = environment(records.root)
    assert 'class="enclosure"' not in env.get_template("print/letter.html").render(**context)
    context["enclosures"] = ["Statement of account"]
    html = env.get_template("print/letter.html").render(**context)
    assert "Enclosed: Statement of account" in html
    enclosure = html.split('<section class="enclosure">', 1)[1]
    assert "Invoice INV-1" in enclosure and "Balance as of 20 May 2026" in enclosure
