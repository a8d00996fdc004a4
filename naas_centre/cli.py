"""The command line: ``naas-centre SUBCOMMAND ...``. Without a subcommand the GUI starts
(see ``ui.main``), so this module never imports Qt.

Bad arguments, files or databases give a plain message and exit status 2. The commands
that only read (``audit verify``, ``scenarios list`` and ``validate`` with ``--db``) open
the database read-only (``db.migrate.open_read_only``): they never create, upgrade or
change it, and refuse a file that is not a database of this version in one line.

Everything the app writes is for its owner only: ``main`` sets the umask to 077 first.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from naas_centre import (
    __version__,
    cli_backup,
    cli_bundle,
    cli_candidates,
    cli_cipher,
    cli_export,
    cli_plan,
    cli_qa,
    cli_reports,
    cli_retention,
    cli_runsheets,
    cli_video,
    paths,
)
from naas_centre.errors import UserError

# The centre's own commands, each module adding its subcommands to the parser.
EXTENSIONS = (
    cli_reports,
    cli_candidates,
    cli_plan,
    cli_runsheets,
    cli_export,
    cli_bundle,
    cli_qa,
    cli_video,
    cli_backup,
    cli_retention,
)
SUBCOMMANDS = (
    "demo",
    "scenarios",
    "audit",
    "db",
    *(n for m in EXTENSIONS for n in m.SUBCOMMANDS),
)  # held to the parser
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("naas_centre")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="URL-or-PATH",
        help="the centre database: a SQLite file path or a URL such as "
        "postgresql+psycopg://user@host/dbname (default: the centre in the data folder)",
    )
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="the data folder (default: the platform's)")
    cli_cipher.add_passphrase(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="naas-centre", description="Observed practice assessment centre.")
    parser.add_argument("--version", action="version", version=f"naas-centre {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="create the demo centre in a database of its own")
    _add_db(demo)
    demo.add_argument(
        "--scored",
        action="store_true",
        help="also play the day through: timings, evidence notes, written scripts and submitted scores",
    )
    demo.add_argument(
        "--history",
        choices=("none", "default", "large"),
        default="default",
        help="the past before the demo's day, for quality assurance: default, 26 weekly days; "
        "large, a year of two days a week with its last two days signed; none",
    )
    demo.add_argument(
        "--encrypt", action="store_true", help="encrypt the demo's database under a passphrase (asked for)"
    )
    demo.set_defaults(run=_demo)

    scen = sub.add_parser("scenarios", help="scenario packs")
    scen_sub = scen.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    val = scen_sub.add_parser(
        "validate",
        help="check pack files; one line per problem (with --db, also against the packs the centre holds)",
    )
    val.add_argument("paths", nargs="+", metavar="PATH", help="pack files or folders of them")
    _add_db(val)
    val.set_defaults(run=_validate)
    lst = scen_sub.add_parser(
        "list", help="the built-in packs and those in the data folder (with --db, those the centre holds too)"
    )
    _add_db(lst)
    lst.set_defaults(run=_list_packs)

    aud = sub.add_parser("audit", help="the audit trail")
    aud_sub = aud.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    ver = aud_sub.add_parser("verify", help="check the hash chain and that data matches it")
    _add_db(ver)
    ver.set_defaults(run=_audit_verify)

    dbp = sub.add_parser("db", help="the database")
    db_sub = dbp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    up = db_sub.add_parser("upgrade", help="create or upgrade the database (a backup is made first)")
    _add_db(up)
    up.set_defaults(run=_db_upgrade)
    cli_cipher.add_parsers(db_sub, _add_db)

    for extension in EXTENSIONS:  # verify, ca, reports; candidates, plan, runsheets, export, bundle, qa, …
        extension.add_parsers(sub, _Parser, _add_db)
    return parser


def _target(args: argparse.Namespace, *, demo: bool = False) -> str | Path:
    if args.db:
        return str(args.db)
    if demo:  # the demo is made here: its folder too
        return paths.demo_db_path(paths.data_dir(args.data_dir))
    return paths.default_db_in(args.data_dir)


def _demo(args: argparse.Namespace) -> int:
    from naas_centre.demo.centre import HistorySize, create_demo

    target = _target(args, demo=True)
    made_here = _sqlite_files(target)
    made_here = [f for f in made_here if not f.exists()]  # only what this run creates
    scored = signed = None
    try:
        result = create_demo(target, data_dir=args.data_dir, history=HistorySize(args.history))
        try:
            if args.scored:
                from naas_centre.demo.play import fill_scored_day

                scored = fill_scored_day(result.db, result.day)
                from naas_centre.demo.signing import sign_day

                signed = sign_day(result.db, result.day, paths.data_dir(args.data_dir))
        finally:
            result.db.dispose()
    except BaseException:
        # Half a demo (the disk filled, say) is no demo: nothing this run made is kept.
        for file in made_here:
            with contextlib.suppress(OSError):
                file.unlink()
        raise
    print(f"Demo centre created in {target}, with a day of six candidates on {result.day:%A %d %B %Y}.")
    if result.history is not None and result.history.days:
        past = result.history
        print(
            f"Its past: {past.sittings} sittings on {len(past.days)} days from {past.days[0]:%d %B %Y} "
            f"({past.met} met, {past.resits} re-sits), for quality assurance."
        )
    if scored is not None:
        print("The day has been played through and scored:")
        for c in scored.candidates:
            verdict = {True: "met", False: "not met", None: "assessors differ"}[c.met]
            sheets = "; ".join(f"{s.assessor}: {'met' if s.met else 'not met'}" for s in c.sheets)
            print(f"  {c.candidate} ({c.level}): {verdict} ({sheets})")
    if signed is not None:
        print(
            f"{signed.moderated} differences between assessors were moderated, and "
            f"{signed.signatures} signatures applied to the day's reports "
            "(naas-centre reports --db ... --out DIR writes them)."
        )
    print("Accounts (shown once; the README lists them too):")
    for acc in result.accounts:
        print(f"  {acc.role.label:<24} {acc.username:<10} {acc.password}   ({acc.display_name})")
    return EXIT_OK


def _sqlite_files(target: str | Path) -> list[Path]:
    """The database file and SQLite's companions, for a target that is a file path."""
    if "://" in str(target):
        return []
    path = Path(target).expanduser()
    return [path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))]


