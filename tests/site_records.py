"""Inline records for the site tests: a small, varied portfolio and an injection corpus.

The portfolio covers what the site shows: a plan with a superseded one, a
corrected payment, a promise, an attachment linked from a note, a vulnerable
debtor with an overdue invoice and a follow-up due, and a second currency with
late-payment interest (so the case page shows the workings).
"""

from __future__ import annotations

from datetime import date

AS_OF = date(2026, 5, 1)


def write_portfolio(records) -> None:
    records.write("arrears.toml", """
        name = "Larkspur Trading Ltd"
        currency = "GBP"
        timezone = "Europe/London"
        [payment]
        instructions = "Bank transfer to 12-34-56 12345678, reference: your invoice number"
    """)
    records.case("acme-bakery", """
        debtor:
          name: Acme Bakery Ltd
          kind: business
          contacts:
            - {channel: email, value: accounts@acme.example, preferred: true}
            - {channel: phone, value: "+44 20 7946 0000"}
            - {channel: sms, value: "+44 7700 900123"}
          address: |
            1 High Street
            Leeds LS1 1AA
        opened: 2026-01-15
        owner: jo
        tags: [wholesale]
        circumstances: [cash-flow]
        do_not_contact: [sms]
    """, story="Family bakery; the **new oven** loan squeezed their cash flow this winter.")
    records.note("acme-bakery", "2026-01-15-invoice", """
        date: 2026-01-15
        kind: invoice
        ref: INV-101
        amount: 1200.00
        due: 2026-02-01
        description: Flour and packaging, December
        by: jo
    """)
    records.note("acme-bakery", "2026-02-04-call", """
        date: 2026-02-04T10:30
        kind: call
        direction: out
        outcome: spoke
        by: jo
        summary: Spoke to Priya about INV-101
        promise: {amount: 200, by: 2026-02-20}
        follow_up: 2026-02-21
    """, body="Priya explained the oven loan.\n\n- asked for time\n- sent the [letter](<../files/letter one.pdf>)\n")
    records.plan("acme-bakery", "2026-02-05-plan", """
        agreed: 2026-02-05
        schedule: {start: 2026-02-20, every: fortnight, count: 6}
        by: jo
        summary: First offer, fortnightly
    """, body="Superseded the next week.")
    records.plan("acme-bakery", "2026-02-12-plan", """
        agreed: 2026-02-12
        schedule: {start: 2026-03-01, every: month, count: 4}
        supersedes: 2026-02-05-plan
        by: jo
        summary: Four monthly payments
    """, body="Agreed on the phone; confirmed by email.")
    records.note("acme-bakery", "2026-03-01-payment", """
        date: 2026-03-01
        kind: payment
        amount: 30.00
        method: bank-transfer
        ref: ACME-1
    """)
    records.note("acme-bakery", "2026-03-02-correction", """
        date: 2026-03-02
        kind: payment
        amount: 300.00
        method: bank-transfer
        ref: ACME-1
        corrects: 2026-03-01-payment
        summary: First installment (the 30.00 was a typo)
    """)
    records.note("acme-bakery", "2026-04-03-payment", """
        date: 2026-04-03
        kind: payment
        amount: 300.00
        method: bank-transfer
        ref: ACME-2
    """)
    records.write("cases/acme-bakery/files/letter one.pdf", b"%PDF-1.4 not really\n")

    records.case("bea-jones", """
        debtor:
          name: Bea Jones
          kind: individual
          contacts:
            - {channel: phone, value: "+44 7700 900456", preferred: true}
            - {channel: post, value: "4 Mill Lane, York"}
        opened: 2026-03-01
        owner: sam
        circumstances: [illness]
        vulnerable: true
        do_not_contact: [phone]
    """, story="Recovering from an operation; prefers letters.")
    records.note("bea-jones", "2026-03-01-invoice", """
        date: 2026-03-01
        kind: invoice
        ref: INV-202
        amount: 450
        due: 2026-03-15
    """)
    records.note("bea-jones", "2026-04-20-letter", """
        date: 2026-04-20
        kind: letter
        by: sam
        follow_up: 2026-04-28
    """, body="Gentle reminder with the StepChange number.")

    records.case("cafe-lumiere", """
        debtor:
          name: Café Lumière SARL
          kind: business
        currency: EUR
        opened: 2026-02-01
        owner: sam
    """, story="")
    records.note("cafe-lumiere", "2026-02-01-invoice", """
        date: 2026-02-01
        kind: invoice
        ref: F-9
        amount: 800
        due: 2026-03-01
    """)
    records.note("cafe-lumiere", "2026-02-25-payment", """
        date: 2026-02-25
        kind: payment
        amount: 800
        method: card
    """)

    records.case("brasserie-nord", """
        debtor:
          name: Brasserie du Nord SAS
          kind: business
          address: |
            12 rue de la Gare
            59000 Lille
        currency: EUR
        opened: 2026-02-01
        owner: sam
        interest: {rule: eu-late-payment}
    """, story="Late-payment interest under Directive 2011/7/EU, as our terms say.")
    records.note("brasserie-nord", "2026-02-01-invoice", """
        date: 2026-02-01
        kind: invoice
        ref: F-12
        amount: 2000
        due: 2026-03-01
    """)
    records.note("brasserie-nord", "2026-04-01-payment", """
        date: 2026-04-01
        kind: payment
        amount: 500
        method: bank-transfer
    """)


