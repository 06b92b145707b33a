"""`arrears import`: accounting exports in, new note files out, never an edit.

The pipeline shows in the modules, one job each:

    table      CSV bytes -> rows, each with its physical line number
    xero, quickbooks, freeagent, rules
               rows -> `Entry` values (an invoice, a credit note, a payment) and skips
    index      the records already there, read once, indexed by source_id and ref
    match      an entry's debtor -> a case (or a new one, with --create-cases)
    plan       entries + index -> the notes to write (pure: no disk, no clock),
               with `planned` (what is to be written) and `reconcile` (bank payments)
    notes      the text of each new note
    write      create the files, all or nothing
"""
