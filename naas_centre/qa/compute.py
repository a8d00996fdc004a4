"""One statistic over one ratings file, for ``naas-centre qa compute``: the figures as a
JSON-ready dictionary and as lines to read."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from naas_centre.qa import agreement, icc, many_raters, reliability, standard_setting
from naas_centre.qa.ratings import Ratings, RatingsFileError, read_ratings, read_weights
from naas_centre.qa.tables import NotEnoughData

STATISTICS = (
    "icc",
    "kappa",
    "weighted-kappa",
    "fleiss-kappa",
    "krippendorff-alpha",
    "alpha",
    "borderline-regression",
)
METRICS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class Request:
    ratings: Path
    statistic: str
    weights: str | None = None  # "linear", "quadratic" or a CSV file's path
    metric: str = "ordinal"
    borderline: float = standard_setting.BORDERLINE


@dataclass(frozen=True)
class Answer:
    figures: dict[str, Any]  # plain JSON values; NaN as None
    lines: tuple[str, ...]


def compute(request: Request) -> Answer:
    if request.statistic not in STATISTICS:
        raise RatingsFileError(f"unknown statistic «{request.statistic}»: one of {', '.join(STATISTICS)}")
    if request.weights is not None and request.statistic != "weighted-kappa":
        raise RatingsFileError("--weights goes with --statistic weighted-kappa only")
    table = read_ratings(request.ratings)
    try:
        result, lines = _RUN[request.statistic](table, request)
    except NotEnoughData as exc:
        raise RatingsFileError(f"{table.where(exc.row)}: {exc.reason}") from None
    figures = {
        "statistic": request.statistic,
        "file": str(request.ratings),
        **_plain(dataclasses.asdict(result)),
    }
    return Answer(figures, tuple(lines))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return value


def _columns(table: Ratings, exactly: int | None = None, least: int = 2, what: str = "rater") -> None:
    count = len(table.columns)
    if exactly is not None and count != exactly:
        raise NotEnoughData(f"needs exactly {exactly} columns ({what}), the file has {count}")
    if count < least:
        raise NotEnoughData(f"needs at least {least} {what} columns, the file has {count}")


def _f(value: float, places: int = 4) -> str:
    return "undefined" if math.isnan(value) else f"{value:.{places}f}"


def _kappa(table: Ratings, request: Request) -> tuple[Any, list[str]]:
    _columns(table, exactly=2, what="one per rater")
    a, b = table.values[:, 0], table.values[:, 1]
    if request.statistic == "kappa":
        k = agreement.cohen_kappa(a, b)
        title = "Cohen's kappa"
    else:
        scheme = request.weights or "linear"
        if scheme in ("linear", "quadratic"):
            k = agreement.weighted_kappa(a, b, scheme)  # type: ignore[arg-type]
        else:
            given = read_weights(Path(scheme))
            try:  # a matrix that does not fit is the weights file's fault, said of it
                agreement.check_weights(
                    given.matrix, len(agreement.scale_of(*agreement.paired(a, b), given.levels))
                )
            except NotEnoughData as exc:
                raise RatingsFileError(f"{scheme}: {exc.reason}") from None
            k = agreement.weighted_kappa(a, b, given.matrix, levels=given.levels)
        title = f"weighted kappa ({k.weights} weights)"
    agree = agreement.agreement(a, b)
    lines = [
        f"{title}: {_f(k.kappa)}  (n = {k.n} subjects rated by both)",
        f"  observed agreement {_f(k.observed)}, expected by chance {_f(k.expected)}",
        f"  levels: {', '.join(f'{v:g}' for v in k.levels)}",
        f"  exact agreement {_f(agree.exact)}, within one level {_f(agree.adjacent)}",
    ]
    return _Merged(k, agree), lines


@dataclass(frozen=True)
class _Merged:
    kappa: agreement.Kappa
    agreement: agreement.Agreement


def _fleiss(table: Ratings, request: Request) -> tuple[Any, list[str]]:
    _columns(table)
    k = many_raters.fleiss_kappa(table.values)
    lines = [f"Fleiss' kappa: {_f(k.kappa)}  (n = {k.n} subjects, {k.raters} ratings each)"]
    lines += [f"  level {level:g} against the rest: {_f(v)}" for level, v in k.per_level]
    return k, lines


def _krippendorff(table: Ratings, request: Request) -> tuple[Any, list[str]]:
    _columns(table)
    if request.metric not in METRICS:
        raise RatingsFileError(f"unknown metric «{request.metric}»: one of {', '.join(METRICS)}")
    a = many_raters.krippendorff_alpha(table.values, request.metric)  # type: ignore[arg-type]
    return a, [
        f"Krippendorff's alpha ({a.metric}): {_f(a.alpha)}  (n = {a.n} subjects, {a.values} pairable values)",
        f"  observed disagreement {_f(a.observed_disagreement)}, expected {_f(a.expected_disagreement)}",
    ]


def _icc(table: Ratings, request: Request) -> tuple[Any, list[str]]:
    _columns(table)
    r = icc.icc(table.values)
    lines = [f"Intraclass correlation (Shrout & Fleiss 1979): n = {r.n} subjects, k = {r.raters} raters"]
    lines += [
        f"  {f.form:<9} {_f(f.icc)}  95% CI {_f(f.ci_low)} to {_f(f.ci_high)}  "
        f"F({f.df1}, {f.df2:g}) = {_f(f.f, 3)}, p = {f.p:.3g}"
        for f in r.forms
    ]
    return r, lines


def _alpha(table: Ratings, request: Request) -> tuple[Any, list[str]]:
    _columns(table, what="item")
    a = reliability.cronbach_alpha(table.values)
    lines = [
        f"Cronbach's alpha: {_f(a.alpha)}  95% CI {_f(a.ci_low)} to {_f(a.ci_high)} (Feldt)  "
        f"(n = {a.n} subjects, {a.items} items"
        + (f"; {a.dropped} left out for an empty cell)" if a.dropped else ")")
    ]
    lines += [
        f"  {table.columns[i.item]}: alpha if deleted {_f(i.alpha_if_deleted)}, "
        f"corrected item-total r {_f(i.corrected_item_total)}"
        for i in a.per_item
    ]
    return a, lines


def _borderline(table: Ratings, request: Request) -> tuple[Any, list[str]]:
    _columns(table, exactly=2, what="the global judgement, then the score")
    b = standard_setting.borderline_regression(table.values[:, 0], table.values[:, 1], request.borderline)
    group = (
        f"{_f(b.borderline_group_mean, 2)} (n = {b.n_borderline})"
        if b.n_borderline
        else "no borderline candidates"
    )
    return b, [
        f"Borderline regression: pass mark {_f(b.pass_mark, 2)} at grade {b.borderline_grade:g}, "
        f"SE {_f(b.se, 3)}, 95% CI {_f(b.ci_low, 2)} to {_f(b.ci_high, 2)}  (n = {b.n})",
        f"  score = {_f(b.intercept, 3)} + {_f(b.slope, 3)} × judgement, R² = {_f(b.r_squared)}",
        f"  borderline group: {group}",
    ]


_RUN: dict[str, Callable[[Ratings, Request], tuple[Any, list[str]]]] = {
    "icc": _icc,
    "kappa": _kappa,
    "weighted-kappa": _kappa,
    "fleiss-kappa": _fleiss,
    "krippendorff-alpha": _krippendorff,
    "alpha": _alpha,
    "borderline-regression": _borderline,
}
