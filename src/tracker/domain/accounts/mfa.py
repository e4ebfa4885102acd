"""Pure rules of the second factor: TOTP (RFC 6238) codes, recovery codes, the sign-in challenge.

`now` is passed in. A TOTP code is accepted for the current 30-second step or the one either side
(a phone's clock a little off, a code typed as it changes), never for a step at or before the last
one accepted (RFC 6238 §5.2: a code is used once). Recovery codes are random, single-use, and kept
only as their SHA-256 (like session tokens: 60 random bits each, so no slow hash is needed).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import pyotp
import segno

from tracker.db.models.accounts import Role

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of the current one
ISSUER = "Responsibility tracker"

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed on phones. 31 symbols, 12 of them: ~59 bits.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 12
RECOVERY_GROUP = 4

CHALLENGE_LIFETIME = dt.timedelta(minutes=5)
CHALLENGE_ATTEMPTS = 5  # wrong codes before the sign-in must start again with the password

# Full-width digits, as a Chinese input method may type them: the same digits.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_SEPARATORS = " -\u3000"  # spaces, dashes, the ideographic space


def mfa_required(role: Role) -> bool:
    """Those who assign work and manage accounts must have a second factor; for others it is optional."""
    return role in (Role.ADMIN, Role.SECRETARY)


def must_enrol(role: Role, enrolled: bool) -> bool:
    return mfa_required(role) and not enrolled


# -- TOTP -----------------------------------------------------------------------------------------


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def time_step(now: dt.datetime) -> int:
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    return int(now.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


class CodeCheck(str, enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # no step of the window has this code
    REPLAYED = "replayed"  # right, but for a step already used


@dataclass(frozen=True)
class TotpResult:
    outcome: CodeCheck
    step: int | None = None  # the step the code belongs to (to remember as used when accepted)


def check_totp(secret: str, code: str, now: dt.datetime, last_used_step: int | None) -> TotpResult:
    """Is `code` (already normalised: six ASCII digits) right at `now`, and not used before?"""
    current = time_step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(code_at_step(secret, step), code):
            if last_used_step is not None and step <= last_used_step:
                return TotpResult(CodeCheck.REPLAYED, step)
            return TotpResult(CodeCheck.ACCEPTED, step)
    return TotpResult(CodeCheck.WRONG)


def grouped_secret(secret: str) -> str:
    """The secret as it is typed into an app by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, login: str, issuer: str = ISSUER) -> str:
    """The otpauth:// address a QR code carries (Key Uri Format, as authenticator apps read it)."""
    label = quote(f"{issuer}:{login}", safe="")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"
        f"&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    )


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as inline SVG markup: presentation attributes only, no style or script,
    so the page's strict Content-Security-Policy holds."""
    code = segno.make(uri, error="m", micro=False)
    return code.svg_inline(scale=4, border=4, dark="#000", light="#fff", svgclass="qr", lineclass=None)


# -- codes as typed -------------------------------------------------------------------------------


class CodeKind(str, enum.Enum):
    TOTP = "totp"
    RECOVERY = "recovery"
    INVALID = "invalid"


@dataclass(frozen=True)
class TypedCode:
    kind: CodeKind
    value: str  # normalised: six ASCII digits, or twelve symbols of the recovery alphabet


def normalise_code(text: str) -> TypedCode:
    """What the person typed, as a TOTP code or a recovery code: spaces and dashes dropped, full-width
    digits read as digits, letters lowercased. Anything else (superscripts, other scripts) is invalid."""
    cleaned = "".join(ch for ch in text.translate(_FULL_WIDTH).strip() if ch not in _SEPARATORS).lower()
    if len(cleaned) == DIGITS and all(ch in "0123456789" for ch in cleaned):
        return TypedCode(CodeKind.TOTP, cleaned)
    if len(cleaned) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in cleaned):
        return TypedCode(CodeKind.RECOVERY, cleaned)
    return TypedCode(CodeKind.INVALID, "")


# -- recovery codes -------------------------------------------------------------------------------


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh codes as shown to the person: `xxxx-xxxx-xxxx`."""
    codes = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)))
    return [format_recovery_code(code) for code in sorted(codes)]


def format_recovery_code(code: str) -> str:
    return "-".join(code[i : i + RECOVERY_GROUP] for i in range(0, len(code), RECOVERY_GROUP))


def recovery_code_hash(code: str) -> str:
    """The stored form of a recovery code, from its normalised value (as `normalise_code` gives it)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


# -- the sign-in challenge ------------------------------------------------------------------------


def challenge_expiry(now: dt.datetime) -> dt.datetime:
    return now + CHALLENGE_LIFETIME


def challenge_open(expires_at: dt.datetime, attempts: int, now: dt.datetime) -> bool:
    """May a code still be tried against this challenge?"""
    return now < expires_at and attempts < CHALLENGE_ATTEMPTS
