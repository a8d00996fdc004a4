"""The demo's past as data: ``content/history.yaml``, checked against its shape as it is read.

How much past, who marked how, how each station follows ability, who comes (employers,
equality monitoring, adjustments, names). ``history_people`` draws the candidates from
it, ``history_levels`` the levels, ``history`` writes the days.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from naas_centre.demo import data


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HistorySize(StrEnum):
    """How much past the demo gets: none, the default year or the fuller record."""

    NONE = "none"
    DEFAULT = "default"
    LARGE = "large"


class Size(_Strict):
    weeks: int = Field(gt=0)
    weekdays: list[int] = Field(min_length=1)  # Monday is 0
    candidates: int = Field(ge=3)


class Signed(_Strict):
    days: int = Field(ge=0)
    reports: list[str] = []  # report kinds: observation, written, outcome, day_summary


class Resits(_Strict):
    share: int = Field(ge=0, le=100)  # of those who did not meet the standard
    after_weeks: tuple[int, int]  # the soonest and latest they come back
    gain: float  # how much better prepared, in standard deviations of ability


class PastAccount(_Strict):
    username: str
    display_name: str
    employer: str
    registration: str
    left: bool = False  # disabled once the history is written: they no longer assess


class Marking(_Strict):
    leniency: float = 0.0  # station score points added to every station they score
    drift: float = 0.0  # station score points per slot, from the day's middle slot


class StationModel(_Strict):
    ability: float = Field(ge=0)  # levels per standard deviation of ability
    noise: float = Field(ge=0)  # the candidate's day, on one criterion (both assessors see it)
    marking: float = Field(ge=0)  # one assessor's reading of it


class LowerPass(_Strict):
    employer: str
    ability: float


class Monitoring(_Strict):
    age_band: dict[str, int]
    disability: dict[str, int]
    sex: dict[str, int]


class AdjustmentShare(_Strict):
    share: int = Field(gt=0)
    extra_time_percent: int = Field(default=0, ge=0, le=200)
    break_between_scenarios: bool = False
    notes: str


class Heritage(_Strict):
    ethnicity: str
    share: int = Field(gt=0)
    female: list[str] = []
    male: list[str] = []
    family: list[str] = []
    family_female: list[str] = []
    family_male: list[str] = []
    names: list[str] = []  # whole names, as the candidates write them

    @model_validator(mode="after")
    def _has_names(self) -> Heritage:
        parts = self.female and self.male and (self.family or (self.family_female and self.family_male))
        if not (self.names or parts):
            raise ValueError(f"{self.ethnicity}: give whole names, or given and family names")
        return self


class HistoryContent(_Strict):
    seed: str
    sizes: dict[HistorySize, Size]
    signed: dict[HistorySize, Signed]
    resits: Resits
    accounts: list[PastAccount]
    assessors: dict[str, Marking]
    stations: dict[str, StationModel]
    centre_level: float
    borderline_within: float = Field(ge=0)
    employers: dict[str, int]
    lower_pass: LowerPass
    no_form: int = Field(ge=0, le=100)
    monitoring: Monitoring
    adjustments: list[AdjustmentShare]
    none_share: int = Field(ge=0)
    heritages: list[Heritage]
    ethnicity_withheld: int = Field(ge=0, le=100)
    written_reasons: dict[str, list[str]]

    @model_validator(mode="after")
    def _consistent(self) -> HistoryContent:
        if self.lower_pass.employer not in self.employers:
            raise ValueError(f"the lower-pass employer {self.lower_pass.employer!r} sends no candidates")
        if HistorySize.NONE in self.sizes:
            raise ValueError("'none' is no history and takes no size")
        return self


@dataclass(frozen=True)
class Drawn:
    """A share table as values and cumulative weights, for ``random.choices``."""

    values: tuple[str, ...]
    weights: tuple[int, ...]


def shares(table: dict[str, int]) -> Drawn:
    return Drawn(tuple(table), tuple(table.values()))


@cache
def history() -> HistoryContent:
    """The demo's past (``content/history.yaml``); a slip fails naming the file."""
    content = read()
    employers = set(data.centre().employers)
    unknown = [e for e in content.employers if e not in employers]
    unknown += [a.employer for a in content.accounts if a.employer not in employers]
    if unknown:
        raise RuntimeError(f"The demo's history.yaml names employers the centre does not have: {unknown}")
    return content


def read() -> HistoryContent:
    return data.read_model(HistoryContent, resources.files("naas_centre.demo") / "content" / "history.yaml")
