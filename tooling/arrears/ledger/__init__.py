"""The ledger: records as of a date in, figures out (section 7 of the records contract).

`schedule` expands plans into installments, `settle` applies money to debts,
`interest`, `charges`, `rates` and `holds` add interest and compensation,
`compute` assembles a case's figures, `figures` holds the values every view
reads, and `summary` the slim per-case result that travels between processes.
`insight` (with `periods` and `timeline`) derives the section 13 KPIs, trends
and forecast from the same figures, walked along a case's history.
"""
