"""The declarative base every model shares, and the metadata migrations compare against."""

from __future__ import annotations

from advanced_alchemy.base import IdentityAuditBase, orm_registry

# Integer ids from the database's own identity (autoincrement on SQLite), created_at/updated_at in UTC.
Base = IdentityAuditBase
metadata = orm_registry.metadata
