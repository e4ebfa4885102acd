"""Synthetic towns for measuring the tracker at scale (`tracker synth --towns N --year YYYY`).

Not product rules and not the demo: one template town is made through the demo's own code paths
(template.py: the demo roster under a synth code, this year's work, last year finalised, three
accounts), then copied N-1 times with bulk inserts (cloning.py), every id shifted per copy
(shifts.py says where ids hide: foreign keys, JSON lists, task slots, review snapshots). run.py
ties them together and counts what was made.
"""

from tracker.synth.run import SynthRefused, SynthReport, synthesise
from tracker.synth.template import SYNTH_PASSWORD, SYNTH_ROLES, SYNTH_TOTP_SECRET, town_code, town_name

__all__ = [
    "SYNTH_PASSWORD",
    "SYNTH_ROLES",
    "SYNTH_TOTP_SECRET",
    "SynthRefused",
    "SynthReport",
    "synthesise",
    "town_code",
    "town_name",
]
