"""The Jinja environment for the site: the records repository's templates first, then ours.

A repository overrides any one file (a partial, the stylesheet) by putting a
file with the same name under its own `templates/`; everything else keeps
coming from the package's defaults. Autoescaping is always on and a missing
variable is an error, so a template typo fails the build instead of printing
an empty cell.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template,
                    TemplateNotFound, select_autoescape)
from markupsafe import Markup, escape

from arrears import money, words
from arrears.site.template_paths import DEFAULTS, package_name, search_path  # noqa: F401  (DEFAULTS: re-exported)

def environment(root: Path | None, keep_compiled: bool = False) -> Environment:
    """A Jinja environment with the override lookup, autoescape, StrictUndefined and our filters.

    `keep_compiled`: keep compiled templates between runs (see `keep_compiled_templates`).
    """
    env = Environment(
        loader=InliningLoader([str(p) for p in search_path(root)], encoding="utf-8"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to stat a template at every {% include %}
    )
    env.template_class = QuickEscapeTemplate
    env.filters.update(money=money_filter, plain=money.plain, day=day, short_day=short_day,
                       near_day=near_day, clock=clock, label=label)
    if _not_overridden(env, "site/partials/note.html"):
        from arrears.site.note_html import entry_html  # the partial written as Python: the same bytes

        env.globals["entry_html"] = entry_html
    if keep_compiled:
        keep_compiled_templates(env, root)
    return env


def _not_overridden(env: Environment, name: str) -> bool:
    """Is `name` the package's own template here, not a records repository's override?"""
    try:
        _, filename, _ = FileSystemLoader.get_source(env.loader, env, name)  # type: ignore[arg-type]
    except TemplateNotFound:
        return False
    return filename is not None and _ours(filename)


_as_markup = str.__new__


def quick_escape(value: object) -> Markup:
    """`markupsafe.escape`, with plain text that needs no escaping marked safe as it is.

    A case page prints some two hundred values, nearly all short strings with
    nothing to escape; for those `escape` spends most of its time in Markup's
    own constructor. Markup is already safe and comes back as it is; anything
    else (numbers, text with `&<>"'`) goes to `escape` itself, so the output is
    the same character for character.
    """
    if value.__class__ is str and not ("&" in value or "<" in value or ">" in value  # type: ignore[operator]
                                       or '"' in value or "'" in value):  # type: ignore[operator]
        return _as_markup(Markup, value)
    if value.__class__ is Markup:  # escape would copy it (a rendered note body, 2 KB) into an equal Markup
        return value  # type: ignore[return-value]
    return escape(value)


class QuickEscapeTemplate(Template):
    """A template whose autoescaped output goes through `quick_escape`.

    Jinja's compiled code calls the module-level name `escape` for every
    `{{ }}` it prints, so binding that name in the template's own namespace is
    enough: filters, macros and `|e` keep markupsafe's. (`_from_namespace` is
    where Jinja 3 builds a template from its executed code; a test checks the
    binding holds, so an upgrade that moves it is noticed.)
    """

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):  # type: ignore[override]
        if namespace.get("escape") is escape:
            namespace["escape"] = quick_escape
        return super()._from_namespace(environment, namespace, globals)  # type: ignore[misc]


_INCLUDE = re.compile(r'(\{#.*?#\}|\{%[-+]?\s*raw\s*[-+]?%\}.*?\{%[-+]?\s*endraw\s*[-+]?%\})'
                      r'|\{%([-+]?)\s*include\s+"([A-Za-z0-9_/.-]+)"\s*([-+]?)%\}', re.DOTALL)
"""An include of a named template; or a comment or a raw block, passed over whole (an include
written inside one is text, not an include)."""
_NOT_INLINED = re.compile(r"\{%[-+]?\s*(?:extends|block|macro|import|from|call)\b")


class InliningLoader(FileSystemLoader):
    """The override lookup, with each `{% include "name" %}` of a package template whose target is
    a package template too compiled into it, in a `{% with %}` scope of its own.

    An include costs a template lookup and a new context each time it runs: 65
    times a case page, a third of them the per-note partial: 6 to 7 % of a cold
    build's CPU. The output is the same: `with` keeps the partial's `set`s
    to itself as an include does, and carries the tag's whitespace marks. A
    records repository's override is never inlined, nor is anything included
    from one, so an override behaves as before and its errors keep their own
    file and line (see `template_errors`); an error in one of our inlined
    partials is reported at the line of its include. Partials that define
    blocks or macros, or start or end with blank space the `with` tags would
    trim, are included as before.
    """

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if filename is None or not template.endswith(".html") or not _ours(filename) or "{%" not in source:
            return source, filename, uptodate
        return self._inlined(environment, source, set()), filename, uptodate

    def _inlined(self, environment, source: str, seen: set[str]) -> str:
        def replace(match: re.Match) -> str:
            passed, before, name, after = match.groups()
            if passed is not None or name in seen or len(seen) > 8:
                return match.group(0)
            try:
                partial, filename, _ = super(InliningLoader, self).get_source(environment, name)
            except Exception:  # a missing partial: left for Jinja to report where it is included
                return match.group(0)
            last_line = partial.rsplit("\n", 1)[-1]
            if (filename is None or not _ours(filename) or _NOT_INLINED.search(partial) or partial[:1] in "\n \t"
                    or (last_line and not last_line.strip())):
                return match.group(0)
            body = self._inlined(environment, partial, seen | {name})
            return f"{{%{before} with %}}{body}{{% endwith {after}%}}"

        return _INCLUDE.sub(replace, source)


def _ours(filename: str) -> bool:
    """Is this file one of the package's own templates (not a records repository's override)?"""
    return package_name(filename) is not None


def keep_compiled_templates(env: Environment, root: Path | None) -> None:
    """Give `env` Jinja's own cache of compiled templates, checked against each template's source.

    Compiling the fifty-odd templates of the site costs a third of a second, which every build
    would otherwise pay, a first build included. So they are kept, as Python keeps its byte code,
    in the user's cache (`$XDG_CACHE_HOME/arrears`, else `~/.cache/arrears`), where deleting a
    records repository's `.arrears-cache/` leaves them; in that `.arrears-cache/` when the user
    has no cache folder of their own to write. Jinja keys a compiled template by its name and file
    and checks its source; the folder's name adds this environment's options and Jinja's version,
    which shape the compiled code too.
    """
    folder = compiled_folder(root, _options(env))
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder), "%s.cache")


def compiled_folder(root: Path | None, options: str) -> Path:
    """The folder for compiled templates of an environment with these options (see `keep_compiled_templates`)."""
    own = _user_cache()
    if own is not None:
        return own / "compiled-templates" / options
    if root is None:
        raise ValueError("no folder to keep compiled templates in")
    return root / ".arrears-cache" / "compiled" / options


def _user_cache() -> Path | None:
    """`$XDG_CACHE_HOME/arrears` (else `~/.cache/arrears`), made owner-only: None when it cannot
    be made, is not a folder this user owns, or cannot be written. Compiled templates are code
    that a build runs, so a folder somebody else could write would not do."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        folder = (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "arrears"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = os.stat(folder, follow_symlinks=False)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    owner = os.getuid() if hasattr(os, "getuid") else found.st_uid  # (no owners to compare on Windows)
    if (not stat.S_ISDIR(found.st_mode) or found.st_uid != owner or found.st_mode & 0o022
            or not os.access(folder, os.W_OK | os.X_OK)):
        return None
    return folder


