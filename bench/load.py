"""Load from a separate process: wrk (Debian's package) at a fixed number of connections, its
throughput and latency percentiles read from its report.

wrk runs one thread (`-t1`): on a 2-core machine the other core is the server's. Every measured run
follows a short warm-up run whose figures are dropped (first requests fill caches and pools).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from harness import Session

CONNECTIONS = 16
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}

# A POST of the phone's record form (the queue sends it with Accept: application/json). Every request
# carries a client key of its own: the tracker files each key once per person.
_POST_SCRIPT = """
local counter = 0
local salt = tostring(math.random(1, 1e9))
request = function()
  counter = counter + 1
  local body = "kind=visit&occurred_on=%(day)s&place_id=%(place)s&f_people_met=bench&f_issues_raised=bench"
    .. "&_csrf_token=%(csrf)s&client_key=bench-" .. salt .. "-" .. counter
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Cookie"] = "%(cookie)s",
  }, body)
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers, socket errors and timeouts


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _ms(value: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not found:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(found.group(1)) * _UNIT[found.group(2)]


def parse_wrk(report: str) -> LoadResult:
    """The figures of one wrk --latency report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    total = re.search(r"(\d+) requests in", report)
    p50 = re.search(r"^\s+50%\s+(\S+)", report, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", report, re.MULTILINE)
    if not (rate and total and p50 and p99):
        raise ValueError(f"wrk's report could not be read:\n{report}")
    errors = 0
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    if bad:
        errors += int(bad.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return LoadResult(float(rate.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), int(total.group(1)), errors)


def _wrk(url: str, seconds: int, headers: dict[str, str], script: Path | None) -> LoadResult:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def measure_get(base: str, path: str, session: Session | None, *, seconds: int, htmx: bool = False) -> LoadResult:
    headers = {"Accept-Encoding": "gzip", "Accept": "text/html"}
    if session is not None:
        headers["Cookie"] = session.cookie
    if htmx:
        headers["HX-Request"] = "true"
    answer = httpx.get(base + path, headers=headers, timeout=60)
    if answer.status_code != 200:  # wrk counts a redirect (to sign in, to enrol) as a success
        raise SystemExit(f"bench: {path} answered {answer.status_code} {answer.headers.get('location', '')}")
    _wrk(base + path, 2, headers, None)
    return _wrk(base + path, seconds, headers, None)


def measure_record_post(base: str, path: str, session: Session, *, day: str, place_id: int, seconds: int) -> LoadResult:
    """Visit records filed through the phone's form at `path` (a town's records: work without a task)."""
    values = {"day": day, "place": place_id, "csrf": session.csrf, "path": path, "cookie": session.cookie}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_POST_SCRIPT % values)
    lua = Path(script.name)
    try:
        _wrk(base + path, 2, {}, lua)
        return _wrk(base + path, seconds, {}, lua)
    finally:
        lua.unlink(missing_ok=True)
