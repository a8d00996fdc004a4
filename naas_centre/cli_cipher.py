"""The command line's side of encryption at rest: the passphrase, and ``db encrypt``,
``db rekey``, ``db decrypt``, ``db remember`` and ``db forget``.

The passphrase is read from the first line of a file named with ``--db-passphrase-file``
(for scripts; a file the script's owner alone can read), else taken from the keyring when
it was remembered there (``naas_centre.remembered_passphrase``) and still opens the file,
else typed when asked (not echoed). It is held in memory for the run only (``db.cipher``).

The files sealed under the database's passphrase follow it: the journal of pending writes
beside the database is sealed by ``db encrypt``; it and the centre's sealed CA passphrase
file (``signing/ca-passphrase.<database>.sealed``) are sealed again under the new
passphrase by ``db rekey`` and written back in clear by ``db decrypt``; so are the media
files of the recordings the database lists (``protection.sealed_media``), each streamed
through a temporary file beside it that then replaces it. (A clear CA
passphrase file is sealed at its first use by the encrypted centre, once it has proved to
open that centre's CA: a plain demo in the same folder may own it.) Each is proved to open
under the old passphrase before the database is changed, so one that does not stops the
command with nothing changed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from naas_centre import paths
from naas_centre.errors import UserError


def add_passphrase(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db-passphrase-file",
        type=Path,
        metavar="FILE",
        help="read the database's passphrase from the first line of FILE "
        "(otherwise it is asked for when the database is encrypted)",
    )


def add_parsers(db_sub: argparse._SubParsersAction, add_db: object) -> None:  # type: ignore[type-arg]
    from collections.abc import Callable

    assert callable(add_db)
    adding: Callable[[argparse.ArgumentParser], None] = add_db
    enc = db_sub.add_parser(
        "encrypt", help="encrypt the centre's database in place under a passphrase (the centre closed)"
    )
    adding(enc)
    enc.set_defaults(run=_encrypt)
    rek = db_sub.add_parser(
        "rekey", help="change the passphrase of an encrypted database (the centre closed)"
    )
    adding(rek)
    rek.add_argument(
        "--new-passphrase-file", type=Path, metavar="FILE", help="read the new passphrase from FILE"
    )
    rek.set_defaults(run=_rekey)
    dec = db_sub.add_parser(
        "decrypt", help="write an encrypted database back in clear (the centre closed; rarely wise)"
    )
    adding(dec)
    dec.set_defaults(run=_decrypt)
    rem = db_sub.add_parser(
        "remember", help="keep an encrypted database's passphrase in this computer's keyring"
    )
    adding(rem)
    rem.set_defaults(run=_remember)
    fgt = db_sub.add_parser("forget", help="remove the passphrase kept in this computer's keyring")
    adding(fgt)
    fgt.set_defaults(run=_forget)


def _read(file: Path, what: str) -> str:
    try:
        with open(file, encoding="utf-8") as fh:
            first = fh.readline().rstrip("\r\n")
    except OSError as exc:
        raise UserError(f"{file}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{file}: {what} is not text (UTF-8)") from None
    if not first:
        raise UserError(f"{file}: the first line, {what}, is empty")
    return first


def _ask(prompt: str, where: Path, *, twice: bool = False) -> str:
    if not sys.stdin.isatty():
        raise UserError(
            f"{where} is encrypted: give its passphrase with --db-passphrase-file FILE, "
            "or type it at a terminal"
        )
    try:
        first = getpass.getpass(prompt)
        if twice and getpass.getpass("The same again: ") != first:
            raise UserError("the two passphrases differ; nothing was changed")
    except EOFError:
        raise UserError(f"{where}: no passphrase given; nothing was changed") from None
    if not first:
        raise UserError("the passphrase is empty; a centre's passphrase cannot be empty")
    return first


def sqlite_target(args: argparse.Namespace, *, demo: bool = False) -> Path | None:
    given = getattr(args, "db", None)
    if given is not None:
        return None if "://" in str(given) else Path(str(given)).expanduser()
    if demo:
        return paths.demo_db_path(paths.data_dir(getattr(args, "data_dir", None)))
    return paths.default_db_in(getattr(args, "data_dir", None))


def unlock(args: argparse.Namespace) -> None:
    """Before a command runs: an encrypted database named (or the default one) is unlocked
    with the passphrase given; ``demo --encrypt`` takes the new centre's passphrase."""
    from db import cipher

    if not hasattr(args, "db_passphrase_file"):
        return
    path = sqlite_target(args, demo=getattr(args, "command", "") == "demo")
    if path is None:
        return
    if getattr(args, "action", "") in ("encrypt", "forget"):
        return  # encrypt takes the new passphrase itself; forget needs none
    creating = bool(getattr(args, "encrypt", False))
    if not creating and not cipher.looks_encrypted(path):
        if args.db_passphrase_file is not None:
            # A file named for another encrypted one: a backup to restore, say.
            cipher.unlock_centre(_read(args.db_passphrase_file, "the passphrase"))
        return
    if args.db_passphrase_file is not None:
        passphrase = _read(args.db_passphrase_file, "the passphrase")
    else:
        kept = None if creating else _recalled(path)
        passphrase = kept or _ask(f"Passphrase for {path}: ", path, twice=creating)
    cipher.unlock(path, passphrase)
    cipher.unlock_centre(passphrase)


