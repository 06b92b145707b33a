"""Markdown from the records, rendered so that nothing in it can run in a reader's browser.

Notes are written by people and sometimes pasted from emails, so the renderer
trusts none of it: raw HTML is shown as text (`html=False`), bare URLs stay
text (no linkify), links keep only http(s), mailto, tel and relative targets,
and images load only from relative paths (the site's own attachments). Links
into a case's `files/` folder are rewritten to where the site copies them.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, MutableMapping
from urllib.parse import unquote

from markupsafe import Markup

from arrears.site.attachments import published_name

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url` (lower case), or None for a relative URL.

    Browsers ignore tabs, newlines and control characters inside a scheme and
    decode character references in attributes; percent-encoding is undone too,
    so all of these are removed before looking.
    Anything with a colon before the first `/`, `?` or `#` counts as having a
    scheme, even if it is not a valid one: better refused than guessed.
    """
    text = _INVISIBLE.sub("", html.unescape(unquote(url))).lower()
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    if ":" not in head:
        return None
    match = _SCHEME.match(head)
    return match.group(1) if match else "invalid"


def is_safe_link(url: str) -> bool:
    """http(s), mailto, tel or relative: the only targets a link in a record may have."""
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def is_relative_path(url: str) -> bool:
    """A path relative to the page: no scheme, no host, not rooted (`/x`, `//host`, `\\\\host`)."""
    cleaned = _INVISIBLE.sub("", html.unescape(unquote(url)))
    return url_scheme(url) is None and not cleaned.startswith(("/", "\\"))


_PROSE_CHARS = r"A-Za-z0-9 ,.;:'\"?!()%/+=£€$-"
# `**` that can only open (at the start of a line or after a space, before a letter or digit) around
# text without `*`, then `**` that can only close (after a letter or digit, before the end of the line,
# a space or punctuation that cannot start markup): always <strong>, whatever is around it.
_STRONG = rf"\*\*[A-Za-z0-9](?:[{_PROSE_CHARS}]*[A-Za-z0-9])?\*\*(?=[ ,.;:!?)]|\Z)"
_PROSE_LINE = re.compile(rf"(?:[A-Za-z]|{_STRONG})[{_PROSE_CHARS}]*(?:(?<= ){_STRONG}[{_PROSE_CHARS}]*)*(?<! )")
_STRONG_SPAN = re.compile(r"\*\*([^*]+)\*\*")


def plain_prose(text: str) -> str | None:
    """Exactly what CommonMark makes of plain prose, without parsing it; None if `text` is not that.

    Most notes are a few paragraphs of ordinary sentences, some with a short
    `- ` list, and parsing them is most of a large site's build time. A line
    that starts with a letter, holds no markup character (`*_[]<>&\\#` and
    friends) apart from simple `**strong**` spans (see `_STRONG`), no tab and
    no trailing space cannot open a block or hold other inline markup: such
    lines make paragraphs. After `- ` the same line is an item of a tight list,
    which may interrupt a paragraph. A blank line between items (a loose list)
    or any other line right after an item (a lazy continuation) is left to the
    parser. A property test holds this to markdown-it's output.
    """
    blocks: list[tuple[bool, list[str]]] = []  # (is a list, its lines or items)
    blank = True  # the previous line was blank, or there was none
    for line in text.split("\n"):
        if not line.strip(" "):
            blank = True
            continue
        item = line.startswith("- ")
        content = line[2:] if item else line
        if not _PROSE_LINE.fullmatch(content):
            return None
        content = content.replace('"', "&quot;")
        if "*" in content:
            content = _STRONG_SPAN.sub(r"<strong>\1</strong>", content)
        if blocks and blocks[-1][0] and item == blank:  # a loose list, or a lazy continuation
            return None
        if blocks and blocks[-1][0] == item and not blank:
            blocks[-1][1].append(content)
        else:
            blocks.append((item, [content]))
        blank = False
    return "".join(
        "<ul>\n" + "".join(f"<li>{entry}</li>\n" for entry in lines) + "</ul>\n" if is_list
        else f"<p>{chr(10).join(lines)}</p>\n"
        for is_list, lines in blocks)


@dataclass
class Rendered:
    """A rendered body and the attachments it links to (paths under the case's files/)."""

    html: Markup
    files: list[str] = field(default_factory=list)


