"""How times, dates and pack text read on screen: local, short, unambiguous. No Qt."""

from __future__ import annotations

import re
from datetime import datetime


def local_time(moment: datetime) -> str:
    """A stored (UTC) time as the workstation's local clock time, e.g. 09:45."""
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%H:%M")


def local_moment(moment: datetime) -> str:
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%d %b %Y at %H:%M")


def tidy(text: str) -> str:
    """Pack text as one flowing paragraph per blank-line-separated block (YAML keeps line breaks)."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(block.split()) for block in blocks)