ATTACK = "<script>alert('x')</script>"


def write_injection(records) -> None:
    """Hostile text in every field a person can type, one case."""
    records.write("arrears.toml", """
        name = "<script>alert('site')</script>"
        currency = "GBP"
        [payment]
        instructions = "<img src=x onerror=alert('pay')>"
    """)
    records.case("evil", """
        debtor:
          name: "<script>alert('name')</script><img src=x onerror=alert('name2')>"
          kind: business
          contacts:
            - {channel: email, value: "javascript:alert('contact')", preferred: true}
            - {channel: phone, value: "<a href=javascript:alert(1)>call</a>"}
          address: "<iframe src=javascript:alert('addr')></iframe>"
        opened: 2026-01-01
        owner: "\\"><svg onload=alert('owner')>"
        tags: ["<b onmouseover=alert('tag')>t</b>"]
    """, story=(
        "<script>alert('story')</script>\n\n"
        "[click](javascript:alert('link')) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
        "[vb](vbscript:msgbox(1)) [tab](<java\tscript:alert('tab')>) [ent](&#106;avascript:alert('ent')) "
        "[pct](java%73cript:alert('pct')) <javascript:alert('auto')> [ref][r]\n\n"
        "![img](javascript:alert('img')) ![img2](data:image/svg+xml,<svg onload=alert(1)>) "
        "![remote](https://tracker.example/pixel.png)\n\n"
        "<iframe src=\"javascript:alert('iframe')\"></iframe> <img src=x onerror=alert('img3')>\n\n"
        "[r]: javascript:alert('refdef')\n"
    ))
    records.note("evil", "2026-01-01-invoice", """
        date: 2026-01-01
        kind: invoice
        ref: "<script>alert('ref')</script>"
        amount: 100
        due: 2026-01-31
        description: "<img src=x onerror=alert('desc')>"
        summary: "<iframe src=javascript:alert('summary')></iframe>"
        by: "<svg onload=alert('by')>"
        tags: ["<script>alert('notetag')</script>"]
    """, body=(
        "<div onclick=\"alert('body')\">hi</div>\n\n"
        "<a href=\"javascript:alert('a')\">a</a> [x](JAVASCRIPT:alert('upper')) "
        "[y](  javascript:alert('space')) [z](javascript&colon;alert('colon'))\n\n"
        "<style>body{display:none}</style> <object data=\"x\"></object> <embed src=\"x\">\n"
    ))
    records.note("evil", "2026-01-10-payment", """
        date: 2026-01-10
        kind: payment
        amount: 10
        ref: "\\" onmouseover=\\"alert('pref')"
        summary: "'; alert('js'); '"
    """)
    records.write("cases/evil/files/<img src=x onerror=alert('file')>.txt", b"hello\n")
