"""What one benchmark database gave: the figures bench/run.py collects and bench/report.py writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness import Database
from load import LoadResult
from measures import Download, ReviewTiming


@dataclass
class Run:
    """What one database gave."""

    db: Database
    load: dict[str, LoadResult] = field(default_factory=dict)
    two_workers: dict[str, LoadResult] = field(default_factory=dict)
    granian: dict[str, LoadResult] = field(default_factory=dict)
    review: ReviewTiming | None = None
    download: Download | None = None
    swap_bytes: int | None = None
    peak_mib: float = 0.0
    peak_mib_two: float = 0.0
    synth_seconds: float | None = None
