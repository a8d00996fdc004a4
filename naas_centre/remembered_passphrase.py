"""An encrypted centre's passphrase kept in the operating system's keyring (the Secret
Service on Linux, the Credential Manager on Windows, the Keychain on macOS), so that a
workstation opens its centre without anyone typing it while a copy of the file, or of the
whole data folder, still gives nothing.

Kept only when someone asks (``naas-centre db remember``, or "Remember on this computer"
when unlocking), one entry per database file, named by the file's absolute path. A keyring
that is missing, locked or failing counts as holding nothing: the passphrase is then asked
for as before, never guessed. ``keyring`` is imported only when one is used, so start-up
does not pay for it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from naas_centre.errors import UserError

SERVICE = "naas-centre database"


_NAMES = {  # keyring's own names for its backends, as a user knows them
    "SecretService Keyring": "the Secret Service",
    "Windows WinVaultKeyring": "Windows Credential Manager",
    "macOS Keyring": "the macOS Keychain",
}


class NoKeyring(UserError):
    """This computer has no keyring to keep a passphrase in, or it refused."""


def _entry(path: Path) -> str:
    return os.path.abspath(path)


def _backend() -> Any | None:
    """The keyring in use, or None when there is none that can keep a secret."""
    try:
        from keyring import backend, core
        from keyring.backends import fail, null
    except ImportError:
        return None
    try:
        # Chosen afresh each time (a fraction of a millisecond once loaded): keyring decides
        # once which keyrings can work, so one that started after this program (with the
        # desktop's session) would otherwise never be found.
        viable = backend.get_all_keyring
        if hasattr(viable, "saved_result") and hasattr(viable, "reset"):
            viable.reset()
        core.init_backend()
        ring = core.get_keyring()
    except Exception:  # a broken keyring configuration is as no keyring
        return None
    return None if isinstance(ring, fail.Keyring | null.Keyring) else ring


def keyring_name() -> str | None:
    """What keeps remembered passphrases on this computer, in words; None when nothing can."""
    ring = _backend()
    if ring is None:
        return None
    name = str(getattr(ring, "name", "") or type(ring).__name__)
    return _NAMES.get(name, name)


def recall(path: Path) -> str | None:
    """The passphrase remembered for ``path``, or None (none kept, or no keyring answering)."""
    ring = _backend()
    if ring is None:
        return None
    try:
        found = ring.get_password(SERVICE, _entry(path))
    except Exception:  # locked, dismissed, or its service gone: ask instead
        return None
    return found if isinstance(found, str) and found else None


def remember(path: Path, passphrase: str) -> str:
    """Keeps ``passphrase`` for ``path``; returns the keyring's name. Raises NoKeyring."""
    ring = _backend()
    if ring is None:
        raise NoKeyring(
            "this computer has no keyring to keep the passphrase in "
            "(on Linux, a Secret Service such as GNOME Keyring or KWallet); nothing was kept"
        )
    try:
        ring.set_password(SERVICE, _entry(path), passphrase)
    except Exception as exc:
        raise NoKeyring(f"the keyring refused to keep the passphrase: {exc}; nothing was kept") from None
    return keyring_name() or "the keyring"


def forget(path: Path) -> bool:
    """Removes what is kept for ``path``; False when nothing was (or no keyring answers)."""
    ring = _backend()
    if ring is None or recall(path) is None:
        return False
    try:
        ring.delete_password(SERVICE, _entry(path))
    except Exception:
        return False
    return True
