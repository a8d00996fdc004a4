"""The command line: verify, ca export and reports; tampering caught by two verifiers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from naas_centre.cli import SUBCOMMANDS, main
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import ReportRef, refs_for_sitting
from naas_centre.services import signatures
from naas_centre.services.sittings import day_overview
from tests.reports.conftest import (
    DISPLAY,
    NAMES,
    PASSWORDS,
    UNTIMED,
    USERNAMES,
    Centre,
    nss_trusting,
    observers_of,
)

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real program in a subprocess, as an employer or a cron job would run it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "naas_centre.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )


def _password_file(tmp_path: Path, username: str) -> Path:
    path = tmp_path / f"{username}.pw"
    path.write_text(PASSWORDS[username] + "\n", encoding="utf-8")
    return path


def _reports(centre: Centre, out: Path, *extra: str) -> int:
    return main(
        ["reports", "--db", str(centre.path), "--data-dir", str(centre.data_dir), "--out", str(out), *extra]
    )


def test_subcommands_are_listed() -> None:
    assert {"verify", "ca", "reports"} <= set(SUBCOMMANDS)


def _verdicts(stdout: str) -> dict[str, str]:
    """``verify``'s output, file by file: path → what it says of that file."""
    out: dict[str, str] = {}
    path = None
    for line in stdout.splitlines():
        found = re.match(r"(.+\.pdf): (?:NOT )?VALID$", line)
        if found:
            path = found.group(1)
            out[path] = ""
        elif path is not None:
            out[path] += line + "\n"
    return out


