"""Settings from the environment (`TRACKER_*`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tracker.i18n import SUPPORTED_LOCALES

# The upload routes size their request-body limit from this ceiling (domain/work/photos.py).
MAX_PHOTO_MB_CEILING = 20
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class SettingsError(ValueError):
    """A setting is unusable; the message is one line meant for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="SQLite file, uploads, generated secret")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; default SQLite in data_dir"
    )
    secret_key: str | None = Field(
        default=None, description="generated into data_dir on first start if unset"
    )
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    debug: bool = False
    https: bool = Field(default=False, description="mark cookies Secure (behind HTTPS)")
    session_idle_minutes: int = Field(default=240, ge=5, description="sign out after this long unused")
    session_lifetime_hours: int = Field(default=12, ge=1, description="absolute lifetime of a session")
    keep_signed_in_days: int = Field(default=30, ge=1, description='"keep me signed in on this phone"')
    max_photo_mb: float = Field(
        default=10, gt=0, le=MAX_PHOTO_MB_CEILING, description="largest photo accepted, in MB"
    )
    sqlite_pool: bool = Field(
        default=True,
        description="keep SQLite connections open between requests (off: one per request, as the tests run it)",
    )
    # reminders (domain/reminders, notify/)
    scheduler: bool = Field(
        default=True, description="run the reminders loop in the web server (off: `tracker worker`)"
    )
    scheduler_interval_seconds: float = Field(default=60, gt=0, le=3600, description="pause between passes")
    base_url: str = Field(
        default="http://localhost:8000", description="the address links in messages point at"
    )
    smtp_url: str | None = Field(default=None, description="smtp[s]://user:pass@host:port?starttls=1")
    mail_from: str = Field(default="tracker@localhost", description="the From of reminder e-mail")
    webhook_allow_http: bool = Field(
        default=False, description="allow http:// and loopback robot URLs (tests)"
    )

    @field_validator("scheduler", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("on", "off"):
            return value.strip().lower() == "on"
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value:
            parse_smtp_url(value)  # raises ValueError with the reason
        return value or None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            msg = "must be an http(s) address such as https://tracker.example.org"
            raise ValueError(msg)
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder such as "Asia"
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            msg = f"locale must be one of {', '.join(SUPPORTED_LOCALES)}"
            raise ValueError(msg)
        return value

    @property
    def db_url(self) -> str:
        """The database URL in force, checked: an async driver we support."""
        url = self.database_url or f"sqlite+aiosqlite:///{(self.data_dir / 'tracker.sqlite3').resolve()}"
        return check_database_url(url)

    @property
    def smtp(self) -> SmtpConfig | None:
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def max_photo_bytes(self) -> int:
        return int(self.max_photo_mb * 1024 * 1024)

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The secret key: from the environment, else kept in the data folder (made on first start)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key


def check_database_url(url: str) -> str:
    """Return `url` normalised to an async driver, or raise SettingsError with one clear line."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        msg = f"TRACKER_DATABASE_URL is not a database URL: {url!r}"
        raise SettingsError(msg) from exc
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    if parsed.drivername not in SUPPORTED_DRIVERS:
        msg = f"TRACKER_DATABASE_URL uses {driver!r}; use sqlite:///PATH or postgresql://USER@HOST/DB"
        raise SettingsError(msg)
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class SmtpConfig:
    """Where reminder e-mail goes: parsed from TRACKER_SMTP_URL."""

    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # implicit TLS (smtps://, usually port 465)
    starttls: bool  # upgrade a plain connection (smtp://...?starttls=1, usually port 587)


def parse_smtp_url(url: str) -> SmtpConfig:
    """`smtp://[user[:pass]@]host[:port][?starttls=1]` or `smtps://...`; ValueError with the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        msg = f"not an SMTP URL ({exc})"
        raise ValueError(msg) from None
    if parts.scheme not in ("smtp", "smtps"):
        msg = "must start with smtp:// or smtps://, e.g. smtp://user:pass@mail.example.org:587?starttls=1"
        raise ValueError(msg)
    if not parts.hostname:
        msg = "names no host, e.g. smtp://mail.example.org:587?starttls=1"
        raise ValueError(msg)
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"starttls"}
    if unknown:
        msg = f"unknown option {min(unknown)!r} (only starttls=0|1)"
        raise ValueError(msg)
    starttls_value = query.get("starttls", ["0"])[-1]
    if starttls_value not in ("0", "1", "true", "false"):
        msg = "starttls must be 0 or 1"
        raise ValueError(msg)
    use_tls = parts.scheme == "smtps"
    starttls = starttls_value in ("1", "true")
    if use_tls and starttls:
        msg = "smtps:// is already encrypted: drop starttls=1"
        raise ValueError(msg)
    return SmtpConfig(
        host=parts.hostname,
        port=port or (465 if use_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=use_tls,
        starttls=starttls,
    )


@cache
def get_settings() -> Settings:
    return Settings()
