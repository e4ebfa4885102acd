"""Copying the template town N-1 times with bulk inserts (ids shifted as synth/shifts.py says).

`copy_town(session, template, copies, rename)` (the caller commits):
1. reads the template's rows of every copied table once: the rows with its `town_id`, and for the
   tables without one (record_photo, follow_up_resolution, totp_secret …) the rows whose parent has it;
2. measures each copied table's span (its highest id);
3. writes copies 1 … N-1 a batch of towns at a time, tables in foreign-key order: on PostgreSQL with
   COPY (asyncpg's copy_records_to_table, in the session's transaction), elsewhere with executemany
   INSERTs in chunks;
4. on PostgreSQL, moves every copied table's identity sequence past its highest id, so the app's own
   inserts afterwards get free ids.
As a PostgreSQL superuser the foreign keys are not checked row by row during the copy (see
_skip_foreign_key_checks): measured on two shared cores, 100 towns took 28 s instead of 55 s, and
1,000 towns (1.7 million tasks, 1.8 million records) 152 s.
No ORM objects, events or listeners: the copies are the template's rows, audit log excluded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.base import metadata
from tracker.synth.shifts import COPIED, SKIPPED, Convert, Shifts, column_converters, copy_encoders, copy_row

ROWS_PER_BATCH = 60_000  # rows of all tables written per batch of towns (memory, not speed, sets it)
INSERT_CHUNK = 5_000

# renames(table name) -> {column name: convert(value, k)}: the values unique across towns
Renames = Callable[[str], Mapping[str, Convert]]


def copied_tables() -> list[Table]:
    """The copied tables in foreign-key order; every table must be copied or skipped."""
    undecided = {t.name for t in metadata.sorted_tables} - set(COPIED) - SKIPPED
    if undecided:
        msg = f"tables neither copied nor skipped in synth/shifts.py: {sorted(undecided)}"
        raise RuntimeError(msg)
    return [t for t in metadata.sorted_tables if t.name in COPIED]


def _of_town(table: Table, town_id: int) -> Any:
    """The WHERE clause selecting the template's rows of `table`."""
    if table.name == "town":
        return table.c.id == town_id
    if "town_id" in table.c:
        return table.c.town_id == town_id
    for column in table.columns:
        for key in column.foreign_keys:
            parent = key.column.table
            if parent.name in COPIED and "town_id" in parent.c:
                return column.in_(select(parent.c.id).where(parent.c.town_id == town_id))
    msg = f"{table.name}: no way to find a town's rows"
    raise RuntimeError(msg)


async def read_template(
    session: AsyncSession, tables: list[Table], town_id: int
) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for table in tables:
        result = await session.execute(select(table).where(_of_town(table, town_id)).order_by(table.c.id))
        rows[table.name] = [tuple(row) for row in result]
    return rows


async def spans(session: AsyncSession, tables: list[Table]) -> Shifts:
    found = {}
    for table in tables:
        found[table.name] = int(await session.scalar(select(func.max(table.c.id))) or 0)
    return Shifts(found)


async def copy_town(session: AsyncSession, town_id: int, copies: int, renames: Renames) -> None:
    """Write copies 1 … `copies` of town `town_id` (module notes)."""
    tables = copied_tables()
    template = await read_template(session, tables, town_id)
    shifts = await spans(session, tables)
    postgres = (await session.connection()).dialect.name == "postgresql"
    converters = {t.name: column_converters(t, shifts, renames(t.name)) for t in tables}
    if postgres:  # COPY takes the driver's values: encoded in the same pass
        converters = {t.name: _encoding(converters[t.name], copy_encoders(t)) for t in tables}
    per_town = max(1, sum(len(rows) for rows in template.values()))
    batch = max(1, ROWS_PER_BATCH // per_town)
    write = _copy_writer if postgres else _insert_writer
    unchecked = postgres and await _skip_foreign_key_checks(session)
    for first in range(1, copies + 1, batch):
        ks = range(first, min(first + batch, copies + 1))
        for table in tables:
            rows = template[table.name]
            if rows:
                active = [(i, c) for i, c in enumerate(converters[table.name]) if c is not None]
                await write(session, table, [copy_row(row, active, k) for k in ks for row in rows])
    if unchecked:
        await session.execute(text("SET LOCAL session_replication_role = origin"))
    if postgres:
        await reset_sequences(session, tables)


async def _skip_foreign_key_checks(session: AsyncSession) -> bool:
    """On PostgreSQL as a superuser, the copies' foreign keys go unchecked row by row (the checks are
    triggers, which `session_replication_role = replica` skips, until `origin` is set back after the
    copy): the copies take about a third of the time. The rows are the template's, shifted together, and
    tests/integration/test_synth.py checks every foreign key of the result. Other roles: checked."""
    if await session.scalar(text("SELECT current_setting('is_superuser')")) != "on":
        return False
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    return True


async def _insert_writer(session: AsyncSession, table: Table, rows: list[tuple[Any, ...]]) -> None:
    keys = [c.key for c in table.columns]
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        await session.execute(insert(table), [dict(zip(keys, row, strict=True)) for row in chunk])


def _encoding(
    converters: list[Convert | None], encoders: list[Callable[[Any], Any] | None]
) -> list[Convert | None]:
    """Each column's conversion followed by its encoding for COPY."""
    return [c if e is None else _then(c, e) for c, e in zip(converters, encoders, strict=True)]


def _then(convert: Convert | None, encode: Callable[[Any], Any]) -> Convert:
    if convert is None:
        return lambda value, _k: encode(value)
    return lambda value, k: encode(convert(value, k))


async def _copy_writer(session: AsyncSession, table: Table, rows: list[tuple[Any, ...]]) -> None:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(table.name, records=rows, columns=[c.name for c in table.columns])


async def reset_sequences(session: AsyncSession, tables: list[Table]) -> None:
    """Each table's identity sequence set to its highest id (PostgreSQL), so the next insert is free."""
    for table in tables:
        highest = f'(SELECT max(id) FROM "{table.name}")'
        await session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"coalesce({highest}, 1), {highest} IS NOT NULL)"
        ))  # fmt: skip
