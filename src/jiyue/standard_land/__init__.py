"""Standard land (标准地): indicator library, performance agreements, life-cycle checks, penalties.

Modules: :mod:`indicators` (the indicators as data), :mod:`rules` (versioned TOML rules: library,
terms, time limits), :mod:`library` (offers), :mod:`lifecycle` (events, order, state),
:mod:`measures` (what the parcel and enterprise achieved), :mod:`checks` (verdicts, penalties,
consequences — pure), :mod:`assess` (one contract at a date), :mod:`supervision` (due, overdue,
zone summary), :mod:`ledger` (append-only events in the store), :mod:`service` (documents),
:mod:`render` / :mod:`workbook` (text and xlsx), :mod:`labels` (every Chinese text).

Plain functions other engines may call (documented in docs/standard-land.md)::

    from jiyue.standard_land import late_start_days, late_completion_days, time_penalty_wan, idle_route
"""

from jiyue.standard_land.checks import (idle_route, late_completion_days, late_days, late_start_days,
                                        shortfall_ratio, time_penalty_wan)

__all__ = ["idle_route", "late_completion_days", "late_days", "late_start_days", "shortfall_ratio",
           "time_penalty_wan"]
