"""storage/lock_store.py's FileLockStore: one message of a conversation at a time.

Real processes and real files: several worker processes, as Sanic forks them,
update a shared count inside the lock with a read, a pause and a write; any
overlap would lose an update.
"""
import asyncio
import multiprocessing
import os
from pathlib import Path
from typing import List

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from storage.lock_store import FileLockStore

ROUNDS = 25


def count_under_lock(directory: str, counter: str, conversation: str) -> None:
    """A worker: ROUNDS read-pause-write increments of the counter file."""
    store = FileLockStore(directory=directory)

    async def main() -> None:
        for _ in range(ROUNDS):
            async with store.lock(conversation):
                value = int(Path(counter).read_text())
                await asyncio.sleep(0.005)  # wide enough that overlaps always happen
                written = Path(f"{counter}.{os.getpid()}")
                written.write_text(str(value + 1))
                os.replace(written, counter)  # whole, so a reader never sees half

    asyncio.run(main())


def run_workers(tmp_path: Path, conversations: List[str]) -> int:
    counter = tmp_path / "count"
    counter.write_text("0")
    fork = multiprocessing.get_context("fork")
    workers = [fork.Process(target=count_under_lock,
                            args=(str(tmp_path / "locks"), str(counter), conversation))
               for conversation in conversations]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    return int(counter.read_text())


def test_workers_never_hold_one_conversation_together(tmp_path: Path) -> None:
    assert run_workers(tmp_path, ["rest:visitor"] * 3) == 3 * ROUNDS


def test_without_a_shared_conversation_updates_are_lost(tmp_path: Path) -> None:
    # The same workload on three different conversations (three lock files, as
    # the ids are chosen to be): the count comes out short, so the test above
    # really depends on the lock.
    store = FileLockStore(directory=tmp_path / "locks")
    ids = []
    for n in range(1000):
        candidate = f"rest:{n}"
        if all(store.path_for(candidate) != store.path_for(i) for i in ids):
            ids.append(candidate)
        if len(ids) == 3:
            break
    assert run_workers(tmp_path, ids) < 3 * ROUNDS


async def test_messages_in_one_process_keep_their_order(tmp_path: Path) -> None:
    store = FileLockStore(directory=tmp_path)
    order: List[int] = []

    async def message(n: int) -> None:
        async with store.lock("rest:visitor"):
            await asyncio.sleep(0.002)
            order.append(n)

    tasks = []
    for n in range(8):
        tasks.append(asyncio.create_task(message(n)))
        await asyncio.sleep(0)  # arrive one after another
    await asyncio.gather(*tasks)
    assert order == list(range(8))


def hold(directory: str, conversation: str, held: "multiprocessing.synchronize.Event",
         release: "multiprocessing.synchronize.Event") -> None:
    store = FileLockStore(directory=directory)

    async def main() -> None:
        async with store.lock(conversation):
            held.set()
            while not release.is_set():
                await asyncio.sleep(0.01)

    asyncio.run(main())


async def test_a_lock_held_elsewhere_past_the_lifetime_is_a_lock_error(tmp_path: Path) -> None:
    fork = multiprocessing.get_context("fork")
    held, release = fork.Event(), fork.Event()
    holder = fork.Process(target=hold, args=(str(tmp_path), "rest:visitor", held, release))
    holder.start()
    try:
        assert held.wait(30)
        store = FileLockStore(directory=tmp_path)
        with pytest.raises(LockError):
            async with store.lock("rest:visitor", lock_lifetime=0.2):
                pass
        async with store.lock("rest:someone-else", lock_lifetime=0.2) as lock:
            assert lock.conversation_id == "rest:someone-else"
    finally:
        release.set()
        holder.join(30)


async def test_a_dead_worker_releases_its_locks(tmp_path: Path) -> None:
    fork = multiprocessing.get_context("fork")
    held, release = fork.Event(), fork.Event()
    holder = fork.Process(target=hold, args=(str(tmp_path), "rest:visitor", held, release))
    holder.start()
    assert held.wait(30)
    holder.kill()
    holder.join(30)
    store = FileLockStore(directory=tmp_path)
    async with store.lock("rest:visitor", lock_lifetime=5) as lock:
        assert lock.conversation_id == "rest:visitor"


def test_endpoints_yml_options_choose_the_folder(tmp_path: Path) -> None:
    config = EndpointConfig(type="storage.lock_store.FileLockStore",
                            directory=str(tmp_path / "shared"), files=16)
    store = FileLockStore(endpoint_config=config)
    assert store.directory == tmp_path / "shared" and store.directory.is_dir()
    assert {store.path_for(f"rest:{n}").name for n in range(500)} == {
        f"{n}.lock" for n in range(16)}


def test_the_default_folder_is_in_the_project_not_a_guessable_tmp_name(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.lock_store import PROJECT_ROOT, default_lock_dir

    monkeypatch.delenv("LOCK_DIR", raising=False)
    assert default_lock_dir() == PROJECT_ROOT / "var" / "locks"


def test_a_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(RuntimeError, match="written by others"):
        FileLockStore(directory=shared)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user")
def test_a_folder_another_user_owns_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    with pytest.raises(RuntimeError, match="another user"):
        FileLockStore(directory=theirs)


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(RuntimeError, match="not a plain folder"):
        FileLockStore(directory=tmp_path / "link")
