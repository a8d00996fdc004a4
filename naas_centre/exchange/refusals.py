"""Why a bundle file is refused: one plain line each, naming the file.

Each reason is its own class, so a caller (or a test) can tell them apart; all are
``UserError``s, shown as they are, never with a trace.
"""

from __future__ import annotations

from pathlib import Path

from naas_centre.errors import UserError


class BundleRefused(UserError):
    """A bundle file that cannot be written or read; the message says which and why."""


class NotABundle(BundleRefused):
    def __init__(self, path: Path, why: str = "") -> None:
        super().__init__(f"{path} is not a naas-centre bundle{f' ({why})' if why else ''}.")


class NewerFormat(BundleRefused):
    def __init__(self, path: Path, version: int, supported: int) -> None:
        super().__init__(
            f"{path} was made by a newer version of naas-centre (bundle format {version}; this "
            f"version reads up to {supported}): update this workstation."
        )


class Truncated(BundleRefused):
    def __init__(self, path: Path, size: int) -> None:
        super().__init__(
            f"{path} is cut short ({size} bytes, and the bundle does not end there): "
            "the copy is incomplete; copy the bundle again."
        )


class Tampered(BundleRefused):
    def __init__(self, path: Path, where: str) -> None:
        super().__init__(
            f"{path} has been changed or damaged since it was made ({where}); "
            "nothing was read from it: ask for a new copy."
        )


class BadSignature(BundleRefused):
    def __init__(self, path: Path, signer: str) -> None:
        super().__init__(
            f"{path}: the signature does not match its contents (it claims to be signed by {signer}); "
            "nothing was read from it."
        )


class Untrusted(BundleRefused):
    def __init__(self, path: Path, signer: str, why: str) -> None:
        super().__init__(f"{path} was signed by {signer}, but {why}; nothing was read from it.")


class Revoked(Untrusted):
    """The signer's certificate is on the centre's revocation list."""


class OtherCentre(BundleRefused):
    def __init__(self, path: Path, centre: str) -> None:
        super().__init__(f"{path} is a bundle of another centre ({centre}), not of this one.")


class WrongKind(BundleRefused):
    def __init__(self, path: Path, kind: str, expected: str) -> None:
        super().__init__(f"{path} is a {kind} bundle, not a {expected} bundle.")


class WrongPassphrase(BundleRefused):
    def __init__(self, path: Path) -> None:
        super().__init__(f"The centre passphrase given does not open {path}: check it and try again.")


class BadMember(BundleRefused):
    """A member that cannot go into a bundle (a name that is empty, repeated or unsafe)."""
