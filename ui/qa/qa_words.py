"""The QA dashboard's plain words beside each figure: what a kappa, an ICC, an alpha or
a reliability coefficient of this size is usually called, with the scale's source, so
that a reader without a statistician at hand knows what they are looking at.
"""

from __future__ import annotations

import math


def share(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.0%}"


def figure(value: float | None, digits: int = 2) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def kappa_words(kappa: float) -> str:
    """Landis & Koch (1977), the scale most reports of kappa use."""
    if math.isnan(kappa):
        return "cannot be judged"
    for bound, words in (
        (0.0, "poor"),
        (0.2, "slight"),
        (0.4, "fair"),
        (0.6, "moderate"),
        (0.8, "substantial"),
    ):
        if kappa <= bound:
            return f"agreement is {words}"
    return "agreement is almost perfect"


def icc_words(icc: float) -> str:
    """Koo & Li (2016): under 0.5 poor, 0.5 to 0.75 moderate, 0.75 to 0.9 good, above excellent."""
    if math.isnan(icc):
        return "cannot be judged"
    if icc < 0.5:
        return "agreement is poor"
    if icc < 0.75:
        return "agreement is moderate"
    if icc < 0.9:
        return "agreement is good"
    return "agreement is excellent"


def alpha_words(alpha: float) -> str:
    """The usual reading of Cronbach's alpha for a high-stakes assessment (Nunnally 1978):
    0.7 the least for a scale, 0.8 and more for decisions about people."""
    if math.isnan(alpha):
        return "cannot be judged"
    if alpha < 0.6:
        return "the criteria hang together poorly"
    if alpha < 0.7:
        return "the criteria hang together weakly"
    if alpha < 0.8:
        return "the criteria hang together acceptably"
    return "the criteria hang together well"


def reliability_words(value: float, target: float) -> str:
    if math.isnan(value):
        return "cannot be judged"
    return (
        f"reaches the target of {target:.1f}" if value >= target else f"is below the target of {target:.1f}"
    )


def r_squared_words(r2: float) -> str:
    """Pell et al. (2010) take an R² of 0.5 or more as a station whose score follows the
    assessors' overall judgement; well under it (here under 0.3) it discriminates poorly."""
    if math.isnan(r2):
        return "cannot be judged"
    if r2 >= 0.5:
        return "the score follows the overall judgement well"
    if r2 >= 0.3:
        return "the score follows the overall judgement only moderately"
    return "flag: the score barely follows the overall judgement, the station discriminates poorly"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
