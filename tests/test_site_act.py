"""A site you can act from, without a browser: contact links, the draft as a link, long plans folded."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from arrears.site.incremental import build as full_build

AS_OF = date(2026, 5, 20)


def _site(records, tmp_path, do_not_contact: str = "[]"):
    records.write("arrears.toml", 'name = "Northwind"\ntimezone = "Europe/London"\n')
    records.case("mara", f"""
        debtor:
          name: Mara Okafor
          kind: individual
          contacts:
            - {{channel: sms, value: "+44 7700 900231", preferred: true}}
            - {{channel: email, value: mara@example.org}}
            - {{channel: phone, value: "+44 (0)20 7946 0000"}}
        opened: 2026-01-01
        do_not_contact: {do_not_contact}
    """)
    records.note("mara", "2026-01-01-invoice", "date: 2026-01-01\nkind: invoice\nref: I-1\namount: 1200\ndue: 2026-02-01")
    records.plan("mara", "2026-03-01-plan", "agreed: 2026-03-01\nschedule: {start: 2026-04-01, every: month, count: 12}")
    out = tmp_path / "site"
    full_build(records.root, AS_OF, out, full=True)
    return (out / "cases/mara/index.html").read_text(), (out / "agenda.html").read_text()


def _hrefs(html: str, prefix: str) -> list[str]:
    import re

    return [h.replace("&amp;", "&") for h in re.findall(r'href="(' + prefix + r'[^"]*)"', html)]


def test_every_contact_is_a_link_and_the_draft_opens_filled_in(records, tmp_path):
    page, agenda = _site(records, tmp_path)
    assert "tel:+4402079460000" in _hrefs(page, "tel:")
    assert "mailto:mara@example.org" in _hrefs(page, "mailto:")
    drafts = [h for h in _hrefs(page, "sms:") if "?" in h]
    assert len(drafts) == 1
    url = urlsplit(drafts[0])
    assert url.path == "+447700900231" and "£200.00 on your account is overdue" in parse_qs(url.query)["body"][0]
    assert [h for h in _hrefs(agenda, "sms:") if "?" in h] == drafts  # the agenda item links the same draft


def test_no_link_for_an_opted_out_channel(records, tmp_path):
    page, agenda = _site(records, tmp_path, "[sms, phone]")
    assert _hrefs(page, "sms:") == [] and _hrefs(page, "tel:") == [] and _hrefs(agenda, "sms:") == []
    assert any("?" in h and "subject=" in h for h in _hrefs(page, "mailto:"))  # email is allowed: its draft


def test_a_long_plan_folds_after_the_next_three_installments(records, tmp_path):
    page, _ = _site(records, tmp_path)
    shown, _, folded = page.partition('<details class="later-installments">')
    assert folded, "twelve installments fold"
    assert "7 later installments, to 1 Mar 2027" in folded  # September to March
    assert shown.count('<tr class="inst-') == 5  # April and May (missed), then June, July, August
