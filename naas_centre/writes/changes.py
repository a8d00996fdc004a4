"""What a write changed, as one small value (after Anki's ``OpChanges``).

Every write the screens ask for says what it changes; after it commits, the task
manager emits the value once, and each open view decides from it whether what it shows
is touched (``touches``) and refreshes itself. No view is refreshed by hand by another.
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Changes:
    """The kinds of data a write changed, and the sittings it changed them in.

    ``sitting_ids`` empty with a kind set means "any sitting" (a batch signing the day).
    """

    sitting_ids: frozenset[str] = field(default_factory=frozenset)
    scores: bool = False  # levels, reasons, judgements
    notes: bool = False  # evidence notes
    clocks: bool = False  # phase events, pauses and their reasons
    scripts: bool = False  # a written exercise's script (autosave, submit, marking)
    status: bool = False  # a sitting's status, a sheet submitted, moderation agreed
    reports: bool = False  # signed versions of reports
    calibration: bool = False  # an assessor's levels in a calibration exercise: in no sitting

    @classmethod
    def of(cls, sitting_id: str | None, **kinds: bool) -> Changes:
        return cls(frozenset({sitting_id}) if sitting_id else frozenset(), **kinds)

    @property
    def empty(self) -> bool:
        return not (self._in_sittings or self.calibration)

    @property
    def _in_sittings(self) -> bool:
        return self.scores or self.notes or self.clocks or self.scripts or self.status or self.reports

    def touches(self, sitting_id: str | None = None) -> bool:
        """Whether this changes anything in ``sitting_id`` (None: in any sitting)."""
        if not self._in_sittings:
            return False
        return sitting_id is None or not self.sitting_ids or sitting_id in self.sitting_ids

    def __or__(self, other: Changes) -> Changes:
        both_specific = bool(self.sitting_ids) and bool(other.sitting_ids)
        return replace(
            self,
            sitting_ids=self.sitting_ids | other.sitting_ids
            if both_specific or self.empty or other.empty
            else frozenset(),
            scores=self.scores or other.scores,
            notes=self.notes or other.notes,
            clocks=self.clocks or other.clocks,
            scripts=self.scripts or other.scripts,
            status=self.status or other.status,
            reports=self.reports or other.reports,
            calibration=self.calibration or other.calibration,
        )


NOTHING = Changes()
