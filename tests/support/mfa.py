"""The second factor in tests: accounts enrolled directly in the database, and the codes to sign in with.

Admins and secretaries must have a second factor (domain/accounts/mfa.py), so the personas of those
roles (tests/support/personas.py) and the conftest's `root-admin` are enrolled with TEST_SECRET and
the recovery codes below. `personas.sign_in` answers the code page with the next unused recovery code
of the login (a TOTP code can serve only once per 30-second step, and a test may sign the same
person in several times); tests about TOTP itself compute codes with `totp`.
"""

from __future__ import annotations

import datetime as dt
import random

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.mfa import RecoveryCode, TotpSecret
from tracker.domain.accounts import mfa
from tracker.domain.clock import utc_now

TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_RANDOM = random.Random(8)  # the same codes every run
RECOVERY_CODES = [
    mfa.format_recovery_code("".join(_RANDOM.choice(mfa.RECOVERY_ALPHABET) for _ in range(mfa.RECOVERY_LENGTH)))
    for _ in range(40)
]
_used: dict[str, int] = {}  # login -> recovery codes used since it was enrolled (in this test's database)


async def enrol(session: AsyncSession, user_id: int, login: str, *, secret: str = TEST_SECRET) -> None:
    """`login` has a second factor, as if enrolled at the enrolment page, with RECOVERY_CODES unused."""
    session.add(TotpSecret(user_id=user_id, secret=secret, enabled_at=utc_now()))
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=mfa.recovery_code_hash(mfa.normalise_code(code).value))
        for code in RECOVERY_CODES
    )
    await session.flush()
    _used[login] = 0


def next_recovery_code(login: str) -> str:
    index = _used.get(login, 0)
    _used[login] = index + 1
    return RECOVERY_CODES[index]


def totp(secret: str = TEST_SECRET, *, at: dt.datetime | None = None, steps: int = 0) -> str:
    """The code an authenticator app shows at `at` (now), `steps` time steps later or earlier."""
    moment = (at or utc_now()) + dt.timedelta(seconds=steps * mfa.STEP_SECONDS)
    return pyotp.TOTP(secret).at(moment)
