"""The supervisor's figures, one module for the screen and the `relance report` commands.

`activity` (per agent, a day or a period, and the drill-down into one agent's actions),
`portfolio` (aged balance, DSO, CEI, promises, disputes, top debtors, trends), `live` (who is on
which case, workload) and `access` (who may read them: supervisors and admins).
"""
