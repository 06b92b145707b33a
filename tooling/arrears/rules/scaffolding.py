"""Untouched scaffold text: guidance `arrears new` once wrote into a record's body, left as it was.

Records are append-only, so a placeholder that slips into a committed body
stays in the permanent record and shows on `show` and the site. `new` now
writes its guidance as YAML comments only (`PROMPTS`, shared with
`views.scaffold`); this rule catches bodies still holding a prompt, whether
from an older scaffold or copied from the docs.
"""

from __future__ import annotations

import re
from typing import Iterator

from arrears.problems import Problem
from arrears.records.model import Case

PROMPTS = {
    "case": "The debtor's story, in their words where possible: what happened, what they can pay, what they asked for.",
    "contact": "What was said, and how the debtor is doing. Write it down while it is fresh.",
    "note": "What this is and why.",
    "correction": "What was wrong in the note this corrects, and how you found out.",
    "breathing-space": ("Who told us (the debt adviser or the Insolvency Service) and when. While it lasts: no "
                        "interest, fees or charges, and no contact asking for payment; payments the debtor chooses "
                        "to make still count."),
    "plan": "The terms as explained to the debtor, and how they agreed (call, email, letter).",
}
"""The guidance for each record's body, as `new` writes it in a comment above the closing `---`."""


_ANY_PROMPT = re.compile("|".join(r"\s+".join(map(re.escape, prompt.split())) for prompt in PROMPTS.values()))
"""Any prompt, its spaces matching any run of white space (a body may wrap it over lines): one pass
over a body instead of normalising its white space and looking for each prompt (5 % of a build)."""


_LAST_WORD = re.compile("|".join(f"{re.escape(word[-1])}(?<={re.escape(word)})"
                                 for word in sorted({prompt.split()[-1] for prompt in PROMPTS.values()})))
"""Any prompt's last word ("fresh.", "why."), which a body holds whenever it holds the prompt, however
wrapped. Few bodies hold any, so most are passed before the full pattern. Each word is found by its
last character, then looked behind: the engine scans for that one character, five times faster than
six substring tests."""


def _untouched(body: str) -> str | None:
    if _LAST_WORD.search(body) is None:
        return None
    found = _ANY_PROMPT.search(body)
    if found is None:
        return None
    said = " ".join(found.group(0).split())
    return next(prompt for prompt in PROMPTS.values() if prompt == said)


def untouched_scaffold_text(case: Case, context: object = None) -> Iterator[Problem]:
    """A warning for each body that still holds the scaffold's guidance: replace it with what happened."""
    records = [(case.source, case.story, "the story")]
    records += [(note.source, note.body, "the note") for note in case.notes]
    records += [(plan.source, plan.body, "the plan") for plan in case.plans]
    for source, body, what in records:
        prompt = _untouched(body)
        if prompt is not None:
            yield source.problem(None, "scaffold-text",
                                 f"{what} still reads {prompt!r}, the guidance `arrears new` gave: "
                                 "replace it with what happened, before you commit",
                                 "warning")
