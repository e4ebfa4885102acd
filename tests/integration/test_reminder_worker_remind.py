"""`tracker remind [--now ISO-TIME] [--dry-run]`: one pass, printed, on both engines."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import build_small_town
from tests.support.work_services import assignment_in, dump
from tracker.cli.reminders import remind_command
from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.domain.planning.service import AssignmentService

TRACKER = str(Path(sys.executable).parent / "tracker")
PLANNED_AT = "2026-03-15T12:00:00+08:00"
DAY_BEFORE_DUE = "2026-03-30T09:00:00+08:00"  # March's monthly task is due on the 31st
LAST_LINE = re.compile(r"^queued \d+, sent \d+, failed \d+$")


async def town_with_work(session: AsyncSession) -> None:
    town = await build_small_town(session)
    town.cadre.email = "ding@town.example.cn"
    session.add(NotifyChannel(town_id=town.town.id, person_id=town.cadre.id, kind=ChannelKind.EMAIL))
    who = {"kind": "people", "person_ids": [town.cadre.id]}
    await AssignmentService(session, None).create(
        town.town, assignment_in(who), dt.datetime.fromisoformat(PLANNED_AT)
    )


def remind(db_url: str, tmp_path: Path, *args: str) -> Any:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DEFAULT_LOCALE": "en",
           "TRACKER_SECRET_KEY": "test-secret-key-0123456789", "TRACKER_SMTP_URL": None}  # fmt: skip
    return CliRunner().invoke(remind_command, list(args), env=env, catch_exceptions=False)


def test_it_prints_what_a_dry_run_would_queue_and_writes_nothing(
    db_url: str, tmp_path: Path, db: Any
) -> None:
    db(town_with_work)
    before = db(dump)

    result = remind(db_url, tmp_path, "--dry-run", "--now", DAY_BEFORE_DUE)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "queued 2, sent 0, failed 0"
    assert lines[0].startswith("tasks created ")
    printed = sorted(tuple(line.split(" | ")) for line in lines[1:-1])
    assert [(recipient, channel) for recipient, channel, _subject in printed] == [
        ("干部丁", "email"),
        ("干部丁", "in_app"),
    ]
    assert all(subject for _recipient, _channel, subject in printed)
    assert db(dump) == before


def test_it_queues_and_sends_then_has_nothing_more_to_do(db_url: str, tmp_path: Path, db: Any) -> None:
    db(town_with_work)

    first = remind(db_url, tmp_path, "--now", DAY_BEFORE_DUE)
    again = remind(db_url, tmp_path, "--now", "2026-03-30T10:00:00+08:00")

    # the e-mail stays queued (no TRACKER_SMTP_URL: a temporary failure, retried later), so the pass
    # reports what it sent and what it gave up, not what waits for a retry
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == "queued 2, sent 1, failed 0"
    assert again.stdout.splitlines() == ["tasks created 0", "queued 0, sent 0, failed 0"]
    assert all(LAST_LINE.match(r.stdout.splitlines()[-1]) for r in (first, again))


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2027-12-20T09:00:00", "no UTC offset"),
        ("2027-12-20 09:00", "no UTC offset"),
        ("tomorrow", "is not a time"),
        ("2027-13-01T09:00:00+08:00", "is not a time"),
        ("0001-01-01T00:00:00+14:00", "in the years 2000 to 2100"),
    ],
)
def test_it_refuses_a_now_without_an_offset_or_malformed(tmp_path: Path, value: str, says: str) -> None:
    result = remind("sqlite+aiosqlite:///" + str(tmp_path / "unused.sqlite3"), tmp_path, "--now", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("tracker remind: --now: ") and says in line
    assert not (tmp_path / "unused.sqlite3").exists()


def test_it_is_a_command_of_tracker_that_fails_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "LITESTAR_"))}
    env.update(TRACKER_DATA_DIR=str(tmp_path / "data"), TRACKER_DEFAULT_LOCALE="en")
    done = subprocess.run(
        [TRACKER, "remind", "--now", "2027-12-20T09:00"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "tracker remind: --now: 2027-12-20T09:00 has no UTC offset: write it as 2027-12-20T09:00:00+08:00"
    ]
    worker_help = subprocess.run(
        [TRACKER, "worker", "--help"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker_help.returncode == 0
    assert "TRACKER_DISPATCH_LEASE_SECONDS" in worker_help.stdout
