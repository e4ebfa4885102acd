"""Tasks: assignments of work, their occurrences per person, place and period, and records.

Pure rules live in small modules, all re-exported by `rules.py` (import from there):
- kinds.py    kinds of work and the fields of each kind's record
- periods.py  recurrences, periods and due instants in the town's time zone
- rrules.py   RRULE strings read safely (used by periods.py)
- lights.py   task status and the board's traffic lights
- fanout.py   who gets the work: selectors over a roster snapshot, occurrences, roster changes
- problems.py TaskRuleError, raised by the computing functions on bad input
"""
