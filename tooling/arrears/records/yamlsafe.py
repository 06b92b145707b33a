"""Reads a record's front matter into position-carrying YAML nodes, safely.

PyYAML's C parser (`CBaseLoader`) composes the node tree and nothing is
constructed: every scalar stays the text the user typed, so money can be read
exactly as `Decimal` and only the schema decides what `yes` or `1e3` means.
On top of that this module rejects what the records contract rules out:
anchors and aliases, merge keys, explicit tags, duplicate keys, complex keys. Each node
keeps the file line and column it came from, so every later problem can point
there. Nothing here raises at bad input: problems come back as values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple, Union

import yaml

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import BaseLoader as _Parser  # type: ignore[assignment]

_KIND_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_Parser):  # type: ignore[misc, valid-type]
    """The C parser alone, with implicit typing switched off: every untagged scalar is text.

    PyYAML calls `resolve` once per node; answering by node kind alone skips
    the base resolver's Python work, which is most of the loader's cost. It is
    the parser without a constructor or a resolver to set up (a loader's
    `__init__` and its path resolvers were 3 % of `check`), so those two calls
    on the way in and out of each node do nothing: nothing here resolves by path.
    """

    def resolve(self, kind, value, implicit):
        return _KIND_TAGS[kind]

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

_DEFAULT_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


class Pos(NamedTuple):
    """A 1-based line and column in a record file.

    Pos and Scalar are named tuples, as immutable as the frozen dataclasses
    beside them and made in two thirds of the time: there is one of each for
    every key and value of every record, 540 a case.
    """

    line: int
    column: int


class Scalar(NamedTuple):
    text: str
    plain: bool  # written without quotes or block style, so `~` means null
    pos: Pos

    @property
    def is_null(self) -> bool:
        return self.plain and self.text in _NULLS


@dataclass(frozen=True, slots=True)
class Mapping:
    pairs: tuple[tuple[Scalar, "Node"], ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple["Node", ...]
    pos: Pos


Node = Union[Scalar, Mapping, Sequence]


@dataclass(frozen=True, slots=True)
class YamlProblem:
    pos: Pos
    code: str
    message: str


class Document(NamedTuple):
    """A record file split into its front matter (as nodes) and Markdown body (a named tuple, as
    immutable as a frozen dataclass and made in a fraction of the time: one a record file)."""

    front: Mapping | None
    body: str
    body_line: int  # file line where the body starts
    problems: tuple[YamlProblem, ...]


def read_document(data: bytes) -> Document:
    """Split and parse one record file: fence, YAML mapping, fence, Markdown body."""
    text, problem = _decode(data)
    if problem:
        return Document(None, "", 1, (problem,))
    if not text.strip():
        return _failed(Pos(1, 1), "empty-file", "the file is empty: a record opens with a '---' line")
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[:first_end]
    if first_line.rstrip() != "---":
        return _failed(
            Pos(1, 1),
            "no-front-matter",
            "a record must open with a line '---', then YAML front matter, then a closing '---'",
        )
    closing = _FENCE.search(text, first_end + 1) if first_end >= 0 else None
    if closing is None:
        return _failed(
            Pos(1, 1), "unclosed-front-matter", "the front matter opened on line 1 has no closing '---' line"
        )
    front_text = text[first_end + 1 : closing.start()]
    body_start = closing.end() + 1
    body_line = text.count("\n", 0, closing.start()) + 2
    node, problems = compose(front_text, first_line=2)
    if node is None and not problems:
        problems = [YamlProblem(Pos(2, 1), "not-a-mapping", "the front matter is empty: it must be a YAML mapping of keys")]
    elif node is not None and not isinstance(node, Mapping):
        problems = [YamlProblem(node.pos, "not-a-mapping", "the front matter must be a YAML mapping of keys")]
        node = None
    # Duplicate keys and tags leave a usable tree: the schema still reads it, so
    # one run reports those problems together with everything else in the file.
    return Document(node, text[body_start:], body_line, tuple(problems))


def compose(text: str, first_line: int = 1) -> tuple[Node | None, list[YamlProblem]]:
    """Parse YAML text into nodes; `first_line` is the file line the text starts on."""
    flat = compose_flat(text, first_line)
    if flat is not None:
        return flat, []
    return compose_yaml(text, first_line)


# One `key: value` line whose value YAML can only read as that same plain text: a key of word
# characters at the left edge, ': ' and spaces, then a value that starts with no indicator
# (- ? : , [ ] { } # & * ! | > ' " % @ ` or a space), holds no ': ' or ' #', does not end in ':'
# or a space, and has only characters YAML prints (no tab, no control character, no byte-order
# mark, none of the line breaks NEL, LS and PS).
_PRINTED = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_PLAIN = _PRINTED.replace("\x20-\x7e", "\x20-\x22\x24-\x39\x3b-\x7e")  # less '#' and ':', taken one by one
_FLAT = re.compile(
    "([A-Za-z_][A-Za-z0-9_-]{0,99}): +"  # the key
    "(?![-?:,\\[\\]{}#&*!|>'\"%@`\\s])"  # the value's first character is no indicator
    f"((?:[{_PLAIN}]|:(?=[^ \\n])|(?<! )#)+)(?<! )\\n"  # ':' not before a space, '#' not after one
)
_new = tuple.__new__  # a named tuple without its Python-level __new__: four of them a line


def compose_flat(text: str, first_line: int = 1) -> Mapping | None:
    """The nodes of front matter that is nothing but `key: value` lines, as `compose_yaml` would
    give them, without the parser; None for anything else (nested, quoted, a comment, a blank
    line, a repeated key...), which `compose_yaml` then reads.

    Nearly every note is such a mapping, and reading it with one regular expression takes half
    the time of libyaml's nodes turned into ours; the positions are the line and the match's column.
    """
    end = 0
    pairs = []
    seen = set()
    number = first_line
    for line in _FLAT.finditer(text):
        start = line.start()
        if start != end:  # something between two lines the expression took
            return None
        end = line.end()
        key, value = line.groups()
        if key in seen:
            return None
        seen.add(key)
        pairs.append((_new(Scalar, (key, True, _new(Pos, (number, 1)))),
                      _new(Scalar, (value, True, _new(Pos, (number, line.start(2) - start + 1))))))
        number += 1
    if not pairs or end != len(text):
        return None
    return Mapping(tuple(pairs), _new(Pos, (first_line, 1)))


def compose_yaml(text: str, first_line: int = 1) -> tuple[Node | None, list[YamlProblem]]:
    """Parse any YAML text into nodes with libyaml: what `compose` falls back to."""
    if "&" in text or "*" in text:
        problems = _anchor_problems(text, first_line)
        if problems:
            return None, problems
    try:
        raw = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, text, first_line)]
    except yaml.reader.ReaderError as error:
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return None, [YamlProblem(_byte_pos(text, error.position, first_line), "yaml-syntax",
                                  f"YAML syntax: the character U+{code:04X} is not allowed ({error.reason})")]
    except (yaml.YAMLError, ValueError) as error:
        return None, [YamlProblem(Pos(first_line, 1), "yaml-syntax", f"YAML syntax: {error}")]
    if raw is None:
        return None, []
    problems: list[YamlProblem] = []
    return _convert(raw, first_line, problems), problems


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, first_line: int) -> YamlProblem:
    """Where the parser gave up, or, when it ran off the end of the front matter, where
    the unfinished thing (a quoted value, a bracket) began: the closing '---' is never the culprit."""
    mark = error.problem_mark or error.context_mark
    reason = error.problem or error.context or "invalid YAML"
    if error.context and error.context_mark and error.problem_mark:
        ran_off = "end of stream" in (error.problem or "") or error.problem_mark.line >= text.count("\n")
        if ran_off:
            mark = error.context_mark
            what = error.context.removeprefix("while ").removeprefix("scanning ").removeprefix("parsing ")
            reason = f"{what} starts here but never ends (a missing closing quote or bracket?)"
        elif error.context_mark.line != error.problem_mark.line:
            reason = f"{reason} ({error.context} that starts on line {error.context_mark.line + first_line})"
    pos = Pos(mark.line + first_line, mark.column + 1) if mark else Pos(first_line, 1)
    lines = text.splitlines()  # "{\n" is one line: the parser's mark may be just past the last
    hint = _plain_hint(reason, lines[mark.line] if mark and mark.line < len(lines) else "")
    return YamlProblem(pos, "yaml-syntax", f"YAML syntax: {reason}{hint}")


def _plain_hint(reason: str, line: str) -> str:
    """What the parser's words usually mean, in plain ones, with the fix."""
    key, colon, value = line.partition(": ")
    if "mapping values are not allowed" in reason and colon and ": " in value and value.strip()[:1] not in "\"'":
        return (f"; a value that contains ': ' must be in quotes, e.g. {key.strip()}: "
                f"\"{value.strip().replace(chr(34), chr(39))}\"")
    if "mapping values are not allowed" in reason and line[:1] in (" ", "\t"):
        return "; this line is indented but the line above starts no list or mapping: start it at the left edge"
    if "tab" in reason:
        return "; YAML does not allow tabs for indenting: use spaces"
    if "could not find expected ':'" in reason:
        return "; each line of the front matter is 'key: value' (a value with '#' or a quote inside needs quotes)"
    return ""


