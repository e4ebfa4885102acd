"""`tracker import roster` with the optional e-mail column, on both engines: addresses are kept on
the person and switch e-mail reminders on; a file without the column leaves them alone; a bad
address is refused with its row and column, and nothing is written."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.integration.test_roster_import import SAMPLE, invoke, sample_rows, snapshot, write_csv
from tests.support.databases import run
from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.db.models.roster import Person
from tracker.db.session import open_session


def with_email(rows: list[list[str]], addresses: dict[str, str]) -> list[list[str]]:
    header, *body = rows
    return [
        [*header, "邮箱"],
        *[[*row, addresses.get(row[1], "") if row[0] == "person" else ""] for row in body],
    ]


def emails(db_url: str) -> tuple[dict[str, str | None], set[str]]:
    async def go() -> tuple[dict[str, str | None], set[str]]:
        async with open_session(db_url) as session:
            people = {p.id: p for p in (await session.scalars(select(Person))).all()}
            channels = (
                await session.scalars(select(NotifyChannel).where(NotifyChannel.kind == ChannelKind.EMAIL))
            ).all()
            return {p.code: p.email for p in people.values()}, {people[c.person_id].code for c in channels}

    return run(go())


def test_it_keeps_addresses_and_switches_email_on(db_url: str, tmp_path: Path) -> None:
    rows = with_email(sample_rows(), {"P01": "p01@example.org", "P04": "p04@example.org"})
    result = invoke(db_url, tmp_path, str(write_csv(tmp_path / "mail.csv", rows)), "--town", "sample")
    assert result.exit_code == 0, result.output
    addresses, on = emails(db_url)
    assert addresses["P01"] == "p01@example.org" and addresses["P04"] == "p04@example.org"
    assert addresses["P02"] is None and on == {"P01", "P04"}

    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0  # no column: kept
    assert emails(db_url) == (addresses, on)


def test_it_refuses_a_bad_address_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0
    before = snapshot(db_url)
    rows = with_email(sample_rows(), {"P04": "p04 at example"})
    result = invoke(db_url, tmp_path, str(write_csv(tmp_path / "bad.csv", rows)), "--town", "sample")
    assert result.exit_code == 1
    assert "column 邮箱: 'p04 at example' is not an e-mail address" in result.stderr
    assert snapshot(db_url) == before