def _validate(args: argparse.Namespace) -> int:
    from naas_centre.packs.validate import validate_paths

    stored = _stored_packs(args.db) if args.db else None  # a bad --db is refused before any line
    lines, ok = validate_paths(args.paths)
    if stored is not None:
        changed = _changed_from_stored(args.paths, stored)
        lines += changed
        ok = ok and not changed
    for line in lines:
        print(line)
    return EXIT_OK if ok else EXIT_USAGE


def _stored_packs(target: str) -> list[tuple[str, str, str, str, str]]:
    """(name, version, level, title, content hash) of every pack the centre holds, read only."""
    from sqlalchemy import select

    from db.migrate import open_read_only
    from db.models import PackRow

    db = open_read_only(target)
    try:
        with db.read() as s:
            rows = s.execute(
                select(
                    PackRow.name, PackRow.version, PackRow.level, PackRow.title, PackRow.content_hash
                ).order_by(PackRow.name, PackRow.version)
            )
            return [(n, v, lv, t, h) for n, v, lv, t, h in rows]
    finally:
        db.dispose()


def _changed_from_stored(given: Sequence[str], stored: list[tuple[str, str, str, str, str]]) -> list[str]:
    """A problem line for each pack file that reuses a stored name and version with other
    content: sittings are frozen on the stored one, so a corrected pack is a new version."""
    from naas_centre.packs.loader import load_pack_file, pack_files

    held: dict[tuple[str, str], set[str]] = {}
    for name, version, _level, _title, digest in stored:
        held.setdefault((name, version), set()).add(digest)
    lines = []
    for arg in given:
        path = Path(arg)
        try:
            files = pack_files(path) if path.is_dir() else [path] if path.is_file() else []
            loaded = [load_pack_file(f) for f in files]
        except OSError:
            continue  # already reported by the validation itself
        for one in loaded:
            if one.pack is None or one.content_hash is None:
                continue
            digests = held.get((one.pack.name, one.pack.version))
            if digests and one.content_hash not in digests:
                lines.append(
                    f"{one.file}: {one.pack.name} {one.pack.version} differs from the pack of that name and "
                    "version the centre database holds; a corrected pack needs a new version"
                )
    return lines


