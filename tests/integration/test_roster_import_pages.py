"""The roster file in the pages, on SQLite and PostgreSQL: the dry run (a title row skipped and said so,
every change listed, nothing written), the confirmation through the same importer, every bad row
listed with nothing written or kept, files that can't be read, the refusals of a confirmation when
the roster or the file changed, two confirmations at once, the template and the export round trip."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from tests.support.live_server import LiveServer
from tests.support.personas import World, csrf_token, sign_in
from tests.support.work_pages import ENGLISH
from tests.support.work_services import dump_db
from tracker.db.models.audit import AuditEntry
from tracker.db.models.roster import ContactAssignment, Person, Town
from tracker.db.models.roster_upload import RosterUpload

IMPORT = "/towns/alpha/roster/import"
HEADER = "记录类型,编码,名称,类别,所属行政村,层级,职务,单位,直接上级,电话,领导小组,纬度,经度,联系点/包村"
TITLE = "阿尔法镇意识形态工作责任制名册（2026年）,,,,,,,,,,,,,"
NEW_CADRE = "人员,P9,新干部庚,,,包村干部,包村干部,,P2,13900000009,,,,NV4"
PHONE_CHANGE = "人员,P3,主任丙,,,部门站所社区负责人,宣传办主任,U1,P2,13700000003,,,,"


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(client: TestClient[Litestar], content: bytes, name: str = "名册.csv", **headers: str) -> Any:
    return client.post(
        IMPORT, files={"file": (name, content, "application/octet-stream")},
        data={"_csrf_token": csrf_token(client)}, headers=headers, follow_redirects=False,
    )  # fmt: skip


def confirm(client: TestClient[Litestar], upload_id: int, sha256: str) -> Any:
    return client.post(f"{IMPORT}/{upload_id}/confirm", data={"sha256": sha256, "_csrf_token": csrf_token(client)},
                       follow_redirects=False)  # fmt: skip


def kept_uploads(db: Callable[..., Any]) -> list[tuple[int, str]]:
    async def go(session: Any) -> list[tuple[int, str]]:
        return [
            tuple(row) for row in (await session.execute(select(RosterUpload.id, RosterUpload.sha256))).all()
        ]

    return db(go)


def person(db: Callable[..., Any], code: str) -> Person | None:
    """Town alpha's person of that code (town beta has people of the same codes)."""
    query = (
        select(Person).join(Town, Town.id == Person.town_id).where(Town.code == "alpha", Person.code == code)
    )
    return db(lambda s: s.scalar(query))


def secretary(client: TestClient[Litestar]) -> TestClient[Litestar]:
    client.headers.update(ENGLISH)
    sign_in(client, "secretary")
    return client


def test_it_previews_a_file_with_a_title_row_then_imports_it_on_confirm(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    secretary(client)
    assert "Import the roster" in client.get("/towns/alpha").text  # the town page links here
    before = dump_db(db)
    shown = upload(client, csv_file(TITLE, HEADER, NEW_CADRE, PHONE_CHANGE))
    assert shown.status_code == 200, shown.text
    assert "Skipped 1 row above the header (row 2)" in shown.text
    assert 'data-change="person:P9"' in shown.text and 'data-change="person:P3"' in shown.text
    assert (
        "<del><bdi>—</bdi></del> → <ins><bdi>13700000003</bdi></ins>" in shown.text
    )  # P3's phone: none, then this
    assert "Places linked from today: NV4" in shown.text
    after_preview = dump_db(db)
    kept = after_preview.pop("roster_upload")
    assert len(kept) == 1 and after_preview == {k: v for k, v in before.items() if k != "roster_upload"}
    [(upload_id, sha256)] = kept_uploads(db)
    assert f'value="{sha256}"' in shown.text and f"/import/{upload_id}/confirm" in shown.text

    done = confirm(client, upload_id, sha256)
    assert done.status_code == 200, done.text
    assert 'data-state="imported"' in done.text and "people: 1 created, 1 updated, 0 unchanged" in done.text
    new = person(db, "P9")
    assert new is not None and new.name == "新干部庚" and person(db, "P3").phone == "13700000003"  # type: ignore[union-attr]
    links = db(lambda s: s.scalar(select(func.count()).select_from(ContactAssignment)
                                  .where(ContactAssignment.person_id == new.id)))  # fmt: skip
    assert links == 1 and kept_uploads(db) == []
    audited = db(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.object_type == "person", AuditEntry.action == "create")))  # fmt: skip
    assert audited >= 1
    assert "新干部庚" in client.get("/towns/alpha").text

    again = confirm(client, upload_id, sha256)  # the preview was used
    assert again.status_code == 409 and "no longer available" in again.text


