"""The status bar's word on the centre's file: encrypted on disk, or knowingly not."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ENCRYPTED = "Encrypted"
PLAIN = "Not encrypted"
ENCRYPTED_TIP = (
    "The centre's database file is encrypted on this computer (SQLCipher); "
    "without its passphrase the file cannot be read."
)
PLAIN_TIP = (
    "The centre's database file is not encrypted: anyone who can read the file can read the "
    "records. To encrypt it, close the centre and run: naas-centre db encrypt --db FILE"
)


def at_rest_label(encrypted: bool | None) -> QLabel | None:
    """A label in words (never colour alone), or None for a server, which keeps its own."""
    if encrypted is None:
        return None
    shown = QLabel(ENCRYPTED if encrypted else PLAIN)
    shown.setObjectName("at_rest")
    shown.setToolTip(ENCRYPTED_TIP if encrypted else PLAIN_TIP)
    shown.setAccessibleName(shown.text())
    shown.setAccessibleDescription(shown.toolTip())
    return shown
