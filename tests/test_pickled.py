"""`fast_pickle`: the listing data of every demo case survives the build cache's round trip unchanged."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import pytest

from arrears.actions.agenda import entry, start_of_day
from arrears.ledger.summary import summarize
from arrears.pickled import fast_pickle
from arrears.pipeline import load_checked
from arrears.ledger.compute import compute_case

DEMO = Path(__file__).resolve().parents[1]


def test_every_demo_summary_and_agenda_entry_round_trips():
    checked = load_checked(DEMO, date(2026, 11, 24))
    settings = checked.portfolio.settings
    seen = 0
    for case in checked.portfolio.cases:
        figures = compute_case(case, settings, date(2026, 11, 24))
        summary = summarize(figures)
        found = entry(figures, settings, start_of_day(date(2026, 11, 24), settings))
        for value in (summary, found):
            again = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            assert again == value and type(again) is type(value)
            seen += 1
    assert seen == 2 * len(checked.portfolio.cases) > 20


@fast_pickle
@dataclass(frozen=True, slots=True)
class Pair:
    left: int
    right: str = "r"


def test_the_pickled_state_is_the_fields_in_order():
    pair = Pair(1)
    assert pair.__getstate__() == [getattr(pair, f.name) for f in fields(Pair)] == [1, "r"]
    assert pickle.loads(pickle.dumps(pair)) == pair


def test_only_frozen_slotted_dataclasses():
    @dataclass
    class Loose:
        value: int

    with pytest.raises(AssertionError):
        fast_pickle(Loose)
