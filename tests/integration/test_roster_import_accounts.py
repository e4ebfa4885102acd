"""`tracker import roster --create-accounts`, on SQLite and PostgreSQL: an account for every person of
the file who has none (login = code in lowercase, official for tier 1, member otherwise), a random
initial password each, printed once as a table and kept nowhere else, to be changed at first
sign-in; a second run creates nothing; a dry run writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import select

from tests.support.accounts import Browsers, audit_json, rows
from tests.support.personas import csrf_token
from tracker.cli.roster_import import import_group
from tracker.db.models.accounts import Role, User
from tracker.db.models.roster import Person
from tracker.domain.accounts.passwords import verify_password
from tracker.paths import seeds_dir

SAMPLE = seeds_dir() / "roster-sample.csv"
EXPECTED = {  # login: (name, role)
    "p01": ("张红梅", Role.OFFICIAL),
    "p02": ("李国强", Role.OFFICIAL),
    "p03": ("王小燕", Role.MEMBER),
    "p04": ("赵建军", Role.MEMBER),
}


def invoke(db_url: str, data_dir: Path, *args: str) -> Result:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(data_dir), "TRACKER_DEFAULT_LOCALE": "en"}
    return CliRunner().invoke(import_group, ["roster", *args], env=env, catch_exceptions=False)


def printed_passwords(output: str) -> dict[str, tuple[str, str]]:
    """login -> (name, password), read back from the printed table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split() == ["login", "name", "password"])
    table: dict[str, tuple[str, str]] = {}
    for line in lines[start + 1 :]:
        parts = line.split()
        if len(parts) != 3 or not line.startswith("  "):
            break
        table[parts[0]] = (parts[1], parts[2])
    return table


def users_by_login(db: Any) -> dict[str, User]:
    return {u.login: u for u in rows(db, select(User).order_by(User.id))}


def sample_town_file(tmp_path: Path, town_code: str) -> Path:
    """The sample roster for another town (same person codes)."""
    text = SAMPLE.read_text(encoding="utf-8").replace("town,sample,样例镇", f"town,{town_code},另一镇")
    path = tmp_path / f"{town_code}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_creates_an_account_for_every_person(db_url: str, tmp_path: Path, db: Any) -> None:
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--create-accounts")
    assert result.exit_code == 0, result.output
    assert "people: 4 created" in result.stdout and "Accounts created: 4" in result.stdout
    assert "shown only now; each must be changed at first sign-in" in result.stdout
    table = printed_passwords(result.stdout)
    assert {login: name for login, (name, _pw) in table.items()} == {k: v[0] for k, v in EXPECTED.items()}
    assert len({pw for _name, pw in table.values()}) == 4  # one random password each

    users = users_by_login(db)
    people = {p.id: p for p in rows(db, select(Person))}
    assert set(users) == set(EXPECTED)
    for login, (name, role) in EXPECTED.items():
        account = users[login]
        assert account.role is role and account.active and account.must_change_password
        assert people[account.person_id].name == name and people[account.person_id].code == login.upper()
        assert account.town_id == people[account.person_id].town_id
        assert verify_password(account.password_hash, table[login][1])
    # written nowhere else: not in the database, not in the audit log
    log = audit_json(db)
    for _name, password in table.values():
        assert password not in log and all(password not in u.password_hash for u in users.values())


def test_it_makes_them_change_the_password_at_first_sign_in(
    db_url: str, tmp_path: Path, browsers: Browsers
) -> None:
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--create-accounts")
    _name, password = printed_passwords(result.stdout)["p04"]
    client = browsers.open()
    form = {"login": "p04", "password": password, "_csrf_token": csrf_token(client), "next": "/"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    assert client.get("/api/v1/me").status_code == 403
    # by phone number too: the roster's phone is the person's
    other = browsers.open()
    form = {"login": "13800000002", "password": printed_passwords(result.stdout)["p02"][1]}
    response = other.post("/login", data={**form, "_csrf_token": csrf_token(other)}, follow_redirects=False)
    assert response.headers["location"] == "/account/password"


def test_it_creates_no_duplicates_on_a_second_run(db_url: str, tmp_path: Path, db: Any) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--create-accounts").exit_code == 0
    before = {login: (u.id, u.password_hash) for login, u in users_by_login(db).items()}
    again = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--create-accounts")
    assert again.exit_code == 0, again.output
    assert "Accounts created: 0" in again.stdout and "People who already have an account: 4" in again.stdout
    assert "password" not in again.stdout.split("Accounts created: 0")[1]
    assert {login: (u.id, u.password_hash) for login, u in users_by_login(db).items()} == before


def test_it_adds_accounts_only_for_people_without_one(db_url: str, tmp_path: Path, db: Any) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0  # no accounts asked for
    assert users_by_login(db) == {}
    from tracker.cli.users import users_group

    people = {p.code: p.id for p in rows(db, select(Person))}
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path), "TRACKER_DEFAULT_LOCALE": "en"}
    made = CliRunner().invoke(
        users_group,
        [
            "create",
            "--town",
            "sample",
            "--login",
            "zhang.hongmei",
            "--role",
            "secretary",
            "--person",
            str(people["P01"]),
        ],
        env=env,
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--create-accounts")
    assert result.exit_code == 0, result.output
    assert "Accounts created: 3" in result.stdout and "People who already have an account: 1" in result.stdout
    assert set(printed_passwords(result.stdout)) == {"p02", "p03", "p04"}
    users = users_by_login(db)
    assert (
        set(users) == {"zhang.hongmei", "p02", "p03", "p04"} and users["zhang.hongmei"].role is Role.SECRETARY
    )


def test_it_puts_the_town_in_front_when_a_login_is_taken(db_url: str, tmp_path: Path, db: Any) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--create-accounts").exit_code == 0
    other = sample_town_file(tmp_path, "hexi")
    result = invoke(db_url, tmp_path, str(other), "--town", "hexi", "--create-accounts")
    assert result.exit_code == 0, result.output
    assert set(printed_passwords(result.stdout)) == {"hexi.p01", "hexi.p02", "hexi.p03", "hexi.p04"}
    users = users_by_login(db)
    assert len(users) == 8
    assert users["hexi.p01"].town_id != users["p01"].town_id


def test_it_writes_nothing_on_a_dry_run(db_url: str, tmp_path: Path, db: Any) -> None:
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--dry-run", "--create-accounts")
    assert result.exit_code == 0, result.output
    assert "Accounts that would be created: 4" in result.stdout
    for login in EXPECTED:
        assert f"  {login} " in result.stdout
    assert "password" not in result.stdout.lower().split("would be created")[1]
    assert users_by_login(db) == {} and rows(db, select(Person)) == []


def test_it_writes_nothing_when_the_file_is_bad(db_url: str, tmp_path: Path, db: Any) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("section_official,宣传委员", "nobody,宣传委员"),
        encoding="utf-8",
    )
    result = invoke(db_url, tmp_path, str(bad), "--town", "sample", "--create-accounts")
    assert result.exit_code == 1
    assert "Accounts" not in result.stdout
    assert users_by_login(db) == {} and rows(db, select(Person)) == []
