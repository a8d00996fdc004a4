"""What a new password must be: at least 12 characters and not one of the 10,000 most
common passwords (the list and its source: ``passwords/README.md``).

Checked whenever a password is set or changed, never at sign-in, so an account whose
password predates the rule still opens and is asked for a better one only when it
changes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from naas_centre.errors import UserError

MIN_LENGTH = 12


@cache
def common_passwords() -> frozenset[str]:
    """The list, lower-cased (read once, about 80 kB)."""
    text = (
        resources.files("naas_centre.services.passwords").joinpath("common-passwords.txt").read_text("utf-8")
    )
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def check_new_password(password: str, what: str = "password") -> None:
    """Refuses, in one plain sentence, a password too short or too common. ``what`` names it
    in that sentence: the same rule holds for a centre database's passphrase."""
    if len(password) < MIN_LENGTH:
        raise UserError(
            f"The {what} must have at least {MIN_LENGTH} characters (this one has {len(password)}); "
            "a few words together are easy to remember."
        )
    if is_common(password):
        raise UserError(
            f"That {what} is one of the 10,000 most common passwords, which are tried first "
            "by anyone guessing: choose another."
        )
