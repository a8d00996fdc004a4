"""What the QA figures say, in plain words: one sentence per finding, flagged when it
asks for attention. The report prints them and the dashboard shows them beside the figures.

The thresholds are the conventional ones, named where they are used:
- kappa and weighted kappa: Landis & Koch (1977), 0.41–0.60 moderate, 0.61–0.80
  substantial, above 0.80 almost perfect;
- the ICC: Koo & Li (2016), under 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9
  excellent;
- Cronbach's alpha: 0.7 the usual least for a scale (Nunnally 1978);
- a criterion that fits poorly: a corrected item–total correlation under 0.3, or alpha
  rising by more than 0.02 without it;
- borderline regression: R² under 0.5 is the usual sign that a station's score follows
  the assessors' judgements poorly (Pell et al. 2010);
- the G and phi coefficients: 0.8 for decisions about individuals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from naas_centre.services.qa_analysis import QaAnalysis

MOST_NAMED = 5  # findings of one kind named one by one; the rest are counted, the tables hold them
NAMED_PAIR_LEVELS = 50  # a pair is named for weak agreement only on this many levels in common
ITEM_TOTAL_LEAST = 0.3
ALPHA_LEAST = 0.7
ALPHA_GAIN = 0.02
R2_LEAST = 0.5
KAPPA_MODERATE = 0.41


@dataclass(frozen=True)
class Reading:
    section: str  # "Agreement", "Reliability", "Standard setting", "Examiners", "Drift", "Fairness"
    text: str
    flagged: bool  # asks for attention


def kappa_words(k: float) -> str:
    if k > 0.8:
        return "almost perfectly"
    if k > 0.6:
        return "well"
    if k > 0.4:
        return "moderately"
    if k > 0.2:
        return "only fairly"
    return "poorly"


def icc_words(value: float) -> str:
    if value > 0.9:
        return "excellent"
    if value >= 0.75:
        return "good"
    if value >= 0.5:
        return "moderate"
    return "poor"


def readings(a: QaAnalysis) -> tuple[Reading, ...]:
    out = [*_agreement(a), *_reliability(a), *_standards(a), *_examiners(a), *_fairness(a)]
    return tuple(out)


def _agreement(a: QaAnalysis) -> list[Reading]:
    ag = a.agreement
    out = []
    if ag.overall_weighted_kappa is not None and ag.overall is not None:
        k = ag.overall_weighted_kappa.kappa
        out.append(
            Reading(
                "Agreement",
                f"Assessors agree {kappa_words(k)} on criterion levels (weighted kappa {k:.2f}; "
                f"{ag.overall.exact:.0%} the same level, {ag.overall.adjacent:.0%} within one).",
                k <= KAPPA_MODERATE,
            )
        )
    if ag.overall_icc is not None:
        f = ag.overall_icc.form("ICC(1,1)")
        out.append(
            Reading(
                "Agreement",
                f"Two assessors' station scores for the same candidate agree to a "
                f"{icc_words(f.icc)} degree (ICC(1,1) {f.icc:.2f}, 95% {f.ci_low:.2f} to {f.ci_high:.2f}).",
                f.icc < 0.5,
            )
        )
    weak = sorted(
        (p for p in ag.pairs if p.weighted_kappa is not None and p.weighted_kappa.kappa <= KAPPA_MODERATE),
        key=lambda p: p.weighted_kappa.kappa if p.weighted_kappa is not None else 0.0,
    )
    named = [p for p in weak if p.agreement.n >= NAMED_PAIR_LEVELS][:MOST_NAMED]
    for p in named:
        assert p.weighted_kappa is not None
        out.append(
            Reading(
                "Agreement",
                f"{p.first} and {p.second} agree {kappa_words(p.weighted_kappa.kappa)} "
                f"(weighted kappa {p.weighted_kappa.kappa:.2f} over {p.agreement.n} levels).",
                True,
            )
        )
    if len(weak) > len(named):
        out.append(
            Reading(
                "Agreement",
                f"{len(weak) - len(named)} {'more ' if named else ''}of the {len(ag.pairs)} pairs agree "
                "moderately or less (weighted kappa 0.41 or under), most over few candidates: "
                "agreement-pairs lists every pair.",
                True,
            )
        )
    if ag.note:
        out.append(Reading("Agreement", ag.note, False))
    return out


def _reliability(a: QaAnalysis) -> list[Reading]:
    out = []
    for p in a.packs:
        al = p.overall.alpha
        if al is not None:
            hold = "hang together well" if al.alpha >= ALPHA_LEAST else "hang together weakly"
            out.append(
                Reading(
                    "Reliability",
                    f"{p.title}: the criteria {hold} (alpha {al.alpha:.2f} over {al.items} criteria, "
                    f"95% {al.ci_low:.2f} to {al.ci_high:.2f}).",
                    al.alpha < ALPHA_LEAST,
                )
            )
        misfits: list[Reading] = []
        for st in p.stations:
            if st.alpha is None:
                continue
            if st.alpha.alpha < ALPHA_LEAST:
                out.append(
                    Reading(
                        "Reliability",
                        f"{st.station}: its criteria hang together weakly (alpha {st.alpha.alpha:.2f}).",
                        True,
                    )
                )
            for f in st.alpha.per_item:
                if (
                    f.corrected_item_total < ITEM_TOTAL_LEAST
                    or f.alpha_if_deleted > st.alpha.alpha + ALPHA_GAIN
                ):
                    out.append(
                        Reading(
                            "Reliability",
                            f"{st.station}: “{st.items[f.item]}” fits the station poorly (item–total "
                            f"{f.corrected_item_total:.2f}; alpha without it {f.alpha_if_deleted:.2f}).",
                            True,
                        )
                    )
        out += misfits[:MOST_NAMED]
        if len(misfits) > MOST_NAMED:
            out.append(
                Reading(
                    "Reliability",
                    f"{p.title}: {len(misfits) - MOST_NAMED} more criteria fit their station poorly "
                    "(reliability-items).",
                    True,
                )
            )
        floors = [lv for lv in p.levels if lv.distribution.floor]
        ceilings = [lv for lv in p.levels if lv.distribution.ceiling]
        if floors:
            out.append(
                Reading(
                    "Reliability",
                    f"{len(floors)} criteria show a floor effect (more than 15% at the lowest level).",
                    True,
                )
            )
        if ceilings:
            out.append(
                Reading(
                    "Reliability",
                    f"{len(ceilings)} of {len(p.levels)} criteria show a ceiling effect "
                    "(more than 15% at the highest level).",
                    True,
                )
            )
        g = p.g_study
        if g is not None:
            phi = g.observed.phi
            enough = "enough" if phi >= g.target else "not yet enough"
            text = (
                f"{p.title}: with {g.observed.stations} stations and {g.observed.assessors} assessors "
                f"at each, reliability for pass or fail is {phi:.2f} (phi), {enough} for decisions "
                f"about individuals ({g.target:.1f})."
            )
            best = g.smallest_for_phi
            if best is not None:
                who = f"{best.assessors} assessor{'s' if best.assessors > 1 else ''}"
                text += f" {best.stations} stations with {who} at each would reach it."
            out.append(Reading("Reliability", text, phi < g.target))
        elif p.g_note:
            out.append(Reading("Reliability", f"{p.title}: no generalisability study: {p.g_note}", False))
        if p.cut is not None and p.sem_at_cut is not None:
            out.append(
                Reading(
                    "Reliability",
                    f"{p.title}: the standard error of measurement at the cut ({p.cut:.1f}) is "
                    f"{p.sem_at_cut:.2f}; {p.near_cut} candidates lie within 1.96 of it, where "
                    "an outcome is least certain.",
                    False,
                )
            )
    return out


def _standards(a: QaAnalysis) -> list[Reading]:
    out = []
    for p in a.packs:
        for s in p.standards:
            r = s.regression
            if r is None:
                if s.note:
                    out.append(Reading("Standard setting", f"{s.station}: no pass mark: {s.note}", False))
                continue
            if r.r_squared < R2_LEAST:
                out.append(
                    Reading(
                        "Standard setting",
                        f"{s.station} discriminates poorly: its score follows the assessors' "
                        f"judgements weakly (R² {r.r_squared:.2f}).",
                        True,
                    )
                )
            else:
                out.append(
                    Reading(
                        "Standard setting",
                        f"{s.station}: pass mark {r.pass_mark:.1f} (SE {r.se:.2f}) by borderline "
                        f"regression; the score follows the judgements (R² {r.r_squared:.2f}).",
                        False,
                    )
                )
    return out


def _examiners(a: QaAnalysis) -> list[Reading]:
    names = dict(a.names)
    out = []
    e = a.examiners
    if e is None:
        if a.examiner_note:
            out.append(Reading("Examiners", f"No examiner figures: {a.examiner_note}", False))
        return out
    out.append(
        Reading(
            "Examiners",
            f"Assessors account for {e.assessor_share:.0%} of the variance in station scores.",
            e.assessor_share >= 0.1,
        )
    )
    flagged = sorted((x for x in e.assessors if x.flagged), key=lambda x: -abs(x.effect))
    for x in flagged[:MOST_NAMED]:
        if x.flagged:
            how = "more leniently" if x.effect > 0 else "more strictly"
            out.append(
                Reading(
                    "Examiners",
                    f"{names.get(x.assessor, x.assessor)} scores {how} than the candidates and stations "
                    f"explain ({x.effect:+.1f} points, 95% {x.ci_low:+.1f} to {x.ci_high:+.1f}; "
                    f"p = {x.p_holm:.3f} after Holm's correction for testing every assessor).",
                    True,
                )
            )
    if len(flagged) > MOST_NAMED:
        out.append(
            Reading(
                "Examiners",
                f"{len(flagged) - MOST_NAMED} more assessors' intervals exclude zero, by less: "
                "the examiners table lists every one.",
                True,
            )
        )
    for p in a.packs:
        if p.outcomes_changed is not None:
            changed = p.outcomes_changed.changed
            out.append(
                Reading(
                    "Examiners",
                    f"{p.title}: adjusting every score for its assessor would change {changed} "
                    f"outcome{'s' if changed != 1 else ''} at the cut.",
                    changed > 0,
                )
            )
    d = a.drift
    if d is not None:
        for what, trends in (("slot of the day", d.slot), ("day", d.day)):
            drifting = sorted((t for t in trends if t.flagged), key=lambda t: -abs(t.slope))
            if len(drifting) > MOST_NAMED:
                out.append(
                    Reading(
                        "Drift",
                        f"{len(drifting)} assessors' marks drift per {what}; the largest below, "
                        "every one in the drift table.",
                        True,
                    )
                )
            for t in drifting[:MOST_NAMED]:
                if t.assessor is not None:
                    out.append(
                        Reading(
                            "Drift",
                            f"{names.get(t.assessor, t.assessor)}'s marks drift by {t.slope:+.2f} points "
                            f"per {what} (p {t.p_adjusted:.3f} after Holm).",
                            True,
                        )
                    )
        if d.pooled_slot is not None:
            t = d.pooled_slot
            out.append(
                Reading(
                    "Drift",
                    f"Over all assessors, marks move by {t.slope:+.2f} points per slot of the day "
                    f"(95% {t.ci_low:+.2f} to {t.ci_high:+.2f}).",
                    t.flagged,
                )
            )
    if a.examiner_note:
        out.append(Reading("Examiners", a.examiner_note, False))
    return out


def _fairness(a: QaAnalysis) -> list[Reading]:
    f = a.fairness
    if f is None:
        return [Reading("Fairness", a.fairness_note, False)] if a.fairness_note else []
    out = []
    for t in f.tables:
        for r in t.rows:
            if r.impact is not None and r.impact.flagged:
                out.append(
                    Reading(
                        "Fairness",
                        f"{t.dimension.replace('_', ' ').capitalize()} “{r.group}”: pass rate "
                        f"{r.impact.rate:.0%}, {r.impact.ratio:.2f} of the highest group's, "
                        "under four fifths.",
                        True,
                    )
                )
    if not out:
        out.append(
            Reading("Fairness", "No group's pass rate falls under four fifths of the highest shown.", False)
        )
    return out
