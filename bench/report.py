"""bench/RESULTS.md: the machine, then every figure the benchmark measured with its target beside it."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import subprocess
from pathlib import Path

from figures import Run

# Each target is a share of /healthz's throughput in the same run.
SHARE_TARGETS = {"my_work": 0.40, "record": 0.25, "board": 0.15, "review": 0.15}
LABELS = {"healthz": "`GET /healthz` (the ceiling)", "my_work": "我的任务 `GET /my` (cadre)",
          "record": "visit record `POST` (cadre, phone form)", "board": "督办台 board (secretary)",
          "review": "yearly review page (secretary)"}  # fmt: skip
REVIEW_TARGET = 3.0
SCALE_TARGET = 1.3
FIRST_LOAD_TARGET = 30 * 1024
SWAP_TARGET = 5 * 1024


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False, timeout=10).stdout.strip()
    except OSError:
        return "not found"


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    wrk = _command("wrk", "-v").splitlines()
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {int(memory) // 1024 // 1024} GiB; {platform.platform()}",
        f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"{_command('psql', '--version') or 'psql not found'}; {wrk[0] if wrk else 'wrk not found'}",
    ]


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _load_table(run: Run) -> list[str]:
    ceiling = run.load["healthz"].requests_per_s
    lines = ["| page | requests/s | p50 ms | p99 ms | errors | share of /healthz | target |",
             "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for page, result in run.load.items():
        share = result.requests_per_s / ceiling
        target = SHARE_TARGETS.get(page)
        verdict = f"≥ {target:.0%}: {_mark(share >= target)}" if target else ""
        lines.append(f"| {LABELS[page]} | {result.requests_per_s:.1f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} "
                     f"| {result.errors} | {share:.1%} | {verdict} |")  # fmt: skip
    return lines


def _scale_rows(runs: list[Run], engine: str) -> list[str]:
    mine = sorted((r for r in runs if r.db.engine == engine), key=lambda r: r.db.towns)
    if len(mine) < 2:
        return []
    small, big = mine[0], mine[-1]
    rows = []
    for page in ("my_work", "board"):
        before, after = small.load[page], big.load[page]
        if not (after.requests_per_s and big.load["healthz"].requests_per_s):
            rows.append(f"| {engine} | {LABELS[page]} | {small.db.towns} → {big.db.towns} | no request completed | | | |")
            continue
        # time per request, each relative to the same server's ceiling: the growth that is the page's own
        slower = (before.requests_per_s / after.requests_per_s)
        relative = slower / (small.load["healthz"].requests_per_s / big.load["healthz"].requests_per_s)
        rows.append(f"| {engine} | {LABELS[page]} | {small.db.towns} → {big.db.towns} | {before.p50_ms:.1f} → "
                    f"{after.p50_ms:.1f} | {slower:.2f}× | {relative:.2f}× | ≤ {SCALE_TARGET}×: "
                    f"{_mark(slower <= SCALE_TARGET)} |")  # fmt: skip
    return rows


def write_results(path: Path, runs: list[Run], args: argparse.Namespace, log: list[str], *, minutes: float) -> None:
    lines = ["# Benchmark results", "",
             f"Written by `.venv/bin/python bench/run.py` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC "
             f"({minutes:.0f} min); each load {args.seconds} s after a 2 s warm-up, wrk with 1 thread and 16 "
             f"connections; year {args.year}. Figures are ratios within one run: absolute times on a shared "
             "2-core machine are noise (wrk and the server share it).", "", "## Machine", "", *machine(), ""]  # fmt: skip
    for run in runs:
        lines += [f"## {run.db.engine}, {run.db.towns} town{'s' if run.db.towns > 1 else ''} (one worker process)",
                  "", *_load_table(run), ""]  # fmt: skip
    lines += ["## The review computation against the raw SQL floor", "",
              "The review for one town (all its figures, scorecards and material, as the page computes them) "
              "against the one aggregate statement over the same rows (the town's records and tasks of the year, "
              "grouped by person and kind/status): median of 7, in-process, same database.", "",
              "| database | records | tasks | review ms | floor ms | ratio | target |", "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for run in runs:
        if run.review:
            r = run.review
            lines.append(f"| {run.db.name} | {r.records} | {r.tasks} | {r.review_ms:.1f} | {r.floor_ms:.2f} | "
                         f"{r.ratio:.1f}× | ≤ {REVIEW_TARGET:.0f}×: {_mark(r.ratio <= REVIEW_TARGET)} |")  # fmt: skip
    lines += ["", "## Growth with the number of other towns", "",
              "Time per request (from throughput) at the bigger database over the smaller, for the same town and "
              "person; 'against the ceiling' divides by /healthz's own change between the two servers.", "",
              "| engine | page | towns | p50 ms | slower | against the ceiling | target |", "|---|---|---|---|---:|---:|---|",
              *_scale_rows(runs, "sqlite"), *_scale_rows(runs, "postgresql"), ""]  # fmt: skip
    first = next((r for r in runs if r.download), None)
    if first and first.download:
        d = first.download
        lines += ["## What a phone downloads", "",
                  "| what | bytes (gzip, bodies) | target |", "|---|---:|---|",
                  f"| 我的任务 first load: HTML {d.html} + {d.files} CSS/JS files {d.css_js} | {d.total} | "
                  f"≤ {FIRST_LOAD_TARGET}: {_mark(d.total <= FIRST_LOAD_TARGET)} |",
                  f"| one htmx swap (a board cell) | {first.swap_bytes} | ≤ {SWAP_TARGET}: "
                  f"{_mark((first.swap_bytes or 0) <= SWAP_TARGET)} |", ""]  # fmt: skip
    lines += ["## Memory and worker processes", "",
              "| database | workers | peak resident memory per process | /healthz/s | 我的任务/s | board/s |",
              "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for run in runs:
        lines.append(f"| {run.db.name} | 1 | {run.peak_mib:.0f} MiB | {run.load['healthz'].requests_per_s:.1f} | "
                     f"{run.load['my_work'].requests_per_s:.1f} | {run.load['board'].requests_per_s:.1f} |")  # fmt: skip
        if run.two_workers:
            t = run.two_workers
            lines.append(f"| {run.db.name} | 2 | {run.peak_mib_two:.0f} MiB | {t['healthz'].requests_per_s:.1f} | "
                         f"{t['my_work'].requests_per_s:.1f} | {t['board'].requests_per_s:.1f} |")  # fmt: skip
    for run in runs:
        if run.granian:
            g = run.granian
            lines += ["", f"## uvicorn and granian ({run.db.name}, one worker each)", "",
                      "| server | /healthz/s | 我的任务/s | 我的任务 share |", "|---|---:|---:|---:|",
                      f"| uvicorn (`tracker run`) | {run.load['healthz'].requests_per_s:.1f} | "
                      f"{run.load['my_work'].requests_per_s:.1f} | "
                      f"{run.load['my_work'].requests_per_s / run.load['healthz'].requests_per_s:.1%} |",
                      f"| granian | {g['healthz'].requests_per_s:.1f} | {g['my_work'].requests_per_s:.1f} | "
                      f"{g['my_work'].requests_per_s / g['healthz'].requests_per_s:.1%} |"]  # fmt: skip
    if log:
        lines += ["", "## Databases made in this run", "", *(f"- {line}" for line in log)]
    path.write_text("\n".join(lines) + "\n")
