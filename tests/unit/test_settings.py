"""TRACKER_* settings: a bad value stops `tracker` with one clear line; the secret key is made once, kept."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.config import Settings, SettingsError, SmtpConfig, check_database_url, parse_smtp_url

TRACKER = str(Path(sys.executable).parent / "tracker")


@pytest.fixture(autouse=True)
def _no_tracker_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment: start every test from none of our variables."""
    for name in list(os.environ):
        if name.startswith("TRACKER_"):
            monkeypatch.delenv(name)


def _run_tracker(tmp_path: Path, command: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "LITESTAR_"))}
    env.update(TRACKER_DATA_DIR=str(tmp_path / "data"), **variables)
    return subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )


# -- one clear line for a setting that can't work --------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRACKER_DATABASE_URL", "mysql://x"),
        ("TRACKER_DATABASE_URL", "mysql+aiomysql://root@127.0.0.1/tracker"),
        ("TRACKER_DATABASE_URL", "not a url"),
        ("TRACKER_DATABASE_URL", "://nowhere/tracker"),  # empty driver
        ("TRACKER_DATABASE_URL", "+asyncpg://nowhere/tracker"),  # empty dialect
        ("TRACKER_TIMEZONE", "Mars/Olympus_Mons"),
        ("TRACKER_TIMEZONE", "Asia"),  # a folder of the zone database, not a zone
        ("TRACKER_TIMEZONE", ""),
        ("TRACKER_DEFAULT_LOCALE", "fr"),
        ("TRACKER_DEFAULT_LOCALE", "zh"),
        ("TRACKER_DEBUG", "sometimes"),
        ("TRACKER_SMTP_URL", "mail.example.org:587"),
        ("TRACKER_SMTP_URL", "http://mail.example.org"),
        ("TRACKER_SMTP_URL", "smtp://"),
        ("TRACKER_SMTP_URL", "smtp://mail.example.org:99999"),
        ("TRACKER_SMTP_URL", "smtp://mail.example.org?tls=1"),
        ("TRACKER_SMTP_URL", "smtps://mail.example.org?starttls=1"),
        ("TRACKER_SCHEDULER", "sometimes"),
        ("TRACKER_BASE_URL", "tracker.example.org"),
    ],
)
def test_it_refuses_a_bad_setting_with_one_line(tmp_path: Path, variable: str, value: str) -> None:
    result = _run_tracker(tmp_path, [TRACKER, "info"], **{variable: value})

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert lines[0].startswith("tracker: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "data").exists()  # refused before anything was made


def test_it_refuses_the_same_way_when_run_as_a_module(tmp_path: Path) -> None:
    result = _run_tracker(
        tmp_path, [sys.executable, "-m", "tracker", "info"], TRACKER_DATABASE_URL="mysql://x"
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "tracker: TRACKER_DATABASE_URL uses 'mysql'; use sqlite:///PATH or postgresql://USER@HOST/DB"
    ]


def test_it_says_what_a_bad_time_zone_and_locale_are(tmp_path: Path) -> None:
    zone = _run_tracker(tmp_path, [TRACKER, "info"], TRACKER_TIMEZONE="Mars/Olympus_Mons")
    assert "unknown time zone 'Mars/Olympus_Mons'" in zone.stderr
    locale = _run_tracker(tmp_path, [TRACKER, "info"], TRACKER_DEFAULT_LOCALE="fr")
    assert "zh_CN, en" in locale.stderr


# -- the database URL ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:////srv/tracker/tracker.sqlite3", "sqlite+aiosqlite:////srv/tracker/tracker.sqlite3"),
        ("sqlite+aiosqlite:///relative.sqlite3", "sqlite+aiosqlite:///relative.sqlite3"),
        (
            "postgresql://tracker:s%40cret@db.local:5433/tracker",
            "postgresql+asyncpg://tracker:s%40cret@db.local:5433/tracker",
        ),
        ("postgres://tracker@db.local/tracker", "postgresql+asyncpg://tracker@db.local/tracker"),
        ("postgresql+psycopg://tracker@db.local/tracker", "postgresql+asyncpg://tracker@db.local/tracker"),
        ("postgresql+asyncpg://tracker@db.local/tracker", "postgresql+asyncpg://tracker@db.local/tracker"),
    ],
)
def test_it_takes_sqlite_and_postgresql_urls_with_the_async_driver(given: str, used: str) -> None:
    assert check_database_url(given) == used
    assert Settings(database_url=given).db_url == used


@pytest.mark.parametrize("url", ["mysql://x", "not a url", "://x", "", "oracle://scott@db/orcl"])
def test_it_refuses_other_database_urls(url: str) -> None:
    with pytest.raises(SettingsError, match="TRACKER_DATABASE_URL"):
        check_database_url(url)


def test_it_defaults_to_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.db_url == f"sqlite+aiosqlite:///{(tmp_path / 'data' / 'tracker.sqlite3').resolve()}"
    assert settings.is_sqlite


# -- the secret key --------------------------------------------------------------------------


def test_it_generates_the_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # does not exist yet
    first = Settings(data_dir=data_dir).resolved_secret_key()

    key_file = data_dir / "secret_key"
    assert key_file.read_text(encoding="utf-8").strip() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings(data_dir=data_dir).resolved_secret_key() == first  # next start: the same key
    assert Settings(data_dir=tmp_path / "other").resolved_secret_key() != first  # another install: its own


def test_it_takes_the_secret_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment-0123456789")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    assert Settings().resolved_secret_key() == "from-the-environment-0123456789"
    assert not (tmp_path / "data" / "secret_key").exists()


def test_it_treats_an_empty_secret_key_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SECRET_KEY", "")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    key = Settings().resolved_secret_key()
    assert key
    assert (tmp_path / "data" / "secret_key").read_text(encoding="utf-8").strip() == key


@pytest.mark.parametrize(
    ("url", "config"),
    [
        ("smtp://mail.example.org", SmtpConfig("mail.example.org", 25, None, None, use_tls=False, starttls=False)),
        ("smtp://u%40town:p%3Ass@mail.example.org:587?starttls=1",
         SmtpConfig("mail.example.org", 587, "u@town", "p:ss", use_tls=False, starttls=True)),
        ("smtps://tracker@mail.example.org", SmtpConfig("mail.example.org", 465, "tracker", None, use_tls=True,
                                                         starttls=False)),
        ("smtp://127.0.0.1:8025?starttls=0", SmtpConfig("127.0.0.1", 8025, None, None, use_tls=False, starttls=False)),
    ],
)  # fmt: skip
def test_it_reads_the_smtp_url(url: str, config: SmtpConfig) -> None:
    assert parse_smtp_url(url) == config
    assert Settings(smtp_url=url).smtp == config


@pytest.mark.parametrize(
    ("value", "on"), [("on", True), ("off", False), ("OFF", False), ("1", True), ("0", False)]
)
def test_it_turns_the_scheduler_on_and_off(value: str, on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SCHEDULER", value)
    assert Settings().scheduler is on