def _byte_pos(text: str, offset: int, first_line: int) -> Pos:
    """The line and column of a UTF-8 byte offset into `text` (libyaml counts bytes)."""
    before = text.encode("utf-8")[:offset].decode("utf-8", "ignore")
    return Pos(before.count("\n") + first_line, len(before) - (before.rfind("\n") + 1) + 1)


def to_python(node: Node) -> object:
    """Plain Python data (str, list, dict) for free-form `extra:` values."""
    if isinstance(node, Scalar):
        return None if node.is_null else node.text
    if isinstance(node, Sequence):
        return [to_python(item) for item in node.items]
    return {key.text: to_python(value) for key, value in node.pairs}


def _convert(raw: yaml.Node, first_line: int, problems: list[YamlProblem]) -> Node:
    mark = raw.start_mark
    pos = Pos(mark.line + first_line, mark.column + 1)
    if raw.tag not in _DEFAULT_TAGS:
        problems.append(YamlProblem(pos, "yaml-tag", f"YAML tags such as {raw.tag!r} are not allowed in records"))
    kind = raw.__class__
    if kind is yaml.ScalarNode:
        return Scalar(raw.value, not raw.style, pos)  # the C parser gives '' for plain
    if kind is yaml.SequenceNode:
        return Sequence(tuple(_convert(item, first_line, problems) for item in raw.value), pos)
    pairs: list[tuple[Scalar, Node]] = []
    seen: dict[str, Pos] = {}
    for raw_key, raw_value in raw.value:
        key = _plain(raw_key, first_line) if _is_plain(raw_key) else _convert(raw_key, first_line, problems)
        if not isinstance(key, Scalar):
            problems.append(YamlProblem(key.pos, "complex-key", "a key must be a plain word, not a list or mapping"))
            continue
        if key.plain and key.text == "<<":
            problems.append(YamlProblem(key.pos, "yaml-merge", "YAML merge keys ('<<') are not allowed: write the keys out"))
            continue
        if key.text in seen:
            first = seen[key.text]
            problems.append(
                YamlProblem(key.pos, "duplicate-key", f"duplicate key {key.text!r} (first given on line {first.line})")
            )
            continue
        seen[key.text] = key.pos
        pairs.append((key, _plain(raw_value, first_line) if _is_plain(raw_value)
                      else _convert(raw_value, first_line, problems)))
    return Mapping(tuple(pairs), pos)


