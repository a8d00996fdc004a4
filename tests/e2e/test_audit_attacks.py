"""The attacks of issue 17 on a scored demo database, each through a real `audit verify`.

The database is made once by `naas-centre demo --scored --history none` (which signs every
report, so its checkpoint file holds one signed checkpoint per signature), then closed as
the app closes it (a workstation checkpoint). Each test copies it with its checkpoint
file, changes the copy with plain SQL as someone holding the file would, and runs the
command in a subprocess.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from db.migrate import open_read_only
from naas_centre.packs.loader import canonical_json, content_hash, parse_pack_json
from naas_centre.services import audit, checkpoints, verification
from naas_centre.signing import ca
from tests.program import run_program


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_program(*args, data_dir=data_dir, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("attacks")
    data_dir, target = folder / "data", folder / "demo.db"
    done = _run("demo", "--db", str(target), "--scored", "--history", "none", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    db = open_read_only(target)
    try:
        checkpoints.checkpoint(db, checkpoints.CLOSE, data_dir)  # as the app does when it closes
    finally:
        db.dispose()
    return target, data_dir


@pytest.fixture
def copy(made: tuple[Path, Path], tmp_path: Path) -> Path:
    source, _ = made
    target = tmp_path / "centre.db"
    shutil.copyfile(source, target)
    shutil.copyfile(
        source.with_name(source.name + checkpoints.SUFFIX), target.with_name(target.name + checkpoints.SUFFIX)
    )
    return target


def _verify(path: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return _run("audit", "verify", "--db", str(path), data_dir=data_dir)


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _broken(path: Path, data_dir: Path, *words: str) -> str:
    out = _verify(path, data_dir)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "audit trail BROKEN" in out.stderr and "Traceback" not in out.stderr
    for word in words:
        assert word in out.stderr, out.stderr
    return out.stderr


def test_the_untouched_copy_is_intact(copy: Path, made: tuple[Path, Path]) -> None:
    out = _verify(copy, made[1])
    assert out.returncode == 0, out.stderr
    assert "audit trail intact" in out.stdout


@pytest.mark.parametrize("cut", [1, 10, 91])
def test_deleting_the_last_entries_is_caught(copy: Path, made: tuple[Path, Path], cut: int) -> None:
    _sql(copy, f"DELETE FROM audit_entries WHERE seq > (SELECT max(seq) - {cut} FROM audit_entries)")
    _broken(copy, made[1], "missing", "cut back", "checkpoint")


def test_deleting_everything_after_the_last_scored_row_is_caught(copy: Path, made: tuple[Path, Path]) -> None:
    _sql(
        copy,
        "DELETE FROM audit_entries WHERE seq > (SELECT max(seq) FROM audit_entries WHERE entity = 'scores')",
    )
    _broken(copy, made[1], "cut back")


def test_deleting_the_whole_chain_with_every_audited_row_is_caught(
    copy: Path, made: tuple[Path, Path]
) -> None:
    tables = [m.__tablename__ for m in (*audit.AUDITED, *audit.COVERED)]
    _sql(
        copy, "PRAGMA foreign_keys = OFF", "DELETE FROM audit_entries", *(f"DELETE FROM {t}" for t in tables)
    )
    _broken(copy, made[1], "entries 1 to", "cut back")


def _rehash_from(conn: sqlite3.Connection, first_seq: int) -> None:
    """Recomputes every hash of the own chain from ``first_seq`` on, as an attacker who knows
    the algorithm would."""
    rows = conn.execute(
        "SELECT id, chain_seq, at, account_id, action, entity, entity_id, before, after FROM audit_entries "
        "WHERE chain_id = (SELECT chain_id FROM audit_chain) ORDER BY chain_seq"
    ).fetchall()
    prev = audit.GENESIS
    for rid, n, at, account, action, entity, eid, before, after in rows:
        when = datetime.fromisoformat(at).replace(tzinfo=UTC)
        if n >= first_seq:
            digest = audit.entry_hash(prev, n, when, account, action, entity, eid, before, after)
            conn.execute("UPDATE audit_entries SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))
            prev = digest
        else:
            prev = conn.execute("SELECT hash FROM audit_entries WHERE id = ?", (rid,)).fetchone()[0]


def test_a_score_changed_with_its_history_rewritten_and_rehashed_is_caught(
    copy: Path, made: tuple[Path, Path]
) -> None:
    conn = sqlite3.connect(copy)
    try:
        score_id, level = conn.execute(
            "SELECT id, level FROM scores WHERE level IS NOT NULL LIMIT 1"
        ).fetchone()
        new_level = 4 if level != 4 else 1
        conn.execute("UPDATE scores SET level = ? WHERE id = ?", (new_level, score_id))
        for eid, after in conn.execute(
            "SELECT id, after FROM audit_entries WHERE entity = 'scores' AND entity_id = ?", (score_id,)
        ).fetchall():
            state = json.loads(after)
            state["level"] = new_level
            conn.execute("UPDATE audit_entries SET after = ? WHERE id = ?", (audit._canonical(state), eid))
        first = conn.execute(
            "SELECT min(chain_seq) FROM audit_entries WHERE entity = 'scores' AND entity_id = ?", (score_id,)
        ).fetchone()[0]
        _rehash_from(conn, first)
        conn.commit()
    finally:
        conn.close()
    # The chain holds together and the data matches it: only the checkpoints show the rewrite.
    _broken(copy, made[1], "rewritten", "checkpoint")


def test_a_correctly_hashed_entry_appended_after_the_newest_checkpoint_is_shown_unvouched(
    copy: Path, made: tuple[Path, Path]
) -> None:
    """Not caught (no checkpoint is later than it), but the command says how much of the
    trail no checkpoint vouches for yet."""
    conn = sqlite3.connect(copy)
    try:
        score_id, level = conn.execute(
            "SELECT id, level FROM scores WHERE level IS NOT NULL LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE scores SET level = ? WHERE id = ?", (4 if level != 4 else 1, score_id))
        chain, top, last, prev = conn.execute(
            "SELECT c.chain_id, (SELECT max(seq) FROM audit_entries), e.chain_seq, e.hash FROM audit_chain c "
            "JOIN audit_entries e ON e.chain_id = c.chain_id ORDER BY e.chain_seq DESC LIMIT 1"
        ).fetchone()
        (after,) = conn.execute(
            "SELECT after FROM audit_entries WHERE entity = 'scores' AND entity_id = ? "
            "ORDER BY seq DESC LIMIT 1",
            (score_id,),
        ).fetchone()
        state = json.loads(after)
        state["level"] = 4 if level != 4 else 1
        text = audit._canonical(state)
        at = datetime.now(UTC).replace(microsecond=0)
        stored = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        digest = audit.entry_hash(prev, last + 1, at, None, "score.set", "scores", score_id, after, text)
        conn.execute(
            "INSERT INTO audit_entries (id, created_at, updated_at, workstation_id, seq, chain_id, "
            "chain_seq, at, account_id, action, entity, entity_id, before, after, prev_hash, hash) "
            "VALUES (?, ?, ?, 'x', ?, ?, ?, ?, NULL, 'score.set', 'scores', ?, ?, ?, ?, ?)",
            (
                "forged-entry",
                stored,
                stored,
                top + 1,
                chain,
                last + 1,
                stored,
                score_id,
                after,
                text,
                prev,
                digest,
            ),
        )
        conn.commit()
    finally:
        conn.close()
    out = _verify(copy, made[1])
    assert out.returncode == 0, out.stderr
    assert "1 entry after the newest checkpoint" in out.stdout, out.stdout


def _change_one(copy: Path, data_dir: Path, table: str, assignment: str, *words: str) -> None:
    _sql(copy, f"UPDATE {table} SET {assignment} WHERE id = (SELECT id FROM {table} LIMIT 1)")
    _broken(copy, data_dir, table, *words)


@pytest.mark.parametrize(
    ("table", "assignment"),
    [
        ("equality_monitoring", "ethnicity = 'changed'"),
        ("scripts", "text = text || ' and one more sentence'"),
        ("phase_events", "at = '2020-01-01 00:00:00.000000'"),
        ("signed_documents", "pdf = CAST('%PDF-' AS BLOB)"),
        ("document_signatures", "sha256 = '" + "0" * 64 + "'"),
        ("day_plans", "written_seats = written_seats + 1"),
        ("plan_stations", "assessor_ids = '[]'"),
        ("certificates", "serial = 'rogue'"),
        ("crls", "der = CAST('not a crl' AS BLOB)"),
        ("signing_keys", "encrypted_pem = 'another key'"),
    ],
)
def test_a_covered_table_changed_behind_the_app_is_caught(
    copy: Path, made: tuple[Path, Path], table: str, assignment: str
) -> None:
    _change_one(copy, made[1], table, assignment, "behind the app")


def test_a_rogue_ca_row_is_caught(copy: Path, made: tuple[Path, Path]) -> None:
    conn = sqlite3.connect(copy)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(certificates)")]
        row = conn.execute("SELECT * FROM certificates WHERE kind = 'ca'").fetchone()
        values = dict(zip(cols, row, strict=True))
        values |= {"id": "rogue-ca", "serial": "rogue", "fingerprint": "f" * 64}
        marks = ", ".join("?" for _ in cols)
        conn.execute(
            f"INSERT INTO certificates ({', '.join(cols)}) VALUES ({marks})", [values[c] for c in cols]
        )
        conn.commit()
    finally:
        conn.close()
    _broken(copy, made[1], "certificates rogue-ca has no audit entry")


def test_a_rogue_ca_row_is_not_trusted_to_verify_reports(copy: Path) -> None:
    db = open_read_only(copy)
    try:
        (genuine,) = verification.trusted_material(db)[0]
    finally:
        db.dispose()
    rogue = ca.new_ca("Pennine Assessment Centre").certificate  # the centre's own name, another key
    conn = sqlite3.connect(copy)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(certificates)")]
        row = conn.execute("SELECT * FROM certificates WHERE kind = 'ca'").fetchone()
        values = dict(zip(cols, row, strict=True)) | {
            "id": "rogue-ca",
            "serial": str(rogue.serial_number),
            "fingerprint": ca.fingerprint(rogue),
            "pem": ca.pem(rogue),
        }
        marks = ", ".join("?" for _ in cols)
        conn.execute(
            f"INSERT INTO certificates ({', '.join(cols)}) VALUES ({marks})", [values[c] for c in cols]
        )
        conn.commit()
    finally:
        conn.close()
    db = open_read_only(copy)
    try:
        # Only the CA the trail vouches for signs for this centre: the rogue one verifies nothing.
        assert verification.trusted_material(db)[0] == [genuine]
    finally:
        db.dispose()


def test_a_pack_rewritten_with_its_hash_recomputed_is_caught(copy: Path, made: tuple[Path, Path]) -> None:
    conn = sqlite3.connect(copy)
    try:
        pid, content = conn.execute("SELECT id, content FROM packs LIMIT 1").fetchone()
        raw = json.loads(content)
        raw["outcome"]["area_pass_mark"] = 1.0  # every area met: a not-met outcome turns to met
        pack = parse_pack_json(json.dumps(raw))
        conn.execute(
            "UPDATE packs SET content = ?, content_hash = ? WHERE id = ?",
            (canonical_json(pack), content_hash(pack), pid),
        )
        conn.commit()
    finally:
        conn.close()
    _broken(copy, made[1], "packs", "behind the app")


def test_a_report_says_whether_the_database_still_holds_its_history(
    copy: Path, made: tuple[Path, Path]
) -> None:
    conn = sqlite3.connect(copy)
    try:
        (pdf,) = conn.execute("SELECT pdf FROM signed_documents ORDER BY signed_at LIMIT 1").fetchone()
    finally:
        conn.close()
    report = copy.with_name("report.pdf")
    report.write_bytes(pdf)
    held = _run("verify", str(report), "--db", str(copy), data_dir=made[1])
    assert held.returncode == 0, held.stdout + held.stderr
    assert "still holds the history the report was signed on" in held.stdout
    # The checkpoint file lost too, and the trail cut back: only the report shows it.
    copy.with_name(copy.name + checkpoints.SUFFIX).unlink()
    # Cut back to just after the CA's own entry (without which no report verifies at all).
    _sql(
        copy,
        "DELETE FROM audit_entries WHERE seq > (SELECT max(seq) FROM audit_entries WHERE entity = "
        "'certificates' AND entity_id IN (SELECT id FROM certificates WHERE kind = 'ca'))",
    )
    cut = _run("verify", str(report), "--db", str(copy), data_dir=made[1])
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "no longer holds the history the report was signed on" in cut.stdout + cut.stderr
    # Cut before it: the trail vouches for no CA, so nothing it signed verifies.
    _sql(copy, "DELETE FROM audit_entries WHERE seq > 5")
    cut = _run("verify", str(report), "--db", str(copy), data_dir=made[1])
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "NOT VALID" in cut.stdout and "vouches for none of the centre's CA certificates" in cut.stdout
