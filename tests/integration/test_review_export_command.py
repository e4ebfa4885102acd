"""`tracker review export --town CODE --year YYYY --format docx|xlsx -o FILE`, end to end on SQLite and
PostgreSQL: the hand-worked review town (tests/support/review_fixture.py) as a DOCX and an XLSX with its
numbers, a finalised year from its snapshot, a year with no data, and the refusals: an unknown town
(exit 2), a path that can't be written (one line, exit 1, no file left behind)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from tests.support.factories import build_small_town
from tests.support.review_fixture import AFTER_YEAR, build_review_town
from tracker.cli.review import export_command
from tracker.domain.review.finalise import finalise_year

NOW = "2026-03-01T12:00:00+08:00"  # AFTER_YEAR: 2025 is over


def export(db_url: str, tmp_path: Path, *args: str, locale: str = "zh_CN") -> Result:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "data"),
           "TRACKER_DEFAULT_LOCALE": locale, "TRACKER_SECRET_KEY": "test-secret-key-0123456789"}  # fmt: skip
    return CliRunner().invoke(export_command, list(args), env=env, catch_exceptions=False)


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs if p.text]


def test_it_exports_the_draft_report(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_review_town)
    target = tmp_path / "report.docx"

    result = export(db_url, tmp_path, "--town", "rv", "--year", "2025", "--format", "docx", "-o", str(target),
                    "--now", NOW)  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"已写入 {target}")
    assert result.stderr.splitlines() == [
        "tracker review export: 正在计算评议镇2025年的年度考核……",
        "tracker review export: 正在写入 docx……",
    ]
    texts = paragraphs(target)
    assert texts[0] == "2025年评议镇意识形态工作报告"
    headings = ["一、工作开展情况", "二、存在的问题", "三、意识形态领域形势研判", "四、下一步工作打算"]
    assert [t for t in texts if t in headings] == headings
    part_one = "\n".join(texts[texts.index(headings[0]) + 1 : texts.index(headings[1])])
    # the fixture's year: meetings 25 June and 29 November; 12 study sessions in 11 months (52 attendances);
    # lectures 3 + 2 + 1; films 3, one performance; 46 visits, 45 of 48 contact-point cells
    assert "镇党委于6月25日、11月29日召开党委会专题研究全镇意识形态工作，共2次。" in part_one
    assert "开展集体学习12次，12个月中有11个月开展学习，累计参学52人次。" in part_one
    assert "开展各类宣讲6场次，其中十九届五中全会精神宣讲3场次、百姓宣讲2场次、防疫知识宣讲1场次。" in part_one
    assert "播放电影3场次，文艺演出1场次。" in part_one
    assert "开展遍访46次，应访48个（人员×联系点×周期），已访45个，覆盖率93.8%。" in part_one
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_it_exports_the_tables(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_review_town)
    target = tmp_path / "tables.xlsx"

    result = export(db_url, tmp_path, "--town", "rv", "--year", "2025", "--format", "xlsx", "-o", str(target),
                    "--now", NOW, locale="en")  # fmt: skip

    assert result.exit_code == 0, result.output
    workbook = load_workbook(io.BytesIO(target.read_bytes()))
    assert workbook.sheetnames == ["Figures", "Scorecards", "By tier", "By unit", "Coverage of visits"]
    figures = {row[0]: row[1:] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["Committee meetings on ideology work"][0] == 2
    assert figures["Collective study sessions"][0] == 12
    assert figures["Lectures"][0] == 6
    assert figures["Visits due made (coverage)"][:3] == (45, 48, 45 / 48)
    people = workbook["Scorecards"]
    assert [c.value for c in people[1]][:2] == ["Rank", "Name"]
    assert people.max_row == 1 + 6  # the six people of the town
    assert people.freeze_panes == "A2"


def test_it_exports_a_finalised_year_from_its_snapshot(db_url: str, tmp_path: Path, db: Any) -> None:
    async def finalised(session: Any) -> None:
        fixture = await build_review_town(session)
        await finalise_year(session, None, fixture.town, 2025, AFTER_YEAR)

    db(finalised)
    target = tmp_path / "final.docx"

    result = export(db_url, tmp_path, "--town", "rv", "--year", "2025", "--format", "docx", "-o", str(target))

    assert result.exit_code == 0, result.output
    assert paragraphs(target)[1] == "（根据2026年3月1日定稿的年度数据快照生成）"


def test_it_says_there_is_no_data_for_an_empty_year(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_small_town)
    docx_file, xlsx_file = tmp_path / "empty.docx", tmp_path / "empty.xlsx"

    first = export(db_url, tmp_path, "--town", "alpha", "--year", "2024", "--format", "docx", "-o", str(docx_file))
    second = export(db_url, tmp_path, "--town", "alpha", "--year", "2024", "--format", "xlsx", "-o", str(xlsx_file))

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert paragraphs(docx_file) == ["2024年阿尔法镇意识形态工作报告", "2024年暂无工作记录和应办任务，尚无可报告的数据。"]
    assert len(load_workbook(io.BytesIO(xlsx_file.read_bytes())).sheetnames) == 5


def test_it_refuses_an_unknown_town_with_exit_code_2(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_small_town)
    target = tmp_path / "nowhere.docx"

    result = export(db_url, tmp_path, "--town", "nowhere", "--year", "2025", "--format", "docx", "-o", str(target))

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "tracker review export: 没有代码为 nowhere 的乡镇"
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".docx", ".part")]


def test_it_refuses_a_path_it_cannot_write_and_leaves_nothing(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_small_town)
    (tmp_path / "a-file").write_text("not a directory")
    before = sorted(tmp_path.rglob("*"))

    for target in (tmp_path / "missing" / "report.docx", tmp_path / "a-file" / "report.docx"):
        result = export(db_url, tmp_path, "--town", "alpha", "--year", "2025", "--format", "docx", "-o", str(target))

        assert result.exit_code == 1
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"tracker review export: 无法写入 {target}：")
    assert sorted(tmp_path.rglob("*")) == before


def test_it_refuses_a_directory_as_the_file(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_small_town)

    result = export(db_url, tmp_path, "--town", "alpha", "--year", "2025", "--format", "xlsx", "-o", str(tmp_path))

    assert result.exit_code != 0
    assert len(result.stderr.splitlines()) == 1


def test_it_replaces_an_existing_file_whole(db_url: str, tmp_path: Path, db: Any) -> None:
    db(build_small_town)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "report.xlsx"
    target.write_bytes(b"old")

    result = export(db_url, tmp_path, "--town", "alpha", "--year", "2026", "--format", "xlsx", "-o", str(target))

    assert result.exit_code == 0, result.output
    assert load_workbook(io.BytesIO(target.read_bytes())).sheetnames[0] == "主要数据"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.xlsx"]
