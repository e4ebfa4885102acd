"""Fixtures of the integration tests beyond tests/conftest.py: the access personas' `world` and
`browsers` (several signed-in browsers at once), from tests/support/accounts.py."""

from tests.support.accounts import browsers, world  # noqa: F401
