"""Drafts never contradict the case: every tone x channel x demo case, at several dates, checked against the figures.

The demo (cases/ at the repository root) covers plans on track, behind and
broken, broken promises, disputes and settled cases; each date moves them
through their story. A firm or final draft is either refused for want of a
reason in the figures, or every sentence that states a fact agrees with them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arrears import money
from arrears.actions.tone import grounds
from arrears.ledger.compute import compute_case
from arrears.records.load import load
from arrears.views import messages

DEMO = Path(__file__).resolve().parents[1]
DATES = (date(2026, 3, 15), date(2026, 6, 30), date(2026, 11, 25), date(2027, 6, 1))


@pytest.fixture(scope="module")
def demo():
    return load(DEMO)


def _drafts(demo):
    for case in demo.cases:
        for as_of in DATES:
            figures = compute_case(case, demo.settings, as_of)
            for tone in messages.TONES:
                for channel in messages.MESSAGE_CHANNELS:
                    yield figures, tone, channel


def test_firm_and_final_need_a_reason_in_the_figures(demo):
    refused = drafted = 0
    for figures, tone, channel in _drafts(demo):
        if tone == "gentle":
            continue
        said = [r for r in messages.refusals(figures, tone, channel) if "needs a reason in the figures" in r]
        if grounds(figures):
            assert said == [], (figures.case.id, figures.as_of, tone)
            drafted += 1
        else:
            assert len(said) == 1, (figures.case.id, figures.as_of, tone)
            refused += 1
    assert refused and drafted  # the demo exercises both sides


def test_the_suggested_tone_is_never_refused_for_want_of_a_reason(demo):
    for case in demo.cases:
        for as_of in DATES:
            figures = compute_case(case, demo.settings, as_of)
            tone, _ = messages.suggest_tone(figures)
            assert not any("needs a reason" in r for r in messages.refusals(figures, tone, "letter")), \
                (case.id, as_of, tone)


def test_no_draft_says_what_the_figures_do_not(demo):
    checked = 0
    for figures, tone, channel in _drafts(demo):
        if messages.refusals(figures, tone, channel):
            continue  # refused (see above, and test_remind): never drafted without --force
        text = messages.render(figures, demo.settings, tone, channel, DEMO).text
        where = (figures.case.id, figures.as_of.isoformat(), tone, channel)
        flat = " ".join(text.split())
        plan = figures.plan if figures.plan is not None and figures.plan.status != "completed" else None
        if plan is not None:
            assert "agree a plan" not in flat and "agree a payment plan" not in flat, where
        if "keeping to our payment plan" in flat:
            assert plan is not None and plan.status == "on-track", where
        if "plan has lapsed" in flat:
            assert plan is not None and plan.status == "broken", where
        if figures.overdue <= 0:
            assert "overdue" not in flat.lower() and "past its due date" not in flat, where
        owed = (figures.overdue, figures.balance, figures.next_due.amount if figures.next_due else 0)
        stated = [money.display(amount, figures.currency) for amount in owed if amount > 0]
        assert any(amount in flat for amount in stated), where  # what is owed, as the ledger has it
        if tone != "gentle":
            assert messages.human_date(messages.deadline(figures, tone)) in flat, where
        checked += 1
    assert checked > 100
