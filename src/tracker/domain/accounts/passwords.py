"""Passwords: Argon2id hashing, the policy, random initial passwords.

Hashing and verifying cost 100-300 ms of CPU each: code serving requests calls the `*_in_thread`
forms, which run them in a worker thread, at most HASHING_THREADS at a time in the process, so the
event loop keeps answering (and a burst of sign-ins queues instead of taking every core). Never call
them with an SQLite write transaction open: the lock would be held for the whole wait.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from functools import cache, partial
from pathlib import Path

import anyio.to_thread
from anyio import CapacityLimiter
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


def _hashing_threads() -> int:
    """Two threads at most, and never every core: one is left to the event loop and the database."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    return max(1, min(2, cores - 1))


HASHING_THREADS = _hashing_threads()

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# One limiter for the process's event loop (keyed by loop only because the test suite runs several
# loops in one process, one after the other or side by side; a server process has one).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


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


def hashing_limiter() -> CapacityLimiter:
    """The limiter every hash and verification of this event loop goes through."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(HASHING_THREADS)
    return limiter


async def hash_password_in_thread(password: str) -> str:
    return await anyio.to_thread.run_sync(partial(hash_password, password), limiter=hashing_limiter())


async def verify_password_in_thread(password_hash: str, password: str) -> bool:
    verify = partial(verify_password, password_hash, password)
    return await anyio.to_thread.run_sync(verify, limiter=hashing_limiter())


# A real hash of a random password: verifying against it when the login is unknown takes as long
# as a real check, so timing does not tell whether a login name exists.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def generate_initial_password(length: int = 12) -> str:
    return "".join(secrets.choice(INITIAL_ALPHABET) for _ in range(length))
