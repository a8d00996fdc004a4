"""What can be wrong with a recording's source or its folder, in plain words."""

from __future__ import annotations

from naas_centre.errors import UserError


class SourceUnavailable(UserError):
    """The camera, URL or file cannot give pictures (or a sound file cannot give sound)."""


class RecordingRefused(UserError):
    """The recording cannot start: its folder is not writable, or the disk is nearly full."""
