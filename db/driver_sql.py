"""Core statements run straight on the driver's cursor: the live-scoring click's path.

SQLAlchemy's ``Connection.execute`` builds a cache key for the statement, looks the
compiled form up, makes an execution context and a result, and fires its events: on
a workstation idle between clicks, where little of it is still in the processor's
caches, that is 0.5–1 ms a statement, most of a click's time. A ``DriverStatement`` is
compiled once per dialect and set of parameters, its values go through the columns' own
bind processors (so a time is stored exactly as the ORM stores it), and it runs on the
DBAPI cursor of the same connection, inside the same transaction (on SQLite: a server's
round trip dwarfs the machinery, so there it takes SQLAlchemy's usual path). A driver error comes
out as SQLAlchemy's own (``DBAPIError.instance``), so a full disk is still a
``StorageError`` to ``Database.write``.

Rows come back as the driver gives them (no result processing): read only columns
that need none (text, numbers, whether a time is there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order the driver takes them
    processors: tuple[Processor, ...]
    positional: bool


class DriverStatement:
    """One Core statement, compiled once per dialect and parameter set."""

    def __init__(self, statement: ClauseElement) -> None:
        assert isinstance(statement, Executable)
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _compile(self, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get((dialect.name, keys))
        if found is not None:
            return found
        compiled = self.statement.compile(dialect=dialect, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)  # a statement, not DDL
        positional = bool(dialect.positional)
        names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
        missing = sorted(set(names) - set(keys))
        if missing:  # a column's Python default is SQLAlchemy's to apply: give every value here
            raise ValueError(f"no value for {', '.join(missing)}: a driver statement applies no defaults")
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        found = _Compiled(compiled.string, names, processors, positional)
        self._compiled[(dialect.name, keys)] = found
        return found

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Any]:
        """Runs on ``conn``'s driver connection, in its transaction; the rows, as tuples."""
        dialect = conn.dialect
        if dialect.name != "sqlite":  # a server's round trip dwarfs the machinery: the usual path
            result = conn.execute(self.statement, dict(params))
            return result.all() if result.returns_rows else ()
        c = self._compile(dialect, tuple(params))
        values = [
            params[name] if process is None else process(params[name])
            for name, process in zip(c.names, c.processors, strict=True)
        ]
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(c.sql, values if c.positional else dict(zip(c.names, values, strict=True)))
            return cursor.fetchall() if cursor.description is not None else ()
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(c.sql, values, exc, dialect.loaded_dbapi.Error) from exc
        finally:
            cursor.close()