def test_it_lists_every_bad_row_or_says_why_a_file_cannot_be_read_and_writes_nothing(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    secretary(client)
    before = dump_db(db)
    bad = csv_file(TITLE, HEADER, NEW_CADRE.replace("包村干部,包村干部", "boss,包村干部"),
                   PHONE_CHANGE.replace("13700000003", "call me"), "人员,P10,无名,,,包村干部,,U9,,,,,,")  # fmt: skip
    shown = upload(client, bad)
    assert shown.status_code == 400
    for where in ("<td>3</td><td><bdi>层级</bdi></td>", "<td>4</td><td><bdi>电话</bdi></td>",
                  "<td>5</td><td><bdi>单位</bdi></td>"):  # fmt: skip
        assert where in shown.text
    assert "Nothing can be imported: 3 problems" in shown.text and "Import these changes" not in shown.text
    assert dump_db(db) == before

    cases = [  # files that can't be read at all: one clear message each
        (b"", "名册.csv", 400, "Choose a roster file"),
        (b"   \n", "名册.csv", 400, "The file is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "名册.xlsx", 400, "This is not an .xlsx workbook"),
        (b"%PDF-1.4", "名册.pdf", 400, "Unsupported file type &#39;.pdf&#39;"),
        (
            csv_file("名册", "说明", HEADER.split(",")[0]),
            "名册.csv",
            400,
            "No header row in the first 10 rows",
        ),
        (b"x" * (2 * 1024 * 1024 + 1), "名册.csv", 400, "The file is too large: at most 2 MB"),
        (b"x" * (3 * 1024 * 1024), "名册.csv", 413, "The request is too large"),
    ]
    for content, name, status, message in cases:
        answer = upload(client, content, name)
        assert (answer.status_code, message in answer.text) == (status, True), (
            name,
            content[:10],
            answer.text[:300],
        )
    no_file = client.post(IMPORT, data={"_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert no_file.status_code == 400 and "Choose a roster file" in no_file.text
    assert dump_db(db) == before


def test_it_refuses_a_confirmation_when_the_roster_or_the_file_changed_since_the_preview(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    secretary(client)
    partial = upload(client, csv_file(HEADER, NEW_CADRE), "名册.csv", **{"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text and 'id="import-area"' in partial.text
    [(upload_id, sha256)] = kept_uploads(db)
    wrong = confirm(client, upload_id, "0" * 64)
    assert wrong.status_code == 409 and "not the one previewed" in wrong.text

    db(
        lambda s: s.execute(update(Person).where(Person.id == world.a.cadre.id).values(phone="13000000000"))
    )  # meanwhile
    before = dump_db(db)
    refused = confirm(client, upload_id, sha256)
    assert refused.status_code == 409 and "The roster was changed after this preview" in refused.text
    assert dump_db(db) == before and person(db, "P9") is None


def test_two_confirmations_at_once_import_once(
    live_server: LiveServer, world: World, db: Callable[..., Any]
) -> None:
    clients = [httpx.Client(base_url=live_server.base_url, timeout=60, headers=ENGLISH) for _ in range(2)]
    try:
        for client in clients:
            sign_in(client, "secretary")  # type: ignore[arg-type]
        shown = upload(clients[0], csv_file(HEADER, NEW_CADRE))  # type: ignore[arg-type]
        assert shown.status_code == 200
        [(upload_id, sha256)] = kept_uploads(db)
        barrier = Barrier(2)

        def send(client: httpx.Client) -> int:
            barrier.wait(timeout=30)
            return confirm(client, upload_id, sha256).status_code  # type: ignore[arg-type]

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(send, clients))
    finally:
        for client in clients:
            client.close()
    assert statuses == [200, 409]
    assert db(lambda s: s.scalar(select(func.count()).select_from(Person).where(Person.code == "P9"))) == 1


def test_the_template_and_the_export_open_in_openpyxl_and_import_as_they_are(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    secretary(client)
    answer = client.get("/towns/alpha/roster/template.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A3" and "A1:P1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]][:3] == ["记录类型", "编码", "名称"]
    validations = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations == {"A": '"镇,单位,地点,人员"', "D": '"部门,站所,社区,行政村,自然村,企业"',
                           "F": '"科级干部,部门站所社区负责人,包村干部"', "K": '"组长,副组长,成员"'}  # fmt: skip
    assert [c.value for c in sheet[8]][:3] == ["人员", "P01", "Example official"]
    shown = upload(client, answer.content, "template.xlsx")
    assert shown.status_code == 200, shown.text
    assert 'data-change="person:P01"' in shown.text and "Skipped 1 row above the header" in shown.text

    # the export, imported back as it is: no change
    exported = client.get("/towns/alpha/roster/export.xlsx")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows()
    ]
    official = next(row for row in rows if row[1] == "P2")
    assert (
        official[:3] == ["人员", "P2", "镇长乙"] and official[5] == "科级干部" and official[13] == "NV2、NV3"
    )
    shown = upload(client, exported.content, "export.xlsx")
    assert shown.status_code == 200, shown.text
    assert 'data-state="no-changes"' in shown.text and "data-change=" not in shown.text