class SafeMarkdown:
    """CommonMark without raw HTML, with links checked and attachment paths rewritten.

    `heading_offset` pushes headings down (a `#` in a note becomes an h4) so a
    note body never competes with the page's own headings.
    """

    def __init__(self, heading_offset: int = 3):
        self.heading_offset = heading_offset
        from markdown_it import MarkdownIt  # imported with the first parser: plain prose never needs it

        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "xhtmlOut": False})
        md.validateLink = is_safe_link  # type: ignore[method-assign]
        self.md = md
        # markdown-it binds a rule to its renderer, so the rules are closures over self.
        md.add_render_rule("image", lambda renderer, *args: self._image(renderer, *args))
        md.add_render_rule("link_open", lambda renderer, *args: self._link_open(renderer, *args))
        md.add_render_rule("heading_open", lambda renderer, *args: self._heading(renderer, *args))
        md.add_render_rule("heading_close", lambda renderer, *args: self._heading(renderer, *args))

    def render(self, text: str, record_dir: str = "", case_dir: str = "") -> Rendered:
        """Render `text` written in `record_dir` (e.g. `cases/acme/notes`) for a page in `case_dir`.

        Relative links are resolved against the record's folder; those that land
        in `case_dir/files/` are rewritten relative to the page and reported.
        """
        plain = plain_prose(text or "")
        if plain is not None:
            return Rendered(Markup(plain))
        env = {"record_dir": record_dir, "case_dir": case_dir, "files": []}
        output = self.md.render(text or "", env)
        return Rendered(Markup(output), sorted(set(env["files"])))

    # --- render rules --------------------------------------------------------------

    def _rewrite(self, url: str, env: dict) -> str:
        """Point a relative link at the page's copy of an attachment, if it is one."""
        if not is_relative_path(url) or not env["case_dir"]:
            return url
        path, _, fragment = url.partition("#")
        resolved = posixpath.normpath(posixpath.join(env["record_dir"], unquote(path)))
        files_dir = env["case_dir"] + "/files/"
        if resolved.startswith(files_dir):
            env["files"].append(resolved[len(files_dir):])
            rebased = posixpath.relpath(files_dir + published_name(resolved[len(files_dir):]), env["case_dir"])
            return self.md.normalizeLink(rebased) + (f"#{fragment}" if fragment else "")
        return url

    def _link_open(self, renderer, tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        token.attrSet("href", self._rewrite(str(href), env))
        if url_scheme(str(href)) in ("http", "https"):
            token.attrSet("rel", "noopener noreferrer nofollow")
        return renderer.renderToken(tokens, idx, options, env)

    def _image(self, renderer, tokens, idx, options, env):
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        if not is_relative_path(src):
            return f'<span class="blocked-image">[image not shown: {Markup.escape(alt) or "no description"}]</span>'
        token.attrSet("src", self._rewrite(src, env))
        token.attrSet("loading", "lazy")
        return renderer.image(tokens, idx, options, env)

    def _heading(self, renderer, tokens, idx, options, env):
        token = tokens[idx]
        level = min(6, int(token.tag[1]) + self.heading_offset)
        token.tag = f"h{level}"
        return renderer.renderToken(tokens, idx, options, env)


_DEFAULT: SafeMarkdown | None = None


def parser() -> SafeMarkdown:
    """The shared renderer, made on first use (a build whose bodies are all plain prose or
    remembered never imports markdown-it at all)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SafeMarkdown()
    return _DEFAULT
_memory: MutableMapping[bytes, tuple[str, list[str]]] | None = None


def render(text: str, record_dir: str = "", case_dir: str = "") -> Rendered:
    """Render with the shared renderer (see `SafeMarkdown.render`), from memory inside `remembering`."""
    if _memory is None:
        return parser().render(text, record_dir, case_dir)
    plain = plain_prose(text or "")
    if plain is not None:
        return Rendered(Markup(plain))  # cheaper to redo than to look up: kept out of the memory
    key = hashlib.blake2b(f"{record_dir}\0{case_dir}\0{text}".encode(), digest_size=16).digest()
    found = _memory.get(key)
    if found is None:
        rendered = parser().render(text, record_dir, case_dir)
        _memory[key] = (str(rendered.html), rendered.files)
        return rendered
    return Rendered(Markup(found[0]), list(found[1]))


@contextmanager
def remembering(memory: MutableMapping[bytes, tuple[str, list[str]]]) -> Iterator[None]:
    """Bodies rendered inside are looked up in, and added to, `memory` (keyed by a hash of the text).

    The incremental build keeps one memory per case on disk, so a case whose
    page must be rebuilt re-renders only the bodies that changed.
    """
    global _memory
    previous, _memory = _memory, memory
    try:
        yield
    finally:
        _memory = previous
