"""storage/direct.py: the per-message statements on a kept DBAPI connection, on real SQLite."""
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from storage.direct import DirectSQL
from storage.shared_state import COUNT_HIT, counters, metadata
from storage.tracker_store import engine_for

ROWS = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.String(20), nullable=False), sa.Column("at", sa.Float))


@pytest.fixture()
def engine(tmp_path: Path) -> Any:
    engine = engine_for(f"sqlite:///{tmp_path / 'direct.db'}", busy_timeout=0.2)
    ROWS.metadata.create_all(engine)
    metadata.create_all(engine)
    return engine


def test_only_sqlite_takes_the_direct_path(engine: Any) -> None:
    assert DirectSQL.for_engine(engine) is not None
    postgres = sa.create_engine("postgresql://nobody@127.0.0.1:1/none")  # never connects
    assert DirectSQL.for_engine(postgres) is None


def test_statements_give_what_sqlalchemy_gives(engine: Any) -> None:
    direct = DirectSQL.for_engine(engine)
    assert direct is not None
    newest = sa.select(sa.func.max(ROWS.c.id)).where(ROWS.c.name == sa.bindparam("name"))
    with direct.begin() as connection:
        connection.execute(ROWS.insert(), [{"name": "a", "at": 1}, {"name": "b", "at": 2.5},
                                           {"name": "a", "at": None}])
        assert connection.execute(newest, {"name": "a"}).scalar() == 3
    with engine.connect() as connection:
        assert connection.execute(sa.select(ROWS.c.name, ROWS.c.at).order_by(ROWS.c.id)
                                  ).all() == [("a", 1.0), ("b", 2.5), ("a", None)]
        assert connection.execute(newest, {"name": "b"}).scalar() == 2
    with direct.connect() as connection:
        assert connection.execute(newest, {"name": "nobody"}).scalar() is None
        # a value bound in the statement itself, converted as SQLAlchemy converts it
        deleted = connection.execute(ROWS.delete().where(ROWS.c.at < 2))
        assert deleted.rowcount == 1
    for expected in [(10.0, 1), (10.0, 2), (100.0, 1)]:
        now = 10.0 if expected[0] == 10.0 else 100.0
        with direct.begin() as connection:
            assert connection.execute(COUNT_HIT, {"key": "k", "now": now,
                                                  "window": 60}).one() == expected
    with engine.connect() as connection:
        assert connection.execute(sa.select(counters.c.hits)).scalar() == 1


def test_a_missing_parameter_is_an_error_not_a_null(engine: Any) -> None:
    direct = DirectSQL.for_engine(engine)
    assert direct is not None
    with pytest.raises(sa.exc.IntegrityError):  # as through SQLAlchemy: no such column given
        with direct.begin() as connection:
            connection.execute(ROWS.insert(), [{"at": 1.0}, {"at": 2.0}])
    newest = sa.select(sa.func.max(ROWS.c.id)).where(ROWS.c.name == sa.bindparam("name"))
    with pytest.raises(sa.exc.ArgumentError, match="name"):
        with direct.connect() as connection:
            connection.execute(newest, {})


def test_only_a_file_behind_a_queue_pool_takes_it(tmp_path: Path) -> None:
    memory = sa.create_engine("sqlite://")  # one connection per thread, shared
    assert DirectSQL.for_engine(memory) is None
    assert DirectSQL.for_engine(engine_for(f"sqlite:///{tmp_path / 'f.db'}")) is not None


def test_a_failed_transaction_leaves_nothing_and_raises_sqlalchemys_error(engine: Any) -> None:
    direct = DirectSQL.for_engine(engine)
    assert direct is not None
    with pytest.raises(sa.exc.IntegrityError):
        with direct.begin() as connection:
            connection.execute(ROWS.insert(), [{"id": 7, "name": "kept?"}])
            connection.execute(ROWS.insert(), [{"id": 7, "name": "twice"}])
    with pytest.raises(ValueError):
        with direct.begin() as connection:
            connection.execute(ROWS.insert(), [{"id": 8, "name": "kept?"}])
            raise ValueError("the caller failed")
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(ROWS)).scalar() == 0
    with direct.begin() as connection:  # the connection is usable again
        connection.execute(ROWS.insert(), [{"id": 7, "name": "now"}])
    with engine.connect() as connection:
        assert connection.execute(sa.select(ROWS.c.name)).scalar() == "now"


def test_a_locked_database_raises_sqlalchemys_operational_error(engine: Any,
                                                               tmp_path: Path) -> None:
    direct = DirectSQL.for_engine(engine)
    assert direct is not None
    other = sqlite3.connect(tmp_path / "direct.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            with direct.begin() as connection:
                connection.execute(ROWS.insert(), [{"name": "waits"}])
    finally:
        other.execute("ROLLBACK")
        other.close()
    with direct.begin() as connection:
        connection.execute(ROWS.insert(), [{"name": "after"}])
    with engine.connect() as connection:
        assert connection.execute(sa.select(ROWS.c.name)).all() == [("after",)]


def test_a_forked_process_opens_its_own_connection(engine: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    direct = DirectSQL.for_engine(engine)
    assert direct is not None
    first = direct._raw()
    assert direct._raw() is first  # kept between transactions
    monkeypatch.setattr("storage.direct.os.getpid", lambda: -1)
    assert direct._raw() is not first
    import storage.direct

    assert any(held[1] is first for held in storage.direct._INHERITED)  # left alone
