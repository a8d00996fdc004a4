"""Writing a sitting's or a day's reports to a folder, signing what is complete first.

The database is read and written only here, in the calling process; drawing and
signing (the slow part) go to a pool of worker processes when there are enough of them
to be worth it, so a day of reports uses every core. Progress is reported after each
report and is also where a run can be cancelled.

A batch never writes a stale version. A signed report whose data changed after
signing (moderation agreed a level, say) is either signed again as a new version, when
the signer may start one and gave a reason, or left out with the reason; a signer who
could sign new versions but gave no reason stops the run before anything is signed or
written (``ReasonNeeded`` names the reports). The latest signed version is written only
while it matches today's data.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from db.engine import Database
from db.models import CandidateRow, SittingRow
from naas_centre import paths
from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.reports.data import ReportData, ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, gather, refs_for_sitting, sittings_of_day
from naas_centre.reports.render import render
from naas_centre.services import signatures
from naas_centre.services.views import Actor, Role
from naas_centre.signing.pdf import SignerIdentity

log = logging.getLogger(__name__)
# Below this many reports, starting worker processes costs more than it saves.
POOL_THRESHOLD = 6
Progress = Callable[[int, int, str], None]


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    signed: int = 0  # signatures made by this run (new versions included)
    new_versions: int = 0  # of which: first signatures of a new version that supersedes one
    drafts: int = 0  # of ``written``: unsigned drafts (never signed reports)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (report, why)
    cancelled: bool = False


class ReasonNeeded(Conflict):
    """Signed reports changed after signing and the run was given no reason to sign new
    versions: nothing was signed or written."""

    def __init__(self, message: str, keys: list[str]) -> None:
        super().__init__(message)
        self.keys = keys


# Worker side: no database, only data in and bytes out --------------------------------

_identity: SignerIdentity | None = None


def _init_worker(identity: SignerIdentity | None) -> None:
    global _identity
    _identity = identity


def _sign(job: signatures.SigningJob) -> signatures.SignedResult:
    assert _identity is not None
    return signatures.perform(job, _identity)


def _draft(data: ReportData) -> bytes:
    return render(data).pdf


# Caller side --------------------------------------------------------------------------


def refs_to_write(db: Database, actor: Actor, *, sitting_id: str | None, day: date | None) -> list[ReportRef]:
    if sitting_id is not None:
        return refs_for_sitting(db, actor, sitting_id)
    assert day is not None
    refs = [ref for sid in sittings_of_day(db, actor, day) for ref in refs_for_sitting(db, actor, sid)]
    if actor.role in (Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD):
        refs.append(ReportRef(ReportKind.DAY_SUMMARY, day=day))
    return refs


def run(
    db: Database,
    actor: Actor,
    out_dir: Path,
    *,
    sitting_id: str | None = None,
    day: date | None = None,
    identity: SignerIdentity | None = None,
    reason: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> BatchResult:
    """Signs what the actor can sign (with ``identity``), then writes every report it can.

    ``reason`` is why new versions are signed where the data changed after signing;
    without it, such reports stop the run (``ReasonNeeded``) when this signer could
    sign them, and are left out otherwise.
    """
    reason = (reason or "").strip() or None
    refs = refs_to_write(db, actor, sitting_id=sitting_id, day=day)
    candidate_refs = [r for r in refs if r.kind != ReportKind.DAY_SUMMARY]
    summary_refs = [r for r in refs if r.kind == ReportKind.DAY_SUMMARY]
    result = BatchResult()
    total = len(refs) * (2 if identity else 1)
    done = 0

    def tick(label: str) -> bool:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)
        return bool(cancel and cancel())

    jobs: list[signatures.SigningJob] = []
    if identity is not None:
        # Planning only reads: a run that must stop for a reason stops before anything
        # is signed or written. The day summary counts signed reports, so it is planned
        # again (and signed) after them; here it is only checked.
        jobs, changed, stopped = _plan_all(db, actor, candidate_refs, reason, result, tick)
        if reason is None:
            changed += [ref for ref in summary_refs if _could_start_new_version(db, actor, ref)]
        if changed:
            raise _reason_needed(changed, _name_parts(db, changed, labels=True))
        if stopped:
            result.cancelled = True
            return result
    out_dir.mkdir(parents=True, exist_ok=True)
    names = _name_parts(db, refs)
    pool = _pool(identity, workers, len(refs))
    try:
        if identity is not None:
            if _sign_jobs(db, actor, identity, jobs, pool, result, tick):
                result.cancelled = True
                return result
            summary_jobs, _, stopped = _plan_all(db, actor, summary_refs, reason, result, tick)
            if stopped or _sign_jobs(db, actor, identity, summary_jobs, pool, result, tick):
                result.cancelled = True
                return result
        if _write_all(db, actor, refs, out_dir, names, pool, result, tick):
            result.cancelled = True
    except BrokenProcessPool:
        # A worker died (killed, out of memory, or a caller without a __main__ guard):
        # finish in this process. What was signed is recorded, so it is not signed twice.
        log.warning("report workers stopped; finishing in the main process", exc_info=True)
        again = run(
            db,
            actor,
            out_dir,
            sitting_id=sitting_id,
            day=day,
            identity=identity,
            reason=reason,
            workers=1,
            progress=progress,
            cancel=cancel,
        )
        again.signed += result.signed
        again.new_versions += result.new_versions
        return again
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return result


def _pool(identity: SignerIdentity | None, workers: int | None, jobs: int) -> ProcessPoolExecutor | None:
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count < 2 or jobs < POOL_THRESHOLD:
        _init_worker(identity)
        return None
    # Not "fork": the parent holds database connections and may have threads (the GUI).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=min(count, max(1, jobs)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(identity,),
    )


def _could_start_new_version(db: Database, actor: Actor, ref: ReportRef) -> bool:
    """Whether the data behind the signed report changed and this actor may sign its next
    version (``plan`` only reads)."""
    try:
        signatures.plan(db, actor, ref)
    except signatures.ReasonNeeded:
        try:
            signatures.plan(db, actor, ref, reason="(checking)")
        except (Conflict, PermissionDenied, NotReady):
            return False  # not this signer's to start: left out, with the reason, when writing
        return True
    except (NotReady, Conflict, PermissionDenied):
        return False
    return False


def _reason_needed(changed: list[ReportRef], labels: dict[str, str]) -> ReasonNeeded:
    names = "; ".join(_label(ref, labels) for ref in changed)
    return ReasonNeeded(
        f"{len(changed)} signed report(s) changed after they were signed: {names}. "
        "Give the reason for signing new versions (for example: levels agreed at moderation "
        "after signing); the signed versions stay as they are. Nothing was signed or written.",
        [ref.key for ref in changed],
    )


def _plan_all(
    db: Database,
    actor: Actor,
    refs: list[ReportRef],
    reason: str | None,
    result: BatchResult,
    tick: Callable[[str], bool],
) -> tuple[list[signatures.SigningJob], list[ReportRef], bool]:
    """(jobs to sign, changed reports this signer could sign a new version of but has no
    reason for, cancelled)."""
    jobs: list[signatures.SigningJob] = []
    changed: list[ReportRef] = []
    for ref in refs:
        try:
            try:
                jobs.append(signatures.plan(db, actor, ref))
                continue
            except signatures.ReasonNeeded:
                if reason is None:
                    if _could_start_new_version(db, actor, ref):
                        changed.append(ref)
                        continue
                    raise
                jobs.append(signatures.plan(db, actor, ref, reason=reason))
                continue
        except NotReady as exc:
            result.skipped.append((ref.key, f"not signed: {exc}"))
            label = f"not ready {ref.kind.value}"
        except (Conflict, PermissionDenied):
            # Already signed by this person, not theirs to sign, or a new version that
            # someone else starts (writing says why it is left out): nothing to do here.
            label = f"nothing to sign {ref.kind.value}"
        if tick(label):
            return jobs, changed, True
    return jobs, changed, False


def _sign_jobs(
    db: Database,
    actor: Actor,
    identity: SignerIdentity,
    jobs: list[signatures.SigningJob],
    pool: ProcessPoolExecutor | None,
    result: BatchResult,
    tick: Callable[[str], bool],
) -> bool:
    def recorded(signed: signatures.SignedResult) -> None:
        signatures.record(db, actor, identity, signed)
        result.signed += 1
        if signed.job.supersedes_id is not None:
            result.new_versions += 1

    if pool is None:
        for job in jobs:
            recorded(_sign(job))
            if tick(f"signed {job.ref.kind.value}"):
                return True
        return False
    pending: set[Future[signatures.SignedResult]] = {pool.submit(_sign, job) for job in jobs}
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            signed = fut.result()
            recorded(signed)
            if tick(f"signed {signed.job.ref.kind.value}"):
                for other in pending:
                    other.cancel()
                return True
    return False


def _write_all(
    db: Database,
    actor: Actor,
    refs: list[ReportRef],
    out_dir: Path,
    names: dict[str, str],
    pool: ProcessPoolExecutor | None,
    result: BatchResult,
    tick: Callable[[str], bool],
) -> bool:
    drafts: list[tuple[ReportRef, ReportData]] = []
    for ref in refs:
        found = signatures.latest(db, actor, ref)
        if found is not None:
            view, pdf = found
            if signatures.changed_since_signed(db, actor, ref):
                # Never the stale version: it no longer says what the data says.
                result.skipped.append(
                    (
                        ref.key,
                        f"not written: the data changed after version {view.version} was signed; "
                        f"{_who_signs_next(ref)} signs version {view.version + 1}, with the reason",
                    )
                )
                if tick(f"not current {ref.kind.value}"):
                    return True
                continue
            result.written.append(_write(out_dir / _file_name(ref, names, f"v{view.version}"), pdf))
            if tick(f"wrote {ref.kind.value}"):
                return True
            continue
        try:
            if ref.kind == ReportKind.DAY_SUMMARY:
                assert ref.day is not None
                from naas_centre.reports.gather import day_summary

                data: ReportData = day_summary(
                    db, actor, ref.day, signed=signatures.signed_counts(db, ref.day)
                )
            else:
                data = gather(db, actor, ref)
        except NotReady as exc:
            result.skipped.append((ref.key, f"not written: {exc}"))
            if tick(f"not ready {ref.kind.value}"):
                return True
            continue
        drafts.append((ref, data))
    if pool is None:
        for ref, data in drafts:
            result.written.append(_write(out_dir / _file_name(ref, names, "unsigned"), _draft(data)))
            result.drafts += 1
            if tick(f"wrote {ref.kind.value}"):
                return True
        return False
    futures = {pool.submit(_draft, data): ref for ref, data in drafts}
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            ref = futures[fut]
            result.written.append(_write(out_dir / _file_name(ref, names, "unsigned"), fut.result()))
            result.drafts += 1
            if tick(f"wrote {ref.kind.value}"):
                for other in pending:
                    other.cancel()
                return True
    return False


def _name_parts(db: Database, refs: list[ReportRef], *, labels: bool = False) -> dict[str, str]:
    """sitting id → "2026-11-23_SW115962" (date and registration number, safe for any disk),
    or with ``labels`` → the candidate's name, for messages."""
    ids = {r.sitting_id for r in refs if r.sitting_id}
    with db.read() as s:
        rows = s.execute(
            select(
                SittingRow.id,
                SittingRow.day,
                CandidateRow.registration_number,
                SittingRow.attempt,
                CandidateRow.full_name,
            )
            .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
            .where(SittingRow.id.in_(ids))
        ).all()
    if labels:
        return {sid: name for sid, _, _, _, name in rows}
    return {sid: _safe(f"{day}_{reg}_attempt{attempt}") for sid, day, reg, attempt, _ in rows}


