"""The database's own error, shared by the engine and the encryption beside it."""

from __future__ import annotations


class DatabaseError(Exception):
    """A database that cannot be used; the message says what and where."""
