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


# Hebrew, Arabic, Syriac, Thaana, N'Ko and the Arabic presentation forms: right-to-left.
_RTL_RUN = re.compile(
    r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"  # a right-to-left letter
    r"(?:[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\s\u200c\u200d'\-]*[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff])?"
)
FSI, PDI = "\u2068", "\u2069"  # first strong isolate, pop directional isolate (Unicode 6.3)


def bidi_isolated(text: str) -> str:
    """Each run of right-to-left words in ``text`` set apart with Unicode isolates, so that
    "ليلى حداد (2)" or "09:00 · عمر خليل · Room 1" keeps its figures and punctuation where
    they were written, instead of the bidirectional algorithm pulling them into the
    name. Text without right-to-left letters, and text already isolated, is returned as it is."""
    if FSI in text or not _RTL_RUN.search(text):
        return text
    return _RTL_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)
