"""Replay ids and rate-limit counters shared by several servers (real SQLite and Redis).

Two ``SharedState`` objects on one database (or one Redis) stand for two Rasa
servers; what one records, the other sees.
"""
import ipaddress
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest
import sqlalchemy as sa

from channels.guard import Limits, SharedLimiter, client_address
from storage.shared_state import MemoryState, RedisState, SQLState
from tests.support.services import redis_server


@pytest.fixture(params=["sqlite", "redis"])
def two_servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tuple[Any, Any]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'conversations.db'}"
        engines = [sa.create_engine(url), sa.create_engine(url)]
        yield SQLState(engines[0]), SQLState(engines[1])
        for engine in engines:
            engine.dispose()
    else:
        with redis_server(tmp_path) as port:
            url = f"redis://127.0.0.1:{port}/2"
            yield RedisState(url), RedisState(url)


def test_a_message_id_seen_by_one_server_is_a_replay_on_the_other(two_servers: Any) -> None:
    first, second = two_servers
    assert first.claim("replay:messenger:m_1", 60) is True
    assert second.claim("replay:messenger:m_1", 60) is False
    assert second.claim("replay:messenger:m_2", 60) is True


def test_rate_limit_counters_are_counted_together(two_servers: Any) -> None:
    first, second = two_servers
    allowed = [server.hit("sender:rest:a", 3, 60)[0]
               for server in (first, second, first, second)]
    assert allowed == [True, True, True, False]
    assert first.hit("sender:rest:b", 3, 60)[0] is True


def test_the_global_ceiling_stops_many_addresses() -> None:
    limiter = SharedLimiter(Limits(per_sender=100, per_address=100, new_per_address=100,
                                   global_ceiling=3), MemoryState())
    results = [limiter.check(None, f"rest:s{i}", f"203.0.113.{i}")[0] for i in range(4)]
    assert results == [True, True, True, False]
    assert limiter.check(None, "rest:local", None)[0] is True  # loopback callers are exempt


PROXY = [ipaddress.ip_network("10.0.0.5/32")]


@pytest.mark.parametrize("peer,forwarded,expected", [
    ("127.0.0.1", None, None),  # health checks, tools, tests: exempt
    ("127.0.0.1", "203.0.113.9", "127.0.0.1"),  # an untrusted peer's header is ignored
    ("10.0.0.5", "203.0.113.9", "203.0.113.9"),  # the trusted proxy's header counts
    ("10.0.0.5", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged first hop is ignored
    ("192.0.2.4", None, "192.0.2.4"),
])
def test_the_client_address_trusts_only_configured_proxies(peer: str, forwarded: str | None,
                                                           expected: str | None) -> None:
    assert client_address(peer, forwarded, PROXY) == expected


# Issue 27 (High): refused messages from one address must not use up the global ceiling.
def test_one_address_over_its_limit_does_not_use_up_the_global_ceiling(two_servers: Any) -> None:
    first, second = two_servers
    limits = Limits(per_sender=1000, per_address=5, new_per_address=1000, global_ceiling=10)
    flooding, other = SharedLimiter(limits, first), SharedLimiter(limits, second)
    results = [flooding.check(None, "rest:flood", "203.0.113.66")[0] for _ in range(60)]
    assert results.count(True) == 5
    assert other.check(None, "rest:visitor", "198.51.100.7")[0] is True
    # the ceiling still holds for what the addresses let through
    let_in = [other.check(None, f"rest:v{i}", f"192.0.2.{i}")[0] for i in range(10)]
    assert let_in.count(True) == 4


def test_one_sender_over_its_limit_does_not_use_up_the_global_ceiling(two_servers: Any) -> None:
    first, second = two_servers
    limits = Limits(per_sender=3, per_address=1000, new_per_address=1000, global_ceiling=10)
    flooding, other = SharedLimiter(limits, first), SharedLimiter(limits, second)
    assert [flooding.check(None, "rest:flood", "203.0.113.66")[0]
            for _ in range(30)].count(True) == 3
    assert other.check(None, "rest:visitor", "198.51.100.7")[0] is True


# Issue 27 (Medium): a refused new conversation must not be claimed, so sending again fails.
def test_a_refused_new_conversation_stays_refused(two_servers: Any) -> None:
    first, second = two_servers
    limits = Limits(per_sender=100, per_address=100, new_per_address=2, global_ceiling=1000)
    one, two = SharedLimiter(limits, first), SharedLimiter(limits, second)
    address = "203.0.113.9"
    assert one.check(None, "rest:a", address)[0] and two.check(None, "rest:b", address)[0]
    assert [one.check(None, "rest:c", address)[0], two.check(None, "rest:c", address)[0],
            one.check(None, "rest:c", address)[0]] == [False, False, False]
    assert two.check(None, "rest:a", address)[0] is True  # a known conversation goes on


def test_servers_starting_together_on_a_new_database_all_find_both_tables(
        tmp_path: Path) -> None:
    """SQLite commits each CREATE TABLE alone: a server that finds one table made must
    not go on while the other is still missing (a first log-in once got a 500 so)."""
    import threading

    failures = []
    for round_ in range(24):
        url = f"sqlite:///{tmp_path / f'round{round_}.db'}"
        engines = [sa.create_engine(url, connect_args={"timeout": 15}) for _ in range(4)]
        start = threading.Barrier(len(engines))

        def serve(engine: sa.engine.Engine, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                state = SQLState(engine)
                state.hit("login-addr:203.0.113.1", 5, 60)
                state.claim("replay:web:1", 60)
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(repr(error))

        threads = [threading.Thread(target=serve, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert set(sa.inspect(engines[0]).get_table_names()) >= {
            "panda_counters", "panda_seen_ids"}
        for engine in engines:
            engine.dispose()
    assert failures == []