def _is_plain(raw: yaml.Node) -> bool:
    """An untagged scalar, as nearly every key and value is: made by `_plain`, without `_convert`'s checks."""
    return raw.__class__ is yaml.ScalarNode and raw.tag in _DEFAULT_TAGS


def _plain(raw: yaml.ScalarNode, first_line: int) -> Scalar:
    mark = raw.start_mark
    return Scalar(raw.value, not raw.style, Pos(mark.line + first_line, mark.column + 1))  # '' style: plain


def _anchor_problems(text: str, first_line: int) -> list[YamlProblem]:
    """Anchors and aliases make a record say one thing in two places: rejected."""
    problems = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            pos = Pos(mark.line + first_line, mark.column + 1)
            if isinstance(event, yaml.AliasEvent):
                problems.append(YamlProblem(pos, "yaml-alias", f"YAML alias *{event.anchor} is not allowed: write the value out"))
            elif getattr(event, "anchor", None):
                problems.append(YamlProblem(pos, "yaml-anchor", f"YAML anchor &{event.anchor} is not allowed: write the value out"))
    except yaml.YAMLError:
        return problems  # compose reports the syntax error itself
    return problems


def _decode(data: bytes) -> tuple[str, YamlProblem | None]:
    """The text, less a byte-order mark (stripped here: the "utf-8-sig" codec is a Python layer over
    UTF-8's, three times slower), with its line ends as LF; or where it stops being UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return "", YamlProblem(Pos(line, column), "not-utf8", "the file is not UTF-8 text: save it as UTF-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, None


def _failed(pos: Pos, code: str, message: str) -> Document:
    return Document(None, "", 1, (YamlProblem(pos, code, message),))
