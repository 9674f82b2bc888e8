"""Settings for every entry point: the environment first, then the ``.env`` file.

The bot (``scripts/run.sh``), the action server, the chat page's server and the
staff console (``make review``, ``make staff``, ``purge``) all read their
settings through :func:`load_env_file`, so they agree on the database and the
secrets. ``.env`` is read as ``KEY=VALUE`` lines, never executed: a value may
hold `` ` ``, ``$`` or quotes without harm. ``ENV_FILE`` names another file,
and an empty ``ENV_FILE`` reads none (the test suite uses that, so a
developer's ``.env`` never reaches the tests).
"""
import argparse
import os
import re
import shlex
from pathlib import Path
from typing import Dict, MutableMapping

ROOT = Path(__file__).resolve().parent.parent
URL_VARIABLE = "TRACKER_DB_URL"
FILE_VARIABLE = "ENV_FILE"
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_env_file(text: str) -> Dict[str, str]:
    """``KEY=VALUE`` pairs of an env file; comments, blank and malformed lines are skipped.

    One pair of matching surrounding quotes is removed from a value, nothing else
    is interpreted.
    """
    pairs: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        if not KEY.match(key):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs[key] = value
    return pairs


def env_file(environ: MutableMapping[str, str] | None = None) -> Path | None:
    """The settings file to read: ``ENV_FILE`` if set (empty: none), else ``.env``."""
    environ = os.environ if environ is None else environ
    name = environ.get(FILE_VARIABLE)
    if name is None:
        return ROOT / ".env"
    return Path(name) if name else None


def load_env_file(environ: MutableMapping[str, str] | None = None) -> Dict[str, str]:
    """Fill ``environ`` (``os.environ``) with the file's settings it lacks; returns those."""
    environ = os.environ if environ is None else environ
    path = env_file(environ)
    if path is None or not path.is_file():
        return {}
    added = {k: v for k, v in parse_env_file(path.read_text()).items() if k not in environ}
    environ.update(added)
    return added


def database_url(db: str, host: str | None = None) -> str:
    """PostgreSQL (or any URL) from ``TRACKER_DB_URL`` if set, else the configured one."""
    return os.environ.get(URL_VARIABLE) or host or f"sqlite:///{db}"


def configured_url() -> str:
    """The conversation database: ``TRACKER_DB_URL``, or endpoints.yml's SQLite file.

    The bot, the console and the booking store read it the same way; a relative
    SQLite path is relative to the project folder.
    """
    import yaml

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text()) or {}
    db = (endpoints.get("tracker_store") or {}).get("db", "conversations.db")
    url = database_url(str(db))
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{ROOT / url[len('sqlite:///'):]}"
    return url


def main() -> None:
    """``--export``: the file's missing settings as shell ``export`` lines, safely quoted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--export", action="store_true", required=True)
    parser.parse_args()
    for key, value in load_env_file().items():
        print(f"export {key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
