"""The per-message SQL statements, run straight on a DBAPI connection (SQLite).

Every message runs a few short statements: the newest event id of its
conversation, the insert of its new events, a rate-limit counter. Through
SQLAlchemy's engine, each transaction costs a pool checkout and return, a
reset, and an execution context per statement: about 200 µs for an upsert
that SQLite itself runs in 50 (bench/profile.md). ``DirectSQL`` compiles
each statement once for the engine's dialect and runs it on one DBAPI
connection kept per thread and process, taken from the engine's own pool (so
it has the engine's pragmas and busy timeout). Transactions behave as
SQLAlchemy's pysqlite ones do: the driver begins one before the first write,
``commit`` ends it, an error rolls it back. Errors are raised as SQLAlchemy's
own exception classes, so callers catch what they caught before.

Only SQLite takes this path (``DirectSQL.for_engine``): a PostgreSQL server
keeps SQLAlchemy's pool, with its pre-ping for connections the server closed.
"""
import os
import threading
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

import sqlalchemy as sa

MAX_COMPILED = 64
_INHERITED: List[Any] = []  # connections a forked child must leave alone
# statement, SQL, parameter order, values bound in the statement, converters
Compiled = Tuple[Any, str, Tuple[str, ...], Dict[str, Any], Tuple[Any, ...]]


class DirectResult:
    """The rows a statement returned, and how many it changed."""

    def __init__(self, rows: List[Tuple[Any, ...]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def one(self) -> Tuple[Any, ...]:
        """The only row (SQLAlchemy's ``Result.one``)."""
        if len(self.rows) != 1:
            raise sa.exc.NoResultFound("no row") if not self.rows else \
                sa.exc.MultipleResultsFound("more than one row")
        return self.rows[0]

    def first(self) -> Tuple[Any, ...] | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self.rows[0][0] if self.rows else None


class DirectConnection:
    """``execute`` as SQLAlchemy's connection offers it, on a DBAPI cursor."""

    def __init__(self, direct: "DirectSQL", cursor: Any) -> None:
        self._direct = direct
        self._cursor = cursor

    def execute(self, statement: Any,
                params: Dict[str, Any] | Sequence[Dict[str, Any]] | None = None) -> DirectResult:
        """Run ``statement`` with one set of parameters, or each of a list (executemany)."""
        many = isinstance(params, (list, tuple))
        rows: Sequence[Dict[str, Any]] = params if many else [params or {}]  # type: ignore
        sql, order, bound, convert = self._direct.compiled(
            statement, tuple(rows[0]) if rows else ())
        missing = [name for name in order if name not in rows[0] and name not in bound]
        if missing:
            raise sa.exc.ArgumentError(f"no value for {missing} in {statement}")
        values = [tuple(row[name] if name in row else bound[name] for name in order)
                  for row in rows]
        if convert:  # SQLAlchemy's bind processors (a Float column's to_float)
            values = [tuple(value if f is None or value is None else f(value)
                            for f, value in zip(convert, row, strict=True)) for row in values]
        try:
            if many:
                self._cursor.executemany(sql, values)
            else:
                self._cursor.execute(sql, values[0])
            found = self._cursor.fetchall() if self._cursor.description else []
        except self._direct.dbapi_error as error:
            raise sa.exc.DBAPIError.instance(
                sql, values, error, self._direct.dbapi_error) from error
        return DirectResult(found, self._cursor.rowcount)


class DirectSQL:
    """Compiled statements on a DBAPI connection kept per thread, for one SQLite engine."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        self.dbapi_error = engine.dialect.dbapi.Error
        self._local = threading.local()
        self._compiled: Dict[Tuple[int, Tuple[str, ...]], Compiled] = {}

    @classmethod
    def for_engine(cls, engine: sa.engine.Engine) -> "DirectSQL | None":
        """A ``DirectSQL`` for an SQLite file behind a queue pool; None for others.

        Servers (PostgreSQL) keep the pool and its pre-ping; an in-memory
        SQLite engine shares one connection per thread, which a kept
        connection would hold in a transaction; named parameters are not
        passed positionally.
        """
        usable = (engine.dialect.name == "sqlite" and engine.dialect.positional
                  and isinstance(engine.pool, sa.pool.QueuePool))
        return cls(engine) if usable else None

    def compiled(self, statement: Any, names: Tuple[str, ...]) -> Tuple[
            str, Tuple[str, ...], Dict[str, Any], Tuple[Callable[[Any], Any] | None, ...]]:
        """The dialect's SQL for ``statement``: parameters' order, bound values, converters."""
        key = (id(statement), names)
        found = self._compiled.get(key)
        if found is None or found[0] is not statement:
            if len(self._compiled) > MAX_COMPILED:
                self._compiled.clear()  # statements built per call (a sweep's deletes)
            is_insert = isinstance(statement, sa.sql.dml.Insert)
            compiled = statement.compile(dialect=self.engine.dialect,
                                         column_keys=list(names) if is_insert else None)
            if compiled.insert_prefetch or compiled.update_prefetch:
                raise TypeError(f"Python-side column defaults need SQLAlchemy: {statement}")
            order = tuple(compiled.positiontup or ())
            processors = compiled._bind_processors
            convert = tuple(processors.get(name) for name in order) \
                if any(name in processors for name in order) else ()
            bound = {name: value for name, value in compiled.params.items()
                     if name in compiled.binds and not compiled.binds[name].required}
            found = self._compiled[key] = (statement, str(compiled), order, bound, convert)
        return found[1], found[2], found[3], found[4]

    def _raw(self) -> Any:
        held = getattr(self._local, "held", None)
        if held is not None and held[0] != os.getpid():
            # inherited over a fork: the parent's, never closed nor returned to a pool here
            _INHERITED.append(held)
            held = None
        if held is None:
            held = self._local.held = (os.getpid(), self.engine.raw_connection())
        return held[1]

    def _discard(self) -> None:
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None and held[0] == os.getpid():
            try:
                held[1].invalidate()
            except Exception:  # already broken: nothing more to release
                pass

    @contextmanager
    def begin(self) -> Iterator[DirectConnection]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        raw = self._raw()
        cursor = raw.cursor()
        try:
            yield DirectConnection(self, cursor)
            try:
                raw.commit()
            except self.dbapi_error as error:
                raise sa.exc.DBAPIError.instance("COMMIT", (), error,
                                                 self.dbapi_error) from error
        except BaseException:
            try:
                raw.rollback()
            except Exception:
                self._discard()
            raise
        finally:
            cursor.close()

    @contextmanager
    def connect(self) -> Iterator[DirectConnection]:
        """A read outside any transaction (SQLite begins none for a SELECT)."""
        with self.begin() as connection:
            yield connection
