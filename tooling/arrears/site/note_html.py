"""One timeline entry as `templates/site/partials/note.html` renders it, in Python.

A case page shows every note, and the partial, run twenty times a page, was
half of a case page's Jinja time. This is the same template written out as
code: the same markup, the same escaping (every value printed goes through
the escape autoescaping uses), the same whitespace `trim_blocks` and
`lstrip_blocks` leave. It is used only while the partial is the package's
own (`templates.environment` offers it as `entry_html` then): a records
repository that overrides note.html gets its override, through Jinja. A test
renders the partial and this for every demo note and for generated entries
full of markup characters, and requires the same bytes.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup

from arrears.site.templates import clock, day, label, quick_escape as e


def entry_html(entry, history_known: bool, file_href: Callable[[str], str]) -> Markup:
    """The `<li>` of one `pages.TimelineEntry`; `history_known`: the page has a Git history (so an
    entry no commit recorded says "not committed yet")."""
    note = entry.note
    corrected_by = entry.corrected_by
    kind = e(note.kind)
    moment = note.time
    parts = [
        f'<li class="entry kind-{kind}{" is-corrected" if corrected_by else ""}" id="note-{e(note.id)}">\n'
        f'  <div class="entry-meta">\n'
        f'    <span class="kind kind-{kind}">{e(label(note.kind))}</span>\n'
    ]
    if entry.is_contact:
        parts.append(f'<span class="direction">{"Incoming" if note.detail.direction == "in" else "Outgoing"}</span>')
    parts.append(f'    <time datetime="{e(note.date.isoformat())}{"T" + clock(moment) if moment else ""}">'
                 f'{e(day(note.date))}{" " + clock(moment) if moment else ""}</time>\n')  # HH:MM
    if note.by:
        parts.append(f'<span class="by">by {e(note.by)}</span>')
    recorded = entry.recorded
    if recorded:
        parts.append(f'<span class="recorded" title="Git commit {e(recorded.hash)}">recorded {e(day(recorded.date))} '
                     f'by {e(recorded.author)} in <code>{e(recorded.short)}</code></span>')
    elif history_known:
        parts.append('<span class="recorded">not committed yet</span>')
    headline = e(entry.headline)
    parts.append(f'  </div>\n  <h3 class="entry-title">{f"<del>{headline}</del>" if corrected_by else headline}</h3>\n')
    if corrected_by:
        parts.append(f'  <p class="corrected">Corrected by <a href="#note-{e(corrected_by)}">{e(corrected_by)}</a>; '
                     f'kept for the record.</p>\n')
    if entry.facts:
        parts.append('  <dl class="entry-facts">\n')
        parts.extend(f"<div><dt>{e(name)}</dt><dd>{e(value)}</dd></div>" for name, value in entry.facts)
        parts.append("  </dl>\n")
    if note.corrects:
        parts.append(f'<p class="card-note">Corrects <a href="#note-{e(note.corrects)}">{e(note.corrects)}</a>.</p>')
    if entry.body:
        parts.append(f'<div class="prose{" is-struck" if corrected_by else ""}">{e(entry.body)}</div>')
    if entry.files:
        parts.append('  <ul class="files inline">')
        parts.extend(f'<li><a href="{e(file_href(name))}">{e(name)}</a></li>' for name in entry.files)
        parts.append("</ul>\n")
    if note.tags:
        parts.append('<p class="entry-tags">')
        parts.extend(f'<span class="tag">{e(tag)}</span>' for tag in note.tags)
        parts.append("</p>")
    parts.append("</li>\n")
    return Markup("".join(parts))