def _list_packs(args: argparse.Namespace) -> int:
    from naas_centre.packs.loader import discover_packs

    stored = _stored_packs(args.db) if args.db else None  # a bad --db is refused before any line
    # A centre's own packs, once it has a data folder; a first look makes no folder.
    if paths.data_dir_made(args.data_dir):
        extra = [paths.packs_dir(paths.data_dir(args.data_dir))]
    else:
        paths.could_be_made(paths.data_dir_location(args.data_dir), "the data folder")  # a bad one is said
        extra = []
    for loaded in discover_packs(extra):
        if loaded.pack is not None:
            p = loaded.pack
            print(
                f"{p.name} {p.version}  {p.level.value:<12} {p.title}  [{(loaded.content_hash or '')[:12]}]"
            )
        else:
            print(f"{loaded.file}: {len(loaded.problems)} problem(s); not usable")
            for problem in loaded.problems:
                print(f"  {problem}")
    if stored is not None:
        print(f"Held in the centre database {args.db}:" if stored else f"{args.db} holds no packs yet.")
        for name, version, level, title, digest in stored:
            print(f"  {name} {version}  {level:<12} {title}  [{digest[:12]}]")
    return EXIT_OK


def _audit_verify(args: argparse.Namespace) -> int:
    from db.migrate import open_read_only
    from naas_centre.services import audit

    db = open_read_only(_target(args))
    try:
        result = audit.verify(db)
    finally:
        db.dispose()
    if result.ok:
        print(f"audit trail intact: {result.entries} entries, data matches the trail")
        print(audit.checkpoint_line(result))
        return EXIT_OK
    print(f"audit trail BROKEN: {result.problem}", file=sys.stderr)
    return EXIT_FAIL


def _db_upgrade(args: argparse.Namespace) -> int:
    from naas_centre.services.centre import open_database

    db = open_database(_target(args), args.data_dir)
    db.dispose()
    print(f"{_target(args)}: up to date")
    return EXIT_OK


def subcommands(parser: argparse.ArgumentParser | None = None) -> list[tuple[str, str]]:
    """Each subcommand and its one-line help, as the parser declares them."""
    parser = parser or build_parser()
    found: list[tuple[str, str]] = []
    for action in parser._actions:  # argparse keeps its subparsers here and nowhere public
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            found += [(name, helps.get(name, "")) for name in action.choices]
    return found


def epilog() -> str:
    """The list that ends ``naas-centre --help``, made from the parser itself."""
    lines = ["subcommands (naas-centre SUBCOMMAND --help for each):"]
    found = subcommands()
    width = max(len(name) for name, _ in found) + 2
    lines += [f"  {name:<{width}}{text}" for name, text in found]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    paths.owner_only_umask()
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        for given in (args.data_dir, getattr(args, "db", None)):
            if given is not None and "://" not in str(given):
                paths.check_name(given)
        cli_cipher.unlock(args)
        status = run(args)
        sys.stdout.flush()  # a closed pipe shows here, while it can still be answered
        return status
    except UserError as exc:
        return _plain(str(exc))
    except BrokenPipeError:
        return _after_broken_pipe()
    except OSError as exc:  # the disk or the system refused: say which file and why
        where = f"{exc.filename}: " if exc.filename else ""
        return _plain(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        failure = _database_failure(exc)
        if failure is not None:  # a URL, a path or a disk the database cannot use
            return _plain(failure)
        _log_bug(exc, args)
        raise


def _log_bug(exc: BaseException, args: argparse.Namespace) -> None:
    """A bug goes to the log file too, with its trace, as the app's do."""
    from naas_centre import logs

    try:
        where = logs.install(args.data_dir)
    except (UserError, OSError):
        return
    logging.getLogger("naas_centre.cli").error("unexpected error", exc_info=exc)
    print(f"naas-centre: this is a bug, not something you did; the details are in {where}", file=sys.stderr)


def _database_failure(exc: BaseException) -> str | None:
    """What a database error means in words, or None if it is not one (a bug, then)."""
    # db.engine (and SQLAlchemy) is imported only by the commands that open a database,
    # so --help stays quick; an error of its kind means it was imported already.
    engine = sys.modules.get("db.engine")
    if engine is None:
        return None
    if not isinstance(exc, engine.DatabaseError) and type(exc).__module__.startswith("sqlalchemy"):
        exc = engine.storage_error(exc) or exc
    if isinstance(exc, engine.DatabaseError):
        # The command line does not try again, as the app does.
        return str(exc).replace(", and it will be tried again", "")
    return None


def _plain(message: str) -> int:
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"naas-centre: {first}", file=sys.stderr)
    return EXIT_USAGE


def _after_broken_pipe() -> int:
    """The reader went away (``... | head``): one plain line, and the usual failure status.

    What was written before still reached the reader; the line says the rest did not, so a
    script that piped the output learns it is incomplete. Python would complain again as it
    flushes stdout on the way out, so stdout is pointed at the null device first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return _plain("the output was closed before all of it was written (its reader stopped reading)")


if __name__ == "__main__":
    sys.exit(main())
