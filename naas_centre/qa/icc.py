"""The intraclass correlation in the six forms of Shrout & Fleiss (1979), with the F-based
95% intervals of Shrout & Fleiss and McGraw & Wong (1996), on a complete subjects × raters table.

ICC(1,·): each subject rated by a different random set of raters (one-way model).
ICC(2,·): the same random raters for all, absolute agreement (McGraw & Wong's A).
ICC(3,·): the same fixed raters for all, consistency (McGraw & Wong's C).
The ·,1 forms are the reliability of one rater; the ·,k forms of the mean of k raters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa.tables import Cell, Floats, NotDefined, complete_rows, matrix, need


@dataclass(frozen=True)
class IccForm:
    form: str  # "ICC(1,1)" ... "ICC(3,k)"
    icc: float
    ci_low: float
    ci_high: float
    f: float
    df1: int
    df2: float
    p: float


@dataclass(frozen=True)
class Icc:
    forms: tuple[IccForm, ...]
    n: int  # subjects
    raters: int
    ms_subjects: float
    ms_raters: float
    ms_within: float  # within subjects (one-way)
    ms_error: float  # residual (two-way)

    def form(self, name: str) -> IccForm:
        return next(f for f in self.forms if f.form == name)


def mean_squares(table: Floats) -> tuple[float, float, float, float]:
    """Between subjects, between raters, within subjects and residual mean squares."""
    n, k = (int(d) for d in table.shape)
    grand = table.mean()
    ss_rows = k * float(np.sum((table.mean(axis=1) - grand) ** 2))
    ss_cols = n * float(np.sum((table.mean(axis=0) - grand) ** 2))
    ss_total = float(np.sum((table - grand) ** 2))
    ss_error = ss_total - ss_rows - ss_cols
    return (
        ss_rows / (n - 1),
        ss_cols / (k - 1),
        (ss_total - ss_rows) / (n * (k - 1)),
        ss_error / ((n - 1) * (k - 1)),
    )


def icc(rows: Sequence[Sequence[Cell]] | Floats, confidence: float = 0.95) -> Icc:
    table = complete_rows(matrix(rows), "the ICC")
    n, k = (int(d) for d in table.shape)
    need(n, 2, "subjects")
    need(k, 2, "raters")
    msr, msc, msw, mse = mean_squares(table)
    # The forms divide by these: a table without them has no ICC to give (not a zero).
    if msw == 0 and mse == 0:
        raise NotDefined(
            "the raters gave every subject the same value as each other: agreement is perfect, "
            "and the ICC and its interval are not defined"
        )
    if msr == 0:
        raise NotDefined("every subject has the same mean: there are no differences between them to agree on")
    q = 1 - (1 - confidence) / 2
    df_n, df_w, df_e = n - 1, n * (k - 1), (n - 1) * (k - 1)

    def ratio(num: float, den: float) -> float:
        return num / den if den > 0 else float("inf")

    icc1 = (msr - msw) / (msr + (k - 1) * msw)
    icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc3 = (msr - mse) / (msr + (k - 1) * mse)
    f1, f3 = ratio(msr, msw), ratio(msr, mse)

    # One-way and consistency: the F interval, then ICC = (F - 1) / (F + k - 1).
    f1_lo = f1 / _f_quantile(q, df_n, df_w)
    f1_hi = f1 * _f_quantile(q, df_w, df_n)
    f3_lo = f3 / _f_quantile(q, df_n, df_e)
    f3_hi = f3 * _f_quantile(q, df_e, df_n)

    def single(fv: float) -> float:
        return (fv - 1) / (fv + k - 1)

    def average(fv: float) -> float:
        return 1 - 1 / fv

    # Absolute agreement: Satterthwaite's degrees of freedom (Shrout & Fleiss, eq. 11).
    a = k * icc2 / (n * (1 - icc2))
    b = 1 + k * icc2 * (n - 1) / (n * (1 - icc2))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / df_e)
    f_star_hi = float(stats.f.ppf(q, df_n, v))
    f_star_lo = float(stats.f.ppf(q, v, df_n))
    lo2 = n * (msr - f_star_hi * mse) / (f_star_hi * (k * msc + (k * n - k - n) * mse) + n * msr)
    hi2 = n * (f_star_lo * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_star_lo * msr)

    def spearman_brown(r: float) -> float:
        return k * r / (1 + (k - 1) * r)

    p1, p3 = float(stats.f.sf(f1, df_n, df_w)), float(stats.f.sf(f3, df_n, df_e))
    forms = (
        IccForm("ICC(1,1)", icc1, single(f1_lo), single(f1_hi), f1, df_n, df_w, p1),
        IccForm("ICC(2,1)", icc2, lo2, hi2, f3, df_n, df_e, p3),
        IccForm("ICC(3,1)", icc3, single(f3_lo), single(f3_hi), f3, df_n, df_e, p3),
        IccForm("ICC(1,k)", (msr - msw) / msr, average(f1_lo), average(f1_hi), f1, df_n, df_w, p1),
        IccForm(
            "ICC(2,k)",
            (msr - mse) / (msr + (msc - mse) / n),
            spearman_brown(lo2),
            spearman_brown(hi2),
            f3,
            df_n,
            df_e,
            p3,
        ),
        IccForm("ICC(3,k)", (msr - mse) / msr, average(f3_lo), average(f3_hi), f3, df_n, df_e, p3),
    )
    return Icc(tuple(_floats(f) for f in forms), n, k, msr, msc, msw, mse)


@lru_cache(maxsize=4096)
def _f_quantile(q: float, df1: int, df2: int) -> float:
    """The F distribution's quantile, for whole degrees of freedom: they depend only on the
    table's size, and a centre's analysis works out an ICC for each of a thousand pairs
    of assessors, most of them with a size another pair has too."""
    return float(stats.f.ppf(q, df1, df2))


def _floats(f: IccForm) -> IccForm:
    return IccForm(
        f.form, float(f.icc), float(f.ci_low), float(f.ci_high), float(f.f), f.df1, float(f.df2), f.p
    )
