"""A day's reports written to a folder, as the screen runs it (no Qt here).

``naas_centre.reports.batch.run`` does the work; ``run_batch`` adds what the screen
needs around it (the folder made, the candidates' names to say what was left out) and
the words for its steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.engine import Database
from naas_centre.errors import UserError
from naas_centre.reports import batch
from naas_centre.reports.batch import BatchResult
from naas_centre.services import signatures, sittings
from naas_centre.services.views import Actor, Role
from naas_centre.signing.pdf import SignerIdentity


@dataclass(frozen=True)
class BatchOutcome:
    result: BatchResult
    out_dir: Path
    names: dict[str, str]  # sitting id → candidate name, to say which reports were skipped


def unlock(db: Database, actor: Actor, password: str, data_dir: Path) -> SignerIdentity:
    """Runs on the write worker: the signer's key, unlocked (a certificate issued on first use)."""
    return signatures.unlock_signer(db, actor, password, data_dir)


def run_batch(
    db: Database,
    actor: Actor,
    out_dir: Path,
    day: date,
    identity: SignerIdentity | None,
    progress: Callable[[int, int, str], None],
    cancel: Callable[[], bool],
    reason: str | None = None,
) -> BatchOutcome:
    """Runs in a worker thread (the pool of processes is the batch's own). ``progress``
    is called after each report, and ``cancel`` is asked at that same point."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"The folder {out_dir} cannot be made: {exc.strerror or exc}.") from exc
    names = candidate_names(db, actor, day)
    result = batch.run(
        db, actor, out_dir, day=day, identity=identity, reason=reason, progress=progress, cancel=cancel
    )
    return BatchOutcome(result, out_dir, names)


def describe(step: str) -> str:
    """The batch's short step labels ("wrote outcome") as a sentence."""
    for prefix, words in (
        ("nothing to sign", "Nothing to sign on the {} report"),
        ("not ready", "Skipped the {} report: not ready"),
        ("signed", "Signed the {} report"),
        ("wrote", "Wrote the {} report"),
    ):
        if step.startswith(prefix):
            return words.format(step[len(prefix) :].strip().replace("_", " "))
    return step


def skipped_line(key: str, why: str, names: dict[str, str]) -> str:
    kind, _, rest = key.partition("/")
    sitting, _, station = rest.partition("/")
    who = names.get(sitting, "The day") if sitting else "The day"
    what = kind.replace("_", " ") + (f" ({station})" if station else "")
    return f"{who} · {what}: {why}"


def left_out(skipped: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One line per report: one that was not written is not also listed as not signed."""
    unwritten = {key for key, why in skipped if why.startswith("not written")}
    return [(k, why) for k, why in skipped if k not in unwritten or why.startswith("not written")]


def candidate_names(db: Database, actor: Actor, day: date) -> dict[str, str]:
    """Sitting id → candidate name, for the sittings of ``day`` this actor reaches
    (an assessor: their own; a centre manager: the day's)."""
    if actor.role == Role.ASSESSOR:
        return {s.id: s.candidate_name for s in sittings.list_for_assessor(db, actor, day)}
    return {s.id: s.candidate_name for s in sittings.day_overview(db, actor, day).sittings}
