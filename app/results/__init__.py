"""The programme's results report (Ergebnisbericht): people reached per Kommune and quarter, by gender,
the reach rate against the imported target-group counts, state-wide totals, chart, NRW map and export.

Reads the per-module participant counts of ``app.grants`` and adds what they cannot tell: how many
*different* people a Kommune reached (see docs/results.md, "Die Zählregel").
"""