def _options(env: Environment) -> str:
    """A short name for what shapes an environment's compiled code besides the template's source."""
    shape = (env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
             env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
             env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
             sorted(env.extensions), [env.autoescape(name) if callable(env.autoescape) else env.autoescape
                                      for name in ("a.html", "a.txt", None)])
    import jinja2

    return f"jinja-{jinja2.__version__}-" + hashlib.blake2b(repr(shape).encode(), digest_size=6).hexdigest()


def money_filter(amount: Decimal | None, currency: str) -> str:
    """`{{ amount|money(currency) }}`: the human form, or an en dash for nothing."""
    return "–" if amount is None else money.display(amount, currency)


def day(value: date | datetime | None) -> str:
    """`3 Mar 2026`: unambiguous in every locale, no leading zero."""
    return "–" if value is None else words.short_date(value)


def short_day(value: date | None) -> str:
    """`3 Mar`: for dense tables where the year is obvious from the as-of date."""
    return "–" if value is None else words.day_month(value)


_ACRONYMS = {"sms": "SMS"}


def near_day(value: date | None, as_of: date) -> str:
    """`10 Dec` within the as-of year, `15 Jan 2027` outside it: compact table cells, never ambiguous."""
    if value is None:
        return "–"
    return short_day(value) if value.year == as_of.year else day(value)


def clock(value) -> str:
    return "" if value is None else f"{value.hour:02}:{value.minute:02}"  # strftime's %H:%M, a third of the time


def label(value: str | None) -> str:
    """`plan-behind` -> `Plan behind`: codes from the records, said in words."""
    if not value:
        return ""
    if value in _ACRONYMS:
        return _ACRONYMS[value]
    words = str(value).replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]
