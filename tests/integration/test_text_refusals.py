"""Control and invisible formatting characters (NUL, U+202E, U+200B …) refused with a field message in
names and free text, on SQLite and PostgreSQL, through the API, the pages' forms and the roster
importer; nothing is saved. And the user text the pages show is isolated in <bdi>, so that a name
written right-to-left can't turn the text around it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import update

from tests.support.personas import form_post, sign_in
from tests.support.work_pages import Work, build_work
from tests.support.work_services import dump_db
from tracker.cli.roster_import import import_group
from tracker.db.models.roster import Person
from tracker.db.models.tasks import Task
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import local_date, utc_now
from tracker.paths import seeds_dir

ENGLISH = {"Accept-Language": "en"}
RLO, ZWSP, BOM, LRI = "\u202e", "\u200b", "\ufeff", "\u2066"


def _message(code: str, position: int) -> str:
    return f"Remove the control or invisible formatting character {code} at character {position}"


@pytest.fixture
def work(db: Any) -> Work:
    return db(build_work)


@pytest.fixture
def token(db: Any, work: Work) -> dict[str, str]:
    async def make(session: Any) -> dict[str, str]:
        service = UserService(session, None)  # type: ignore[arg-type]
        return {who: (await service.create_token(work.world.users[who], "text")).secret for who in ("secretary", "cadre")}

    secrets = db(make)
    return {who: f"Bearer {secret}" for who, secret in secrets.items()}


def _today() -> str:
    return local_date(utc_now(), "Asia/Shanghai").isoformat()


def _assignment(**change: Any) -> dict[str, Any]:
    return {"title": "宣讲", "kind": "custom", "who": {"kind": "tier", "tier": "village_cadre"},
            "when": {"cadence": "monthly"}, **change}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "path", "body", "field", "message"),
    [
        ("cadre", "tasks/{this_week}/records", {"fields": {"topic": f"宣讲{RLO}txt.exe", "audience": 5}},
         "fields.topic", _message("U+202E", 3)),
        ("cadre", "tasks/{this_week}/records", {"fields": {"topic": "a\nb", "audience": 5}}, "fields.topic",
         "Keep this on one line (a tab or line break is at character 2)"),
        ("cadre", "towns/alpha/records", {"kind": "custom", "fields": {"note": f"走访{ZWSP}"}}, "fields.note",
         _message("U+200B", 3)),
        ("cadre", "towns/alpha/records", {"kind": "opinion", "fields": {"what_happened": "x\x1b[31m", "how_handled": "y"}},
         "fields.what_happened", _message("U+001B", 2)),
        ("secretary", "towns/alpha/assignments", _assignment(title=f"{RLO}宣讲"), "title", _message("U+202E", 1)),
        ("secretary", "towns/alpha/assignments", _assignment(title="第一行\n第二行"), "title", None),
        ("secretary", "towns/alpha/assignments", _assignment(description=f"说明{BOM}"), "description",
         _message("U+FEFF", 3)),
        ("secretary", "towns/alpha/assignments/preview",
         _assignment(when={"cadence": "rrule", "rule": "FREQ=MONTHLY\x00"}), "when.rule", _message("U+0000", 13)),
        ("secretary", "tasks/{overdue}/excuse", {"reason": f"病假{LRI}"}, "reason", _message("U+2066", 3)),
        ("secretary", "tasks/{overdue}/cancel", {"reason": "\x85"}, "reason", _message("U+0085", 1)),
    ],
)
def test_it_refuses_control_and_format_characters_in_the_api(
    client: TestClient, db: Any, work: Work, token: dict[str, str], who: str, path: str, body: dict[str, Any],
    field: str, message: str | None,
) -> None:  # fmt: skip
    if "records" in path:
        body = {"client_key": "text-0001", "occurred_on": _today(), **body}
    url = "/api/v1/" + path.format(this_week=work.this_week, overdue=work.overdue)
    before = dump_db(db)
    response = client.post(url, json=body, headers={"Authorization": token[who], **ENGLISH})
    assert response.status_code == 400, response.text
    fields = response.json()["fields"]
    assert field in fields, fields
    if message is not None:
        assert fields[field] == message
    assert dump_db(db) == before


def test_it_keeps_line_breaks_in_free_text_but_not_in_a_line(
    client: TestClient, work: Work, token: dict[str, str]
) -> None:
    headers = {"Authorization": token["cadre"], **ENGLISH}
    body = {"client_key": "text-0002", "occurred_on": _today(), "kind": "custom",
            "fields": {"note": "第一行\n\t第二行"}}  # fmt: skip
    response = client.post("/api/v1/towns/alpha/records", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["record"]["fields"]["note"] == "第一行\n\t第二行"
    body = {"client_key": "text-0003", "occurred_on": _today(), "kind": "lecture",
            "fields": {"topic": "百姓\t宣讲", "audience": 5}}  # fmt: skip
    response = client.post("/api/v1/towns/alpha/records", json=body, headers=headers)
    assert response.status_code == 400, response.text
    assert "one line" in response.json()["fields"]["fields.topic"]


def test_it_refuses_them_in_page_forms_beside_the_field(client: TestClient, db: Any, work: Work) -> None:
    sign_in(client, "secretary")
    before = dump_db(db)
    form = {"title": f"宣讲{RLO}", "kind": "custom", "who.kind": "tier", "who.tier": "village_cadre",
            "when.cadence": "monthly"}  # fmt: skip
    page = form_post(client, "/towns/alpha/assignments/", form, headers=ENGLISH)
    assert page.status_code == 400
    assert f'id="title-error">{_message("U+202E", 3)}</span>' in page.text
    excused = form_post(client, f"/tasks/{work.overdue}/excuse", {"reason": f"病{ZWSP}假"}, headers=ENGLISH)
    assert excused.status_code == 400
    assert _message("U+200B", 2) in excused.text
    assert dump_db(db) == before

    client.cookies.clear()
    sign_in(client, "cadre")
    before = dump_db(db)
    sent = {"client_key": "text-page-1", "occurred_on": _today(), "f_topic": f"{BOM}宣讲", "f_audience": "5"}
    recorded = form_post(client, f"/tasks/{work.this_week}/records", sent, headers=ENGLISH)
    assert recorded.status_code == 400
    assert _message("U+FEFF", 1) in recorded.text
    assert dump_db(db) == before


def test_it_refuses_them_in_the_roster_file_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    rows = (seeds_dir() / "roster-sample.csv").read_text(encoding="utf-8").splitlines()
    person = next(i for i, row in enumerate(rows) if row.startswith("person,"))
    cells = rows[person].split(",")
    cells[2] = f"张{RLO}红梅"  # name
    cells[6] = "镇长\x00"  # post
    rows[person] = ",".join(cells)
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path), "TRACKER_DEFAULT_LOCALE": "en"}
    result = CliRunner().invoke(import_group, ["roster", str(path), "--town", "sample"], env=env,
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 1, result.output
    row = person + 1
    assert f"row {row}, column name: {_message('U+202E', 2)}" in result.stderr
    assert f"row {row}, column post: {_message('U+0000', 3)}" in result.stderr
    assert RLO not in result.stderr and "\x00" not in result.stderr  # echoed without the characters
    assert "Nothing was written" in result.stderr


def test_it_isolates_user_text_where_pages_show_it(client: TestClient, db: Any, work: Work) -> None:
    name, title = f"干部{RLO}丁", f"走访{RLO}东村"

    async def rename(session: Any) -> None:
        await session.execute(update(Person).where(Person.id == work.world.a.cadre.id).values(name=name))
        await session.execute(update(Task).where(Task.id == work.overdue).values(title=title))

    db(rename)
    sign_in(client, "secretary")
    task = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert f"<h1><bdi>{title}</bdi></h1>" in task
    assert f"<bdi>{name}</bdi></a>" in task
    person = client.get(f"/towns/alpha/people/{work.world.a.cadre.id}", headers=ENGLISH).text
    assert f"<h1><bdi>{name}</bdi></h1>" in person
    town = client.get("/towns/alpha", headers=ENGLISH).text
    assert f'<span class="row-title"><bdi>{name}</bdi>' in town
    board = client.get("/towns/alpha/board", headers=ENGLISH).text
    assert f"<bdi>{name}</bdi></a></th>" in board