def test_reports_for_a_sitting_sign_then_verify(
    centre: Centre, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = centre.sitting_of[NAMES[1]]
    manager = centre.login("manager")
    refs = refs_for_sitting(centre.db, manager, sid)
    out = tmp_path / "out"
    assert _reports(centre, out, "--sitting", sid) == 0
    drafts = sorted(p.name for p in out.iterdir())
    # three stations, the written exercise, the knowledge test and the outcome
    assert len(drafts) == len(refs) == 6 and all(name.endswith("_unsigned.pdf") for name in drafts)
    assert "6 report(s) written" in capsys.readouterr().out

    # In a circuit an assessor signs the reports of the stations they observed, and the outcome.
    everyone = centre.assessors_of(NAMES[1])
    signer = everyone[0]
    signers = {
        ref: tuple(everyone)
        if ref.kind == ReportKind.OUTCOME
        else (everyone[0],)  # the knowledge test's: who handed the kiosk over
        if ref.kind == ReportKind.KNOWLEDGE
        else observers_of(centre.db, sid, ref.station_id or "")
        for ref in refs
    }
    mine = [ref for ref in refs if signer in signers[ref]]
    assert ReportRef(ReportKind.OUTCOME, sid) in mine and len(mine) < len(refs)
    signed_out = tmp_path / "signed"
    pw = _password_file(tmp_path, signer)
    assert (
        _reports(centre, signed_out, "--sitting", sid, "--signer", signer, "--passphrase-file", str(pw)) == 0
    )
    assert f"{len(mine)} signed now" in capsys.readouterr().out
    files = sorted(signed_out.glob("*_v1.pdf"))
    assert len(files) == len(mine)
    assert len(sorted(signed_out.glob("*_unsigned.pdf"))) == len(refs) - len(mine)
    assert len(list(signed_out.iterdir())) == len(refs)
    assert not list(signed_out.glob(".*.part"))
    signed_by_file: dict[str, ReportRef] = {}
    for ref in refs:
        found = signatures.latest(centre.db, manager, ref)
        if ref not in mine:
            assert found is None, ref.key  # not theirs to sign: left as a draft
            continue
        assert found is not None, ref.key
        view, pdf = found
        assert view.signers == (DISPLAY[signer],)
        path = next(p for p in files if p.read_bytes() == pdf)
        signed_by_file[str(path)] = ref
    assert len(signed_by_file) == len(files)
    # again: nothing left to sign
    assert (
        _reports(centre, signed_out, "--sitting", sid, "--signer", signer, "--passphrase-file", str(pw)) == 0
    )
    assert "0 signed now" in capsys.readouterr().out

    ca_file = tmp_path / "centre-ca.pem"
    run = cli(
        "ca", "export", "--db", str(centre.path), "--data-dir", str(centre.data_dir), "--out", str(ca_file)
    )
    assert run.returncode == 0, run.stderr
    assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert "sha256 fingerprint" in run.stdout

    # Signed by one assessor so far: sound, but not complete, so not valid yet; each awaits
    # its own other signers and the centre manager.
    run = cli("verify", "--ca", str(ca_file), *map(str, files))
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.count(": NOT VALID") == len(files)
    verdicts = _verdicts(run.stdout)
    assert verdicts.keys() == signed_by_file.keys()
    for shown, said in verdicts.items():
        others = [DISPLAY[u] for u in signers[signed_by_file[shown]] if u != signer]
        assert f"NOT COMPLETE: missing {', '.join([*others, 'centre manager'])}\n" in said, (shown, said)
    assert "problem:" not in run.stdout and "CHANGED" not in run.stdout
    assert DISPLAY[signer] in run.stdout and "certificate authority (trusted)" in run.stdout
    # trust from the centre database instead of a file; its records know the file
    run = cli("verify", "--db", str(centre.path), "--data-dir", str(centre.data_dir), str(files[0]))
    assert run.returncode == 1 and "centre records: issued by the centre" in run.stdout, run.stdout


def _signed_file(centre: Centre, tmp_path: Path) -> tuple[Path, Path]:
    """An observation report signed by its station's own assessors and countersigned: complete."""
    sid = centre.sitting_of[NAMES[2]]
    ref = refs_for_sitting(centre.db, centre.login("manager"), sid)[0]
    assert ref.kind == ReportKind.OBSERVATION and ref.station_id is not None
    for user in (*observers_of(centre.db, sid, ref.station_id), "manager"):
        actor = centre.login(user)
        identity = signatures.unlock_signer(centre.db, actor, PASSWORDS[user], centre.data_dir)
        view = signatures.sign_report(centre.db, actor, identity, ref)
    path = tmp_path / "report.pdf"
    path.write_bytes(signatures.document_pdf(centre.db, actor, view.id))
    ca_file = tmp_path / "ca.pem"
    signatures.export_ca(centre.db, centre.data_dir, ca_file)
    return path, ca_file


def _flip(data: bytes, offset: int) -> bytes:
    out = bytearray(data)
    out[offset] ^= 0x01
    return bytes(out)


def _content_stream_offset(data: bytes) -> int:
    """An offset inside the first page's compressed content, which must still inflate."""
    start = data.index(b"stream\n", data.index(b"/Filter")) + len(b"stream\n")
    return start + 40


@pytest.mark.parametrize("where", ["title", "content"])
def test_one_changed_byte_is_caught_by_pdfsig_and_verify(centre: Centre, tmp_path: Path, where: str) -> None:
    path, ca_file = _signed_file(centre, tmp_path)
    nss = nss_trusting(tmp_path / "nss", ca_file)
    good = nss.pdfsig(path)
    assert "Signature Validation: Signature is Valid." in good and "Certificate is Trusted." in good
    assert cli("verify", "--ca", str(ca_file), str(path)).returncode == 0

    data = path.read_bytes()
    offset = data.index(b"/Title (") + 12 if where == "title" else _content_stream_offset(data)
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(_flip(data, offset))
    assert len(bad.read_bytes()) == len(data)
    out = nss.pdfsig(bad)
    assert "Digest Mismatch." in out and "Signature is Valid." not in out, out
    run = cli("verify", "--ca", str(ca_file), str(bad))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "NOT VALID" in run.stdout and "digest mismatch" in run.stdout
    assert "Traceback" not in run.stderr


def test_untrusted_and_unsigned_documents_fail(centre: Centre, tmp_path: Path) -> None:
    path, _ca = _signed_file(centre, tmp_path)
    from naas_centre.signing import ca

    stranger = tmp_path / "stranger.pem"
    stranger.write_text(ca.pem(ca.new_ca("Some other centre").certificate))
    run = cli("verify", "--ca", str(stranger), str(path))
    assert run.returncode == 1 and "does not chain to a trusted centre CA" in run.stdout
    assert "Traceback" not in run.stderr

    unsigned = tmp_path / "draft.pdf"
    out = tmp_path / "drafts"
    assert _reports(centre, out, "--sitting", centre.sitting_of[NAMES[3]]) == 0
    unsigned.write_bytes(next(out.iterdir()).read_bytes())
    run = cli("verify", "--ca", str(stranger), str(unsigned), str(path))
    assert run.returncode == 1 and "the document is not signed" in run.stdout


def test_bad_input_exits_2_with_a_message(centre: Centre, tmp_path: Path) -> None:
    path, ca_file = _signed_file(centre, tmp_path)
    notes = tmp_path / "notes.pdf"
    notes.write_text("these are my notes\n")
    for args, message in (
        (["verify", "--ca", str(ca_file), str(tmp_path / "missing.pdf")], "no such file"),
        (["verify", "--ca", str(ca_file), str(notes)], "not a PDF"),
        (["verify", "--ca", str(tmp_path / "nope.pem"), str(path)], "no such file"),
        (["verify", "--ca", str(notes), str(path)], "not a certificate"),
        (
            ["verify", "--crl", str(notes), "--ca", str(ca_file), str(path)],
            "not a certificate revocation list",
        ),
        (["verify", "--db", str(tmp_path / "none.db"), str(path)], "no such database"),
        (["verify", "--db", str(notes), str(path)], "cannot open the database"),
        (
            [
                "ca",
                "revoke",
                "assessor1",
                "--reason",
                "x",
                "--admin",
                "admin",
                "--password-file",
                str(tmp_path / "no.pw"),
                "--db",
                str(centre.path),
            ],
            "no such file",
        ),
        (
            ["reports", "--db", str(centre.path), "--out", str(tmp_path / "o"), "--signer", "assessor1"],
            "--passphrase-file",
        ),
        (
            ["reports", "--db", str(centre.path), "--out", str(tmp_path / "o"), "--day", "23/11/2026"],
            "not a date",
        ),
        (["reports", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "o")], "no such database"),
        (
            [
                "ca",
                "export",
                "--db",
                str(centre.path),
                "--data-dir",
                str(centre.data_dir),
                "--out",
                str(tmp_path / "no" / "ca.pem"),
            ],
            "no such folder",
        ),
    ):
        run = cli(*args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert message in run.stderr, (args, run.stderr)
        assert "Traceback" not in run.stderr
    # a bad file among good ones: the good one is still checked, and the exit is 2
    run = cli("verify", "--ca", str(ca_file), str(path), str(notes))
    assert run.returncode == 2 and ": VALID" in run.stdout


def test_a_wrong_password_signs_nothing(centre: Centre, tmp_path: Path) -> None:
    pw = tmp_path / "wrong.pw"
    pw.write_text("not the password\n")
    run = cli(
        "reports",
        "--db",
        str(centre.path),
        "--data-dir",
        str(centre.data_dir),
        "--out",
        str(tmp_path / "o"),
        "--sitting",
        centre.sitting_of[NAMES[0]],
        "--signer",
        "assessor1",
        "--passphrase-file",
        str(pw),
    )
    assert run.returncode == 2 and "wrong password" in run.stderr.lower()


def test_a_day_signed_by_assessors_then_countersigned_in_parallel(centre: Centre, tmp_path: Path) -> None:
    out = tmp_path / "day"
    manager = centre.login("manager")
    overview = day_overview(centre.db, manager, centre.day)
    assessors = sorted({USERNAMES[name] for s in overview.sittings for name in s.assessors})
    for user in assessors:
        pw = _password_file(tmp_path, user)
        code = _reports(
            centre,
            out,
            "--day",
            str(centre.day),
            "--signer",
            user,
            "--passphrase-file",
            str(pw),
            "--workers",
            "2",
        )
        assert code == 0
    pw = _password_file(tmp_path, "manager")
    assert (
        _reports(
            centre,
            out,
            "--day",
            str(centre.day),
            "--signer",
            "manager",
            "--passphrase-file",
            str(pw),
            "--workers",
            "2",
        )
        == 0
    )
    files = sorted(out.glob("*_v1.pdf"))
    ca_file = tmp_path / "ca.pem"
    signatures.export_ca(centre.db, centre.data_dir, ca_file)
    run = cli("verify", "--ca", str(ca_file), *map(str, files))
    assert run.returncode == 0, run.stdout[-2000:]
    assert len(re.findall(r"signature \d: Ngozi Okafor \(", run.stdout)) == len(files)
    assert run.stdout.count("complete: every required signature is present") == len(files)
    # Every report of the day's sittings and the day summary, but for the sitting whose
    # role-plays were never started: its observation reports and its outcome are not ready.
    refs = {s.candidate_name: refs_for_sitting(centre.db, manager, s.id) for s in overview.sittings}
    not_ready = [r for r in refs[UNTIMED] if r.kind not in (ReportKind.WRITTEN, ReportKind.KNOWLEDGE)]
    assert len(not_ready) == 4
    assert len(files) == sum(map(len, refs.values())) + 1 - len(not_ready)
