"""The staff console's test fixtures: real conversations, fresh databases, a served app."""
import json
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from channels.base import hub_signature
from console import create_app
from console.privacy import pseudonym
from scripts.servers import ROOT, VENV_BIN, Bot
from scripts.services import postgres_server
from tests.helpers import CHANNEL_SECRETS

PASSWORD = "correct horse battery"
CONSOLE_KEY = "test-console-key"
PHONE, EMAIL = "+84 90 123 4567", "lan.nguyen@example.com"
# unique to this run: the shared test bot hears other gibberish too
GIBBERISH = f"qwzx plorb vvv {uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def had_conversations(bot: Bot) -> Dict[str, str]:
    """Conversations the bot really had, once per run; their sender ids by name."""
    tag = uuid.uuid4().hex[:6]
    senders = {name: f"console-{name}-{tag}" for name in
               ("sleep", "confused", "booking", "contact", "script")}
    bot.say("does foot massage help with sleep?", senders["sleep"])
    bot.say('/feedback{"rating": "down", "answer": "utter_ask_sleep"}', senders["sleep"])
    bot.say(GIBBERISH, senders["confused"])
    bot.say("I want to book", senders["booking"])
    bot.say("what's your phone number", senders["booking"])
    bot.say(f"please call me on {PHONE} or mail {EMAIL}", senders["contact"])
    bot.say("<script>alert('x')</script> is reflexology good?", senders["script"])
    psid = f"4{uuid.uuid4().int % 10**9:09d}"
    now = int(time.time() * 1000)
    body = json.dumps({"object": "page", "entry": [{"id": "p", "time": now, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": "p"}, "timestamp": now,
        "message": {"mid": f"m_{uuid.uuid4().hex}", "text": "what is reflexology?"}}]}]}).encode()
    requests.post(f"{bot.url}/webhooks/messenger/webhook", data=body, timeout=30, headers={
        "X-Hub-Signature-256": hub_signature(CHANNEL_SECRETS["MESSENGER_APP_SECRET"], body)})
    senders["messenger"] = psid
    return senders


def stored_id(sender: str) -> str:
    """The tracker store's id of a REST sender (REST ids are namespaced)."""
    return sender if sender.isdigit() else f"rest:{sender}"


def shown(sender: str) -> str:
    """How the console shows (and links) a conversation: its pseudonym."""
    return pseudonym(stored_id(sender), CONSOLE_KEY)


def copy_events(source: Path, target_url: str) -> None:
    """Copy the bot's stored events into another database."""
    from console import db

    src = sa.create_engine(f"sqlite:///{source}")
    dst = sa.create_engine(target_url)
    db.metadata.create_all(dst)
    with src.connect() as read, dst.begin() as write:
        rows = [dict(r._mapping) for r in read.execute(sa.select(db.events))]
        write.execute(db.events.insert(), rows)
    src.dispose()
    dst.dispose()


@pytest.fixture(scope="session")
def pg_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with postgres_server(tmp_path_factory.mktemp("console-pg"), "seed") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, bot: Bot, had_conversations: Dict[str, str],
             tmp_path: Path) -> str:
    """A fresh database holding the bot's conversations, for this test alone."""
    assert bot.db is not None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'console.db'}"
        copy_events(bot.db, url)
        return url
    admin = request.getfixturevalue("pg_admin")
    name = f"console_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    copy_events(bot.db, url)
    return url


def flask_cli(database: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "flask"), "--app", "console", *args], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(VENV_BIN), "TRACKER_DB_URL": database,
                               "PYTHONWARNINGS": "ignore", "HOME": str(ROOT)})


@pytest.fixture
def console(database: str) -> Iterator[str]:
    """The console on a free loopback port, with a staff account made by the CLI."""
    made = flask_cli(database, "create-staff", "lan", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    # plain HTTP on loopback, so the session cookie may not be Secure here
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": CONSOLE_KEY,
                      "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    if "engine" in app.extensions:
        app.extensions["engine"].dispose()