def _recalled(path: Path) -> str | None:
    """The keyring's passphrase for ``path`` when it still opens it (a stale one, after a key
    change elsewhere, is passed over and the passphrase asked for)."""
    from naas_centre import remembered_passphrase

    kept = remembered_passphrase.recall(path)
    return kept if kept is not None and _opens(path, kept) else None


def _opens(path: Path, passphrase: str) -> bool:
    """Whether ``passphrase`` opens ``path``, read-only: the file is not touched."""
    from db import cipher

    refusals: tuple[type[BaseException], ...] = (*cipher.driver_errors(), cipher.Encrypted)
    try:
        cipher.connect(f"file:{path}?mode=ro", path=path, passphrase=passphrase, uri=True).close()
    except refusals:
        return False
    return True


def _file(args: argparse.Namespace) -> Path:
    path = sqlite_target(args)
    if path is None:
        raise UserError("only a SQLite database file is encrypted by naas-centre; a server has its own")
    if not path.is_file():
        raise UserError(f"{path}: no such database")
    return path


class _Sealed:
    """The files beside a database that are sealed under its passphrase, proved to open
    before a change of passphrase (so one that does not stops it first), written after."""

    def __init__(self, args: argparse.Namespace, path: Path, old: str | None, new: str | None) -> None:
        from naas_centre.protection.sealed import SealKey
        from naas_centre.signing import ca
        from naas_centre.writes.journal import SUFFIX, Journal

        self.journal = Journal(path.with_name(path.name + SUFFIX))
        self.folder = paths.data_dir(getattr(args, "data_dir", None))
        self.old, self.new = old, new
        self.old_key = SealKey(old, path.name) if old is not None else None
        self.new_key = SealKey(new, path.name) if new is not None else None
        self.journal.lines(old)
        ca.reseal_check(self.folder, self.old_key, self.new_key)
        from naas_centre.protection import sealed_media

        self.media = recording_files(path, self.folder, old)
        for file in self.media:
            sealed_media.check(file, old)

    def follow(self) -> None:
        from naas_centre.protection import sealed_media
        from naas_centre.signing import ca

        self.journal.reseal(self.old, self.new)
        ca.reseal_passphrase(self.folder, self.old_key, self.new_key)
        for file in self.media:  # one at a time, streamed: each whole or as it was
            sealed_media.reseal(file, self.old, self.new)


