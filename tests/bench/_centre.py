"""A large centre for benchmarks: the demo plus thousands of planned sittings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from db.models import CandidateRow, PackRow, RoomRow, SittingAssessorRow, SittingRow
from naas_centre.demo.centre import DemoResult, create_demo


def big_centre(path: Path, sittings: int = 5000) -> DemoResult:
    """The demo centre, with ``sittings`` more sittings spread over past days.

    Bulk inserted with no audit entries (``_trail.complete_trail`` enters them).
    """
    demo = create_demo(path, data_dir=path.parent)
    with demo.db.write() as s:
        pack_id = s.scalar(select(PackRow.id).where(PackRow.level == "practitioner"))
        room_id = s.scalar(select(RoomRow.id))
        assessors = [a for a in s.scalars(select(SittingAssessorRow.assessor_id).distinct()).all()]
        ws = demo.db.workstation_id
        now = datetime.now(UTC)
        candidates, planned, links = [], [], []
        for i in range(sittings):
            cid, sid = str(uuid.uuid4()), str(uuid.uuid4())
            day = date(2025, 1, 1) + timedelta(days=i // 12)
            stamp = {"created_at": now, "updated_at": now, "workstation_id": ws}
            candidates.append(
                {
                    "id": cid,
                    "full_name": f"Candidate {i}",
                    "registration_number": f"SW{i:06d}",
                    "employer": "Wigan Council",
                    "level": "practitioner",
                    "extra_time_percent": 0,
                    "extra_time_minutes": 0,
                    "break_between_scenarios": False,
                    "adjustment_notes": "",
                    "training_footage_opt_out": False,
                    **stamp,
                }
            )
            planned.append(
                {
                    "id": sid,
                    "candidate_id": cid,
                    "pack_id": pack_id,
                    "room_id": room_id,
                    "day": day,
                    "starts_at": datetime.combine(day, datetime.min.time(), UTC),
                    "attempt": 1,
                    "status": "complete",
                    **stamp,
                }
            )
            for a in assessors[:2]:
                links.append({"id": str(uuid.uuid4()), "sitting_id": sid, "assessor_id": a, **stamp})
        s.execute(insert(CandidateRow), candidates)
        s.execute(insert(SittingRow), planned)
        s.execute(insert(SittingAssessorRow), links)
    return demo
