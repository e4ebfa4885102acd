"""Fixtures of the integration tests beyond tests/conftest.py: the access personas' `world` and
`browsers` (several signed-in browsers at once), from tests/support/accounts.py."""

from tests.support.accounts import browsers, world  # noqa: F401
from tests.support.sign_in_throttle import clock, door  # noqa: F401  (a standing clock, a sign-in form from any address)