def _label(ref: ReportRef, names: dict[str, str]) -> str:
    """ "observation report (scenario-1) for Gwenllian Prŷs-Dafydd": a report as a person names it."""
    if ref.kind == ReportKind.DAY_SUMMARY:
        return f"the day summary of {ref.day:%d %B %Y}"
    station = f" ({ref.station_id})" if ref.station_id and ref.kind == ReportKind.OBSERVATION else ""
    return f"{ref.kind.label.lower()}{station} for {names.get(ref.sitting_id or '', 'a sitting')}"


def _who_signs_next(ref: ReportRef) -> str:
    return "the centre manager" if ref.kind == ReportKind.DAY_SUMMARY else "an assessor of the sitting"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "report"


def _file_name(ref: ReportRef, names: dict[str, str], suffix: str) -> str:
    if ref.kind == ReportKind.DAY_SUMMARY:
        return f"{ref.day}_day-summary_{suffix}.pdf"
    prefix = names.get(ref.sitting_id or "", _safe(ref.sitting_id or "sitting"))
    station = f"_{_safe(ref.station_id)}" if ref.station_id and ref.kind == ReportKind.OBSERVATION else ""
    if ref.kind == ReportKind.KNOWLEDGE and ref.station_id not in (None, "knowledge"):
        station = f"_{_safe(ref.station_id or '')}"  # a pack with several forms: each its own file
    return f"{prefix}_{ref.kind.value}{station}_{suffix}.pdf"


def _write(path: Path, data: bytes) -> Path:
    # A temporary file beside it, fsync'd, then renamed: whole or not at all, and no
    # ``.part`` left behind when the disk is full.
    return paths.write_atomic(path, data)


class TextProgress:
    """A one-line progress bar on a terminal; silent when the output is not a terminal."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.live = self.stream.isatty()

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.live:
            return
        filled = self.width * done // max(1, total)
        bar = "█" * filled + "·" * (self.width - filled)
        self.stream.write(f"\r{bar} {done}/{total} {label[:40]:<40}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
