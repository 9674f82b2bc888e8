"""Rasa's Redis lock store, with every ticket change made atomic.

Several Rasa servers share one Redis so that a conversation's messages are
handled one at a time, in order. Rasa Open Source's ``RedisLockStore`` reads
a conversation's lock, changes it and writes it back in separate steps, so two
servers that receive messages for the same conversation at the same moment
can both be given the same ticket and process them concurrently (RasaHQ/rasa
issue 9213). This store makes each read-change-write a Redis transaction
(WATCH / MULTI / EXEC, retried on conflict); the lock format is unchanged.

endpoints.yml::

    lock_store:
      type: storage.lock_store.AtomicRedisLockStore
      url: <redis host>
      port: 6379
      db: 1
"""
import json
import logging
from typing import Any, Callable, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")
Change = Callable[[TicketLock | None], Tuple[TicketLock | None, T]]


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket issuing, expiry and clean-up are transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _atomically(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], Tuple[TicketLock | None, T]],
    ) -> T:
        """Apply ``change`` to the stored lock in one transaction; its result."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    logger.debug("lock for %s changed meanwhile, retrying", conversation_id)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the next ticket, creating the lock if needed."""

        def change(lock: TicketLock | None) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._atomically(conversation_id, change)

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets."""

        def change(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket; delete the lock when nobody else waits."""

        def change(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomically(conversation_id, change)
