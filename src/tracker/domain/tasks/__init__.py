"""Tasks: assignments of work, their occurrences per person, place and period, and records.

Pure rules live in small modules, all re-exported by `rules.py` (import from there):
- kinds.py    kinds of work and the fields of each kind's record
- periods.py  recurrences, periods and due instants in the town's time zone
- rrules.py   RRULE strings read safely (used by periods.py)
- lights.py   task status and the board's traffic lights
- fanout.py   who gets the work: selectors over a roster snapshot, occurrences, roster changes
- replanning.py future occurrences after an edit or a roster change
- geo.py      distance of a record from its place, coordinates checked
- templates.py the statutory assignments (data)
- problems.py TaskRuleError, raised by the computing functions on bad input

Services (load -> rules -> save) are re-exported by `services.py`: assignments.py,
roster_sync.py, task_queries.py, board.py, records.py, photos.py, with the views in views.py and
the access helpers in reach.py; the JSON API is api.py.
"""
