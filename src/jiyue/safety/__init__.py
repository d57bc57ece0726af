"""Safety-production hazard inspection and rectification ledgers (安全生产隐患排查治理).

Pure core: :mod:`rules` (the versioned rule file), :mod:`engine` (state machine, deadlines,
overdue and escalation, statistics — functions over plain records and events). Thin edges:
:mod:`schema` and :mod:`service` (the DuckDB store, one transaction per change with its
audit hook), :mod:`xlsx` (a zone's Excel ledger in and out), :mod:`demo` (the seed campaign).
"""
