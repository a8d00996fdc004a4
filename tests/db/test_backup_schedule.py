"""When a scheduled backup is due, on a clock the test holds: hourly, at close, after a
failure, and after a restart with copies already in the folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from naas_centre.backup.schedule import HOURLY, RETRY, BackupPolicy, BackupSchedule

START = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
FOLDER = Path("/media/backup-drive")


def test_hourly_from_the_first_backup_of_a_new_centre() -> None:
    schedule = BackupSchedule(BackupPolicy(FOLDER), newest=None, started=START)
    assert schedule.due(START)  # no copy anywhere yet: one at once
    schedule.taken(START + timedelta(seconds=4))
    assert not schedule.due(START + timedelta(minutes=59))
    assert schedule.next_due() == START + timedelta(seconds=4) + HOURLY
    assert schedule.due(START + timedelta(hours=1, seconds=4))


def test_a_restart_waits_for_the_period_after_the_newest_copy() -> None:
    newest = START - timedelta(minutes=20)
    schedule = BackupSchedule(BackupPolicy(FOLDER), newest=newest, started=START)
    assert not schedule.due(START)
    assert schedule.next_due() == newest + HOURLY
    assert not schedule.due_at_close()  # nothing written since that copy
    schedule.written()
    assert schedule.due_at_close()


def test_a_failure_is_tried_again_soon_and_remembered() -> None:
    schedule = BackupSchedule(BackupPolicy(FOLDER), newest=None, started=START)
    schedule.failed(START, "the drive /media/backup-drive is not there")
    assert schedule.last_failure == "the drive /media/backup-drive is not there"
    assert not schedule.due(START + RETRY - timedelta(seconds=1))
    assert schedule.due(START + RETRY)
    schedule.taken(START + RETRY)
    assert schedule.last_failure is None and schedule.last_taken == START + RETRY


def test_off_without_a_folder_and_at_close_only_when_asked() -> None:
    off = BackupSchedule(BackupPolicy(None), newest=None, started=START)
    assert off.next_due() is None and not off.due(START + timedelta(days=1)) and not off.due_at_close()
    hourly_only = BackupSchedule(BackupPolicy(FOLDER, at_close=False), newest=None, started=START)
    hourly_only.written()
    assert not hourly_only.due_at_close()
    every_ten = BackupSchedule(BackupPolicy(FOLDER, every=timedelta(minutes=10)), newest=None, started=START)
    every_ten.taken(START)
    assert every_ten.due(START + timedelta(minutes=10))
