"""storage/lock_store.py: each ticket change is one Redis transaction (fakeredis, in process).

The same store against a real Redis server, with two Rasa servers, is in
tests/test_scale_out.py.
"""
import json
import threading
from typing import List, Tuple

import fakeredis
import pytest
from rasa.core.lock import TicketLock

from storage.lock_store import AtomicRedisLockStore


@pytest.fixture
def server() -> fakeredis.FakeServer:
    return fakeredis.FakeServer()


def store_on(server: fakeredis.FakeServer) -> AtomicRedisLockStore:
    store = AtomicRedisLockStore(host="127.0.0.1", port=1, db=1)
    store.red = fakeredis.FakeStrictRedis(server=server)
    return store


def stored(store: AtomicRedisLockStore, conversation: str) -> TicketLock | None:
    raw = store.red.get(store.key_prefix + conversation)
    return TicketLock.from_dict(json.loads(raw)) if raw else None


def test_tickets_are_issued_in_order_and_stored_in_rasas_format(
        server: fakeredis.FakeServer) -> None:
    store = store_on(server)
    assert [store.issue_ticket("c") for _ in range(3)] == [0, 1, 2]
    lock = stored(store, "c")
    assert lock is not None and [t.number for t in lock.tickets] == [0, 1, 2]
    assert store.get_lock("c").last_issued == 2  # Rasa's own reader understands it


def test_cleanup_removes_a_served_ticket_and_the_lock_with_the_last(
        server: fakeredis.FakeServer) -> None:
    store = store_on(server)
    first, second = store.issue_ticket("c"), store.issue_ticket("c")
    store.cleanup("c", first)
    lock = stored(store, "c")
    assert lock is not None and [t.number for t in lock.tickets] == [second]
    store.cleanup("c", second)
    assert store.red.exists(store.key_prefix + "c") == 0


def test_cleanup_of_a_missing_lock_does_nothing(server: fakeredis.FakeServer) -> None:
    store = store_on(server)
    store.cleanup("nobody", 0)
    assert store.red.keys("*") == []


def test_update_lock_drops_expired_tickets(server: fakeredis.FakeServer) -> None:
    store = store_on(server)
    store.issue_ticket("c", lock_lifetime=-1)  # expired as soon as issued
    live = store.issue_ticket("c", lock_lifetime=60)
    store.update_lock("c")
    lock = stored(store, "c")
    assert lock is not None and [t.number for t in lock.tickets] == [live]


def test_a_change_made_meanwhile_is_not_overwritten(server: fakeredis.FakeServer) -> None:
    store, other = store_on(server), store_on(server)
    calls: List[int] = []

    def change(lock: TicketLock | None) -> Tuple[TicketLock, int]:
        calls.append(1)
        if len(calls) == 1:  # another server issues a ticket between our read and write
            other.issue_ticket("c")
        lock = lock or store.create_lock("c")
        return lock, lock.issue_ticket(60)

    assert store._atomically("c", change) == 1
    assert len(calls) == 2
    lock = stored(store, "c")
    assert lock is not None and [t.number for t in lock.tickets] == [0, 1]


def test_concurrent_servers_never_share_a_ticket(server: fakeredis.FakeServer) -> None:
    stores = [store_on(server) for _ in range(4)]
    issued: List[int] = []
    guard = threading.Lock()

    def issue(store: AtomicRedisLockStore) -> None:
        for _ in range(25):
            number = store.issue_ticket("c")
            with guard:
                issued.append(number)

    threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(issued) == list(range(100))
