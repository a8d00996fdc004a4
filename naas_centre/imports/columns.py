"""The columns of a candidate file, and the headings people give them.

Headings are matched ignoring case, spaces, punctuation and a trailing "(%)", so
"Registration number", "registration_no" and "SWE number" all find the same column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # as problems and the preview name it
    required: bool
    synonyms: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Full name", True, ("name", "candidate", "candidate name", "fullname")),
    Column(
        "registration_number",
        "Registration number",
        True,
        (
            "registration",
            "registration no",
            "reg no",
            "reg number",
            "swe number",
            "swe registration",
            "social work england number",
            "professional registration number",
        ),
    ),
    Column(
        "employer",
        "Employer",
        True,
        ("local authority", "organisation", "organization", "employing authority"),
    ),
    Column("level", "Level", True, ("accreditation level", "assessment level")),
    Column("email", "Email", False, ("e-mail", "email address", "e-mail address")),
    Column("endorsed_by", "Endorsed by", False, ("endorser", "endorsing manager")),
    Column("endorsed_on", "Endorsed on", False, ("endorsement date", "date endorsed", "endorsed")),
    Column(
        "extra_time_percent", "Extra time (%)", False, ("extra time", "extra time percent", "additional time")
    ),
    Column(
        "break_between_scenarios",
        "Break between scenarios",
        False,
        ("break", "breaks", "break between stations", "rest break"),
    ),
    Column(
        "adjustment_notes",
        "Adjustment notes",
        False,
        ("adjustments", "reasonable adjustments", "adjustment", "notes"),
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}


def normalise(heading: str) -> str:
    text = heading.casefold().replace("(%)", " ").replace("%", " percent ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


_LOOKUP: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.heading, _c.key, *_c.synonyms):
        _LOOKUP[normalise(_name)] = _c.key


def column_for(heading: str) -> Column | None:
    key = _LOOKUP.get(normalise(heading))
    return BY_KEY[key] if key else None
