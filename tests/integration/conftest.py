"""Fixtures of the integration tests beyond tests/conftest.py: the access personas' `world` and
`browsers` (several signed-in browsers at once), from accounts_support.py."""

from tests.integration.accounts_support import browsers, world  # noqa: F401
