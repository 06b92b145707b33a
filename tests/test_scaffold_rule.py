"""The untouched-scaffold rule finds a prompt however the body wraps it, and nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from arrears.rules.scaffolding import PROMPTS, _untouched

_SPACE = st.sampled_from([" ", "\n", "  ", "\n\n", "\t", " \n  "])


@st.composite
def wrapped(draw, prompt):
    """`prompt` with each space a run of white space, as an editor's wrapping leaves it."""
    words = prompt.split()
    return words[0] + "".join(draw(_SPACE) + word for word in words[1:])


@given(st.data(), st.sampled_from(list(PROMPTS.values())), st.text(max_size=40), st.text(max_size=40))
def test_a_prompt_is_found_however_it_is_wrapped(data, prompt, before, after):
    body = before + " " + data.draw(wrapped(prompt)) + " " + after
    found = _untouched(body)
    assert found is not None and found in " ".join(body.split())


@given(st.text(max_size=300))
def test_what_holds_no_prompt_is_left_alone(body):
    normal = " ".join(body.split())
    assert (_untouched(body) is None) == (not any(prompt in normal for prompt in PROMPTS.values()))


def test_a_prompt_cut_short_is_not_a_prompt():
    for prompt in PROMPTS.values():
        assert _untouched(prompt[:-2]) is None and _untouched(prompt) == prompt
