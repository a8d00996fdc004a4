"""A real recording of a demo station for calibration tests: the recorder fed by a
generated camera and microphone, as the video tests make theirs."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

from db.base import utcnow
from db.engine import Database
from naas_centre.packs.schema import Rubric
from naas_centre.services import packs, recordings, sittings
from naas_centre.services.views import Actor
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames
from tests.video.media import ScaledClock, make_sound, make_video

STATION = "home-visit"


def record_station(
    db: Database, assessor: Actor, day: date, data_dir: Path, scratch: Path, seconds: float = 3.0
) -> str:
    """A consented, finished recording of the assessor's first sitting's role-play: its id."""
    sid = sittings.list_for_assessor(db, assessor, day)[0].id
    recordings.record_candidate_consent(db, assessor, sid, True)
    recordings.record_actor_consent(db, assessor, sid, STATION)
    view = recordings.start_recording(db, assessor, sid, STATION, started_at=utcnow() - timedelta(minutes=5))
    folder = data_dir / view.folder
    folder.mkdir(parents=True)
    clock = ScaledClock(2.0)
    recorder = Recorder(
        folder,
        FileFrames(make_video(scratch / "camera.mp4", seconds / 2 + 1)),
        WavSamples(make_sound(scratch / "microphone.wav", seconds / 2 + 1)),
        clock=clock,
        seal=recordings.media_passphrase(db),  # as the app does: sealed when the centre is encrypted
    )
    recorder.start()
    clock.wait_until(seconds, threading.Event())
    status = recorder.stop()
    recordings.finish_recording(db, assessor, view.id, status.duration)
    return view.id


def station_rubric(db: Database, actor: Actor, recording_id: str) -> tuple[Rubric, list[int]]:
    """The recorded station's rubric and its level values."""
    with db.read() as s:
        from db.models import RecordingRow, SittingRow

        rec = s.get(RecordingRow, recording_id)
        assert rec is not None
        sitting = s.get(SittingRow, rec.sitting_id)
        assert sitting is not None
        pack = packs.pack_by_id(s, sitting.pack_id)
    rubric = dict(pack.rubrics())[STATION]
    return rubric, sorted(lv.value for lv in pack.levels_for(rubric))
