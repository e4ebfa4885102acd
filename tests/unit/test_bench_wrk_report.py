"""bench/load.py reads wrk's report: throughput, the p50 and p99 latencies in milliseconds whatever
unit wrk chose, and every answer that was not a success (non-2xx/3xx, socket errors, timeouts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))  # bench/ is scripts, not a package
from load import parse_wrk  # noqa: E402

REPORT = """Running 10s test @ http://127.0.0.1:8790/my
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   379.50ms  120.10ms   1.00s    70.00%
  Latency Distribution
     50%  379.50ms
     75%  420.00ms
     90%  600.00ms
     99%    1.00s
  387 requests in 10.01s, 3.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:     38.66
Transfer/sec:    317.00KB
"""


def test_it_reads_throughput_percentiles_and_failures() -> None:
    result = parse_wrk(REPORT)
    assert (result.requests_per_s, result.p50_ms, result.p99_ms) == (38.66, 379.5, 1000.0)
    assert (result.requests, result.errors) == (387, 7)


@pytest.mark.parametrize(("shown", "ms"), [("850.00us", 0.85), ("12.5ms", 12.5), ("2.01s", 2010.0), ("1.50m", 90000.0)])
def test_it_turns_every_unit_into_milliseconds(shown: str, ms: float) -> None:
    result = parse_wrk(REPORT.replace("     50%  379.50ms", f"     50%  {shown}"))
    assert result.p50_ms == pytest.approx(ms)


def test_a_report_without_figures_is_an_error_not_zero() -> None:
    with pytest.raises(ValueError, match="could not be read"):
        parse_wrk("unable to connect to 127.0.0.1:8790 Connection refused\n")
