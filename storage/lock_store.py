"""Lock stores: one message of a conversation at a time, across every worker.

Rasa handles a conversation's messages one at a time through a lock store.
Its default keeps locks in one process's memory, so Rasa refuses to start more
than one Sanic worker with it. Two stores here let several workers share them:

- ``FileLockStore`` (endpoints.yml, the embedded default): an exclusive
  ``flock`` on a lock file per conversation, in a directory the workers of one
  server share (``LOCK_DIR``; scripts/run.sh gives each server port its own).
  A worker that dies releases its locks with its file descriptors.
- ``AtomicRedisLockStore``: Rasa's Redis lock store, for several servers on
  several machines (README, "Scaling out"). Rasa Open Source's
  ``RedisLockStore`` reads a conversation's lock, changes it and writes it
  back in separate steps, so two servers that receive messages for the same
  conversation at the same moment can both be given the same ticket and
  process them concurrently (RasaHQ/rasa issue 9213). This store makes each
  read-change-write a Redis transaction (WATCH / MULTI / EXEC, retried on
  conflict); the lock format is unchanged.

endpoints.yml for Redis::

    lock_store:
      type: storage.lock_store.AtomicRedisLockStore
      url: <redis host>
      port: 6379
      db: 1
"""
import asyncio
import fcntl
import hashlib
import json
import logging
import os
import stat
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncGenerator, Callable, Dict, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")
Change = Callable[[TicketLock | None], Tuple[TicketLock | None, T]]


LOCK_DIR_VARIABLE = "LOCK_DIR"
LOCK_FILES = 1024
POLL_SECONDS = 0.002


PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_lock_dir() -> Path:
    """``LOCK_DIR``, else ``var/locks`` in the project (not a guessable /tmp name)."""
    configured = os.environ.get(LOCK_DIR_VARIABLE, "").strip()
    if configured:
        return Path(configured)
    return PROJECT_ROOT / "var" / "locks"


def private_directory(directory: Path) -> Path:
    """Make ``directory`` (mode 700) if missing; refuse one that others own or may write.

    Another user who owns the folder, or may write in it, could hold or swap the
    lock files and so stall or interleave every conversation.
    """
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    found = os.lstat(directory)
    if stat.S_ISLNK(found.st_mode) or not stat.S_ISDIR(found.st_mode):
        raise RuntimeError(f"lock folder {directory} is not a plain folder")
    if found.st_uid != os.getuid():
        raise RuntimeError(f"lock folder {directory} belongs to another user "
                           f"(uid {found.st_uid}); set LOCK_DIR to a folder of your own")
    if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RuntimeError(f"lock folder {directory} may be written by others "
                           f"(mode {stat.S_IMODE(found.st_mode):o}); chmod 700 it")
    return directory


class FileLockStore(LockStore):
    """Conversation locks as ``flock`` on files: shared by the workers of one machine.

    A conversation id maps to one of ``files`` lock files (two conversations
    may share a file and then wait for each other, never run together). Inside
    a process an asyncio lock per file keeps waiting messages in arrival order;
    across processes the file lock decides. Rasa's tickets are not used.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 directory: str | os.PathLike | None = None, files: int = LOCK_FILES) -> None:
        options = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        self.directory = private_directory(
            Path(directory or options.get("directory") or default_lock_dir()))
        self.files = int(options.get("files", files))
        self._in_process: Dict[int, asyncio.Lock] = {}
        super().__init__()

    def path_for(self, conversation_id: str) -> Path:
        """The lock file of a conversation."""
        digest = hashlib.sha1(conversation_id.encode()).digest()
        return self.directory / f"{int.from_bytes(digest[:4], 'big') % self.files}.lock"

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock; ``LockError`` after ``lock_lifetime`` s of waiting."""
        path = self.path_for(conversation_id)
        number = int(path.stem)
        in_process = self._in_process.get(number)
        if in_process is None:
            in_process = self._in_process[number] = asyncio.Lock()
        try:
            await asyncio.wait_for(in_process.acquire(), lock_lifetime)
        except asyncio.TimeoutError as error:
            raise LockError(f"Could not acquire lock for conversation_id "
                            f"'{conversation_id}'.") from error
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                deadline = asyncio.get_running_loop().time() + lock_lifetime
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if asyncio.get_running_loop().time() > deadline:
                            raise LockError(f"Could not acquire lock for conversation_id "
                                            f"'{conversation_id}'.") from None
                        await asyncio.sleep(POLL_SECONDS)
                try:
                    yield TicketLock(conversation_id)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        finally:
            in_process.release()

    # Rasa's ticket bookkeeping: unused, the file lock is the whole state.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """No stored tickets."""
        return None

    def delete_lock(self, conversation_id: str) -> None:
        """Nothing stored to delete."""

    def save_lock(self, lock: TicketLock) -> None:
        """Nothing to store."""


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
