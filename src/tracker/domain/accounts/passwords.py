"""Passwords: Argon2id hashing, the policy, random initial passwords."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 128
# The 1,000 most common passwords of 8 characters or more (shorter ones fail on length anyway),
# from the list Django ships (django/contrib/auth/common-passwords.txt.gz, BSD licence).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# No 0/O, 1/l/I: initial passwords are read aloud and typed on phones.
INITIAL_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the hasher (the test suite uses Argon2id at its cheapest; the product never calls this)."""
    global _hasher  # noqa: PLW0603
    _hasher = hasher


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines())


def password_problem(password: str, login: str = "") -> str | None:
    """Why `password` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters", n=MAX_LENGTH)
    if password.lower() in common_passwords():
        return _("This password is too common; choose another")
    if login and password.lower() == login.lower():
        return _("The password must not be the login name")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A real hash of a random password: verifying against it when the login is unknown takes as long
# as a real check, so timing does not tell whether a login name exists.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def generate_initial_password(length: int = 12) -> str:
    return "".join(secrets.choice(INITIAL_ALPHABET) for _ in range(length))
