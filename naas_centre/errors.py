"""The two kinds of error the user meets.

``UserError`` and its kinds are what the user or their files got wrong: shown plainly,
with how to put it right. Anything else is a bug: logged with its trace.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can put right; the message says what and where."""


class PermissionDenied(UserError):
    pass


class NotFound(UserError):
    pass


class AuthenticationFailed(UserError):
    pass


class AccountLocked(AuthenticationFailed):
    pass


class Conflict(UserError):
    """The action clashes with the state of the data (say, scores already submitted)."""