def recording_files(path: Path, data_dir: Path, passphrase: str | None) -> list[Path]:
    """The media files of the recordings this database lists that are in the data folder
    (a folder elsewhere, or gone, is passed over: it holds nothing to seal)."""
    from db import cipher
    from naas_centre.video.index import read_index

    refused = cipher.driver_errors()
    conn = cipher.connect(path, path=path, passphrase=passphrase)
    try:
        folders = [row[0] for row in conn.execute("SELECT folder FROM recordings")]
    except refused:
        folders = []  # a database made before recordings were
    finally:
        conn.close()
    root = (data_dir / "recordings").resolve()
    found: list[Path] = []
    for folder in folders:
        base = data_dir / str(folder)
        if root not in base.resolve().parents or not (base / "recording.json").is_file():
            continue
        file = base / read_index(base).file
        if file.is_file():
            found.append(file)
    return found


def _encrypt(args: argparse.Namespace) -> int:
    from db import cipher

    path = _file(args)
    if cipher.looks_encrypted(path):
        raise UserError(f"{path} is encrypted already; nothing was changed")
    passphrase = (
        _read(args.db_passphrase_file, "the passphrase")
        if args.db_passphrase_file is not None
        else _ask(f"New passphrase for {path}: ", path, twice=True)
    )
    files = _Sealed(args, path, None, passphrase)
    cipher.encrypt(path, passphrase)
    files.follow()
    print(f"{path}: encrypted. Keep the passphrase safe: without it the centre's records cannot be read.")
    print("Backups taken before now are not encrypted: take a new one and remove the old ones.")
    return 0


def _rekey(args: argparse.Namespace) -> int:
    from db import cipher

    path = _file(args)
    old = cipher.passphrase_for(path)
    if old is None:
        raise UserError(f"{path} is not encrypted; encrypt it first (naas-centre db encrypt)")
    new = (
        _read(args.new_passphrase_file, "the new passphrase")
        if args.new_passphrase_file is not None
        else _ask(f"New passphrase for {path}: ", path, twice=True)
    )
    files = _Sealed(args, path, old, new)
    cipher.rekey(path, old, new)
    files.follow()
    _keep_remembered(path, old, new)
    print(f"{path}: the passphrase is changed. Backups taken before now still open with the old one.")
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    from db import cipher

    path = _file(args)
    passphrase = cipher.passphrase_for(path)
    if passphrase is None:
        raise UserError(f"{path} is not encrypted; nothing was changed")
    files = _Sealed(args, path, passphrase, None)
    cipher.decrypt(path, passphrase)
    files.follow()
    from naas_centre import remembered_passphrase

    if remembered_passphrase.forget(path):
        print("Its passphrase is no longer kept in this computer's keyring.")
    print(f"{path}: written back in clear. This centre's database is not encrypted.")
    return 0


def _keep_remembered(path: Path, old: str, new: str) -> None:
    """After a key change, a passphrase the keyring kept is the new one there too."""
    from naas_centre import remembered_passphrase

    if remembered_passphrase.recall(path) == old:
        remembered_passphrase.remember(path, new)
        print("The keyring of this computer keeps the new passphrase.")


def _remember(args: argparse.Namespace) -> int:
    from db import cipher
    from naas_centre import remembered_passphrase

    path = _file(args)
    passphrase = cipher.passphrase_for(path) if cipher.looks_encrypted(path) else None
    if passphrase is None:
        raise UserError(f"{path} is not encrypted: there is no passphrase to keep")
    if not _opens(path, passphrase):
        raise cipher.wrong_passphrase(path)
    where = remembered_passphrase.remember(path, passphrase)
    print(
        f"{path}: its passphrase is kept in {where}. Whoever signs in to this computer's "
        "account can now open the centre without typing it; `naas-centre db forget` removes it."
    )
    return 0


def _forget(args: argparse.Namespace) -> int:
    from naas_centre import remembered_passphrase

    path = _file(args)
    if remembered_passphrase.forget(path):
        print(f"{path}: its passphrase is no longer kept in this computer's keyring.")
    else:
        print(f"{path}: this computer's keyring kept no passphrase for it; nothing was changed.")
    return 0
