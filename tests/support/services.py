"""Throw-away PostgreSQL and Redis servers on loopback, for tests and benchmarks.

Both come from Debian's packages (``postgresql``, ``redis-server``); the
Makefile installs them when missing. Each server gets a free port and a data
directory in a temporary folder, and is stopped by the context manager.
"""
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from tests.support.servers import free_port


def _as_postgres(args: list) -> list:
    """Run as the ``postgres`` user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def postgres_bin(name: str) -> str:
    """Path of a PostgreSQL server program (Debian keeps them per version)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"{name} not found: apt-get install postgresql")
    return found[-1]


@contextlib.contextmanager
def postgres_server(workdir: Path, database: str = "panda") -> Iterator[str]:
    """A PostgreSQL server; yields the URL of a fresh database on it.

    Its data directory is a new temporary folder the ``postgres`` user owns
    (``workdir`` may sit where that user cannot go); the log goes to ``workdir``.
    """
    home = Path(tempfile.mkdtemp(prefix="panda-pg-"))
    data = home / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(_as_postgres([postgres_bin("initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8"]),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    log = open(workdir / "postgres.log", "w")
    server = subprocess.Popen(
        _as_postgres([postgres_bin("postgres"), "-D", str(data), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-k", str(home),
                      "-c", "fsync=off", "-c", "max_connections=100"]),
        stdout=log, stderr=subprocess.STDOUT)
    admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        _wait_for_sql(admin_url, server)
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {database}"))
        engine.dispose()
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        server.terminate()
        server.wait(30)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def _wait_for_sql(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.returncode}")
        try:
            engine = sa.create_engine(url)
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            engine.dispose()
            return
        except sa.exc.OperationalError:
            time.sleep(0.3)
    raise TimeoutError("postgres did not start")


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[int]:
    """A Redis server that keeps nothing on disk; yields its port."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=open(workdir / "redis.log", "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                  text=True)
            if ping.stdout.strip() == "PONG":
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("redis did not start")
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(30)
