"""The demo's past candidates, drawn from ``content/history.yaml`` with a seeded generator.

Each has a name from one heritage's pools (in the script the candidate writes it in),
a registration number, an employer by share, reasonable adjustments for some, an
equality form for most (with "Prefer not to say" among its answers), and an ability:
how well prepared they come, in standard deviations, lower on average for the one
employer whose candidates pass less often. Ability is the demo's own device for drawing
levels (``history_levels``); nothing of it is stored.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from naas_centre.demo.history_content import Heritage, HistoryContent, shares
from naas_centre.services.equality import Monitoring

PREFER_NOT = "Prefer not to say"


@dataclass(frozen=True)
class PastCandidate:
    name: str
    registration: str
    employer: str
    ability: float
    extra_time_percent: int = 0
    break_between_scenarios: bool = False
    adjustment_notes: str = ""
    monitoring: Monitoring | None = None  # None: no form was filled in


class People:
    """Draws candidates one after another, never the same name or registration twice."""

    def __init__(self, content: HistoryContent, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self.content = content
        self.rng = rng
        self.names: set[str] = set()
        self.registrations: set[str] = set(taken)
        self._employers = shares(content.employers)
        self._heritages = content.heritages
        self._heritage_weights = [h.share for h in content.heritages]
        m = content.monitoring
        self._age, self._disability, self._sex = shares(m.age_band), shares(m.disability), shares(m.sex)
        self._adjust = [*content.adjustments, None]
        self._adjust_weights = [a.share for a in content.adjustments] + [content.none_share]

    def _pick(self, values: tuple[str, ...], weights: tuple[int, ...]) -> str:
        return self.rng.choices(values, weights)[0]

    def _name(self, heritage: Heritage, female: bool) -> str | None:
        """A name not yet taken from the heritage's pools; None once they are used up."""
        for _ in range(200):
            if heritage.names:
                name = self.rng.choice(heritage.names)
            else:
                given = self.rng.choice(heritage.female if female else heritage.male)
                family = heritage.family or (heritage.family_female if female else heritage.family_male)
                name = f"{given} {self.rng.choice(family)}"
            if name not in self.names:
                self.names.add(name)
                return name
        return None

    def _registration(self) -> str:
        while True:
            number = f"SW{self.rng.randint(100_000, 129_999)}"
            if number not in self.registrations:
                self.registrations.add(number)
                return number

    def draw(self) -> PastCandidate:
        c, rng = self.content, self.rng
        sex = self._pick(self._sex.values, self._sex.weights)
        female = sex == "Female" or (sex == PREFER_NOT and rng.random() < 0.8)
        name = None
        for _ in range(50):  # a heritage whose names are all taken gives way to another
            heritage = rng.choices(self._heritages, self._heritage_weights)[0]
            if (name := self._name(heritage, female)) is not None:
                break
        if name is None:
            raise RuntimeError("The demo history's name pools are used up: give history.yaml more names.")
        employer = self._pick(self._employers.values, self._employers.weights)
        ability = rng.gauss(c.lower_pass.ability if employer == c.lower_pass.employer else 0.0, 1.0)
        monitoring = None
        if rng.random() * 100 >= c.no_form:
            withheld = rng.random() * 100 < c.ethnicity_withheld
            monitoring = Monitoring(
                age_band=self._pick(self._age.values, self._age.weights),
                ethnicity=PREFER_NOT if withheld else heritage.ethnicity,
                disability=self._pick(self._disability.values, self._disability.weights),
                sex=sex,
            )
        adjustment = rng.choices(self._adjust, self._adjust_weights)[0]
        if adjustment is None:
            return PastCandidate(name, self._registration(), employer, ability, monitoring=monitoring)
        return PastCandidate(
            name,
            self._registration(),
            employer,
            ability,
            adjustment.extra_time_percent,
            adjustment.break_between_scenarios,
            adjustment.notes,
            monitoring,
        )
