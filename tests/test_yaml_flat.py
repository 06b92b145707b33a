"""The flat front-matter path (`compose_flat`) reads a file exactly as libyaml does, or leaves it.

It is a shortcut past the parser for front matter made only of `key: value`
lines, so the property is equality: for any text, either it declines (None)
or its nodes, positions included, are the ones `compose_yaml` builds, with no
problem found. The other tests make sure it is taken where it should be
(the demo's notes), so a path that always declines cannot pass.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from arrears.records import yamlsafe
from arrears.records.yamlsafe import compose, compose_flat, compose_yaml, read_document

ROOT = Path(__file__).resolve().parent.parent

# Characters with a meaning somewhere in YAML, the line breaks YAML knows beyond LF, controls, a
# byte-order mark, non-breaking and wide spaces, and ordinary letters, digits and symbols.
TRICKY = list("-?:,[]{}#&*!|>'\"%@`~ \t.=+/\\()$£€") + ["\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x07",
                                                    "\xa0", "\u3000", "\r", "é", "ß", "日", "\U0001f600"]
LETTERS = list("abcxyzAZ019_")
keys = st.text(st.sampled_from(LETTERS + list("-_ :#'\"")), min_size=1, max_size=8)
values = st.text(st.sampled_from(LETTERS + TRICKY), min_size=0, max_size=12)
line = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", keys, values),
    st.builds(lambda k, spaces, v: f"{k}:{' ' * spaces}{v}", keys, st.integers(0, 3), values),
    st.builds(lambda k, v: f"  {k}: {v}", keys, values),  # indented: nested, or an error
    st.sampled_from(["", "# a comment", "- item", "---", "...", "key:", "a: b: c", "a: [1, 2]", "a: {b: c}",
                     "<<: x", "? a", "a: &x 1", "b: *x", "a: !tag v", "a: 'q'", 'a: "q"', "a: |", "%YAML 1.1",
                     "key: 2026-01-02", "kind: payment", "amount: 12.50", "date: 2026-11-23"]),
)
fronts = st.lists(line, min_size=0, max_size=6).map(lambda lines: "".join(f"{item}\n" for item in lines))


@settings(max_examples=3000, deadline=None)
@given(fronts, st.integers(1, 5))
@example("a: b\na: c\n", 2)  # a repeated key: libyaml's path reports it
@example("a: b #c\n", 2)
@example("a: b\u2028c\n", 2)
@example("a: x\xa0\n", 2)
@example("summary: Paid, thanks [ref 12] {ok}\n", 2)
def test_the_flat_path_gives_libyamls_nodes_or_declines(text, first_line):
    flat = compose_flat(text, first_line)
    if flat is None:
        return
    node, problems = compose_yaml(text, first_line)
    assert problems == []
    assert flat == node


def test_every_demo_note_takes_the_flat_path_and_reads_the_same():
    notes = sorted((ROOT / "cases").glob("*/notes/*.md"))
    assert len(notes) > 100
    taken = 0
    for path in notes:
        document = read_document(path.read_bytes())
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        front = text[text.index("\n") + 1:yamlsafe._FENCE.search(text, 4).start()]
        flat = compose_flat(front, 2)
        if flat is not None:
            taken += 1
            assert flat == compose_yaml(front, 2)[0] == document.front, path
    assert taken >= 0.8 * len(notes), f"only {taken} of {len(notes)} notes took the flat path"


def test_what_the_flat_path_declines_still_gets_libyamls_problems():
    node, problems = compose("date: 2026-01-02\ndate: 2026-01-03\n", 2)
    assert [(p.code, p.pos) for p in problems] == [("duplicate-key", yamlsafe.Pos(3, 1))]
    node, problems = compose("summary: a: b\n", 2)
    assert node is None and problems[0].code == "yaml-syntax" and problems[0].pos.line == 2
    assert compose_flat("summary: 'quoted'\n") is None
    assert compose_flat("debtor:\n  name: A\n") is None
    assert compose_flat("") is None
