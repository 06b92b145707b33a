"""The static site published by `arrears build`, as a pipeline of small modules.

`markdown` renders record bodies safely, `charts` draws SVG, `pages` turns
the ledger's figures into page contexts, `templates` finds the Jinja
templates (the records repository's own first), `feeds` writes due.json and
due.csv, and `build` renders everything into a fresh folder and swaps it in.
"""
