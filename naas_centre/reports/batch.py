"""Writing a sitting's or a day's reports to a folder, signing what is complete first.

The database is read and written only here, in the calling process; drawing and
signing (the slow part) go to a pool of worker processes when there are enough of them
to be worth it, so a day of reports uses every core. Progress is reported after each
report and is also where a run can be cancelled.
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
    signed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (report, why)
    cancelled: bool = False


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
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> BatchResult:
    """Signs what the actor can sign (with ``identity``), then writes every report it can."""
    out_dir.mkdir(parents=True, exist_ok=True)
    refs = refs_to_write(db, actor, sitting_id=sitting_id, day=day)
    candidate_refs = [r for r in refs if r.kind != ReportKind.DAY_SUMMARY]
    summary_refs = [r for r in refs if r.kind == ReportKind.DAY_SUMMARY]
    result = BatchResult()
    names = _name_parts(db, refs)
    total = len(refs) * (2 if identity else 1)
    done = 0

    def tick(label: str) -> bool:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)
        return bool(cancel and cancel())

    pool = _pool(identity, workers, len(refs))
    try:
        if identity is not None:
            # The day summary counts signed reports, so it is signed after them.
            for group in (candidate_refs, summary_refs):
                if _sign_all(db, actor, identity, group, pool, result, tick):
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
            workers=1,
            progress=progress,
            cancel=cancel,
        )
        again.signed += result.signed
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


def _sign_all(
    db: Database,
    actor: Actor,
    identity: SignerIdentity,
    refs: list[ReportRef],
    pool: ProcessPoolExecutor | None,
    result: BatchResult,
    tick: Callable[[str], bool],
) -> bool:
    jobs = []
    for ref in refs:
        try:
            jobs.append(signatures.plan(db, actor, ref))
        except NotReady as exc:
            result.skipped.append((ref.key, f"not signed: {exc}"))
            if tick(f"not ready {ref.kind.value}"):
                return True
        except (Conflict, PermissionDenied):
            # Already signed by this person, or not theirs to sign: nothing to do.
            if tick(f"nothing to sign {ref.kind.value}"):
                return True
    if pool is None:
        for job in jobs:
            signatures.record(db, actor, identity, _sign(job))
            result.signed += 1
            if tick(f"signed {job.ref.kind.value}"):
                return True
        return False
    pending: set[Future[signatures.SignedResult]] = {pool.submit(_sign, job) for job in jobs}
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            signed = fut.result()
            signatures.record(db, actor, identity, signed)
            result.signed += 1
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
            if tick(f"wrote {ref.kind.value}"):
                for other in pending:
                    other.cancel()
                return True
    return False


def _name_parts(db: Database, refs: list[ReportRef]) -> dict[str, str]:
    """sitting id → "2026-11-23_SW115962" (date and registration number, safe for any disk)."""
    ids = {r.sitting_id for r in refs if r.sitting_id}
    with db.read() as s:
        rows = s.execute(
            select(SittingRow.id, SittingRow.day, CandidateRow.registration_number, SittingRow.attempt)
            .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
            .where(SittingRow.id.in_(ids))
        ).all()
    return {sid: _safe(f"{day}_{reg}_attempt{attempt}") for sid, day, reg, attempt in rows}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "report"


def _file_name(ref: ReportRef, names: dict[str, str], suffix: str) -> str:
    if ref.kind == ReportKind.DAY_SUMMARY:
        return f"{ref.day}_day-summary_{suffix}.pdf"
    prefix = names.get(ref.sitting_id or "", _safe(ref.sitting_id or "sitting"))
    station = f"_{_safe(ref.station_id)}" if ref.station_id and ref.kind == ReportKind.OBSERVATION else ""
    return f"{prefix}_{ref.kind.value}{station}_{suffix}.pdf"


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


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
