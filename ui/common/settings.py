"""Workstation settings, declared once here with their defaults and what they do.

They live in QSettings (the platform's place for preferences, or ``ui-settings.ini``
in the data folder when one is given), apart from the centre's data: a settings file
can be deleted without losing anything an assessor recorded. Only plain values are
stored, never pickled Qt objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "naas-centre"
APPLICATION = "naas-centre"
FILE_NAME = "ui-settings.ini"


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    description: str
    label: str = ""  # shown in Preferences; a setting without a label is kept, not edited
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "idle_lock_minutes",
        10.0,
        "Minutes without a key press or click before the window is covered and the same "
        "user's password is asked for. 0 turns the lock off.",
        label="Lock after idle (minutes)",
        minimum=0.0,
        maximum=240.0,
    ),
    Setting(
        "theme",
        "light",
        "Colours of the window: light, dark, or high contrast (white on black, yellow for focus).",
        "Theme",
        choices=("light", "dark", "high-contrast"),
    ),
    Setting(
        "font_point_size",
        11,
        "Base text size in points; 22 is twice the usual size, and every screen still fits.",
        "Text size (points)",
        minimum=9,
        maximum=24,
    ),
    Setting(
        "alert_sound",
        "on",
        "Whether the phase timer's alerts (5 min, 1 min, time up) are heard as well as shown. "
        "The timer's bell button switches it too.",
        "Alert sound",
        choices=("on", "off"),
    ),
    Setting(
        "backup_folder",
        "",
        "Where this workstation backs the centre up, every hour and when the app closes: a "
        "folder or a removable drive. Empty: the backups folder in the data folder.",
        "Backup folder",
    ),
    Setting(
        "backup_keep",
        24,
        "How many backups to keep in the backup folder; older ones are removed.",
        "Backups kept",
        minimum=1,
        maximum=1000,
    ),
    Setting(
        "video_source",
        "",
        "The camera for recording role-plays: a camera number (0 for the first), a network "
        "camera's address (rtsp://…) or a video file for rehearsal. Empty: no recording.",
        "Video camera",
    ),
    Setting(
        "video_sound",
        "microphone",
        "Where the recording's sound comes from: the microphone, the camera's own sound, or none.",
        "Video sound",
        choices=("microphone", "source", "none"),
    ),
    Setting("last_username", "", "The user name last signed in on this workstation, filled in for them."),
    Setting("window_geometry", b"", "Size and place of the main window (Qt's own geometry bytes)."),
)

_BY_KEY = {s.key: s for s in SETTINGS}


class Settings:
    """Typed access to the declared settings; unknown keys are a programming error."""

    def __init__(self, store: QSettings) -> None:
        self._store = store

    @classmethod
    def for_data_dir(cls, data_dir: Path | None) -> Settings:
        """Settings in ``data_dir`` when one is given (tests, demos), else the user's own."""
        if data_dir is not None:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            return cls(QSettings(str(Path(data_dir) / FILE_NAME), QSettings.Format.IniFormat))
        return cls(
            QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)
        )

    def get(self, key: str) -> Any:
        setting = _BY_KEY[key]
        raw = self._store.value(key, None)
        if raw is None:
            return setting.default
        try:
            value = _coerce(setting.default, raw)
        except (TypeError, ValueError):
            return setting.default
        if setting.choices and value not in setting.choices:
            return setting.default
        if setting.minimum is not None and value < setting.minimum:
            return setting.default
        if setting.maximum is not None and value > setting.maximum:
            return setting.default
        return value

    def set(self, key: str, value: Any) -> None:
        setting = _BY_KEY[key]
        if isinstance(setting.default, bytes):
            value = QByteArray(bytes(value))
        self._store.setValue(key, value)

    def sync(self) -> None:
        self._store.sync()


def _coerce(default: Any, raw: Any) -> Any:
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, bytes):
        return bytes(raw.data()) if isinstance(raw, QByteArray) else bytes(raw)
    return str(raw)
