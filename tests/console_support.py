"""The staff console's test fixtures: real conversations, fresh databases, a served app."""
import json
import re
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from channels.signatures import hub_signature
from console import create_app
from console.privacy import pseudonym
from tests.fakes import FakeProvider
from tests.helpers import CHANNEL_SECRETS
from tests.support.servers import ROOT, VENV_BIN, Bot
from tests.support.services import postgres_server

PASSWORD = "correct horse battery"
CONSOLE_KEY = "test-console-key"
PHONE, EMAIL = "+84 90 123 4567", "lan.nguyen@example.com"
GIBBERISH = "qwzx plorb vvv"
REACTION = "👎"  # a step that reacts to the bot's last answer (Messenger)
# What each recorded conversation says, by name; the numeric ids are Messenger's.
CONVERSATIONS = {
    "sleep": ["does foot massage help with sleep?", REACTION],
    "confused": [GIBBERISH],
    "booking": ["I want to book"],
    "handoff": ["how can I contact you?"],
    "contact": [f"please call me on {PHONE} or mail {EMAIL}"],
    "script": ["<script>alert('x')</script> is reflexology good?"],
    "messenger": ["what is reflexology?"],
}
MESSENGER = {"sleep", "messenger"}
FIXTURE = ROOT / "tests" / "fixtures" / "conversations.jsonl"
# The senders of the conversations in FIXTURE (see stored_id for their stored ids).
SENDERS = {name: f"console-{name}" for name in CONVERSATIONS}
SENDERS.update(sleep="4000000001", messenger="4000000002")


def messenger_event(psid: str, event: Dict) -> bytes:
    """A Messenger webhook body with one event from ``psid``, dated now."""
    now = int(time.time() * 1000)
    return json.dumps({"object": "page", "entry": [{"id": "p", "time": now, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": "p"}, "timestamp": now, **event}]}]}).encode()


def answer_mid(provider: FakeProvider, psid: str, since: int) -> str:
    """The Messenger id the (fake) Graph API gave the first answer sent to ``psid``."""
    for request in provider.wait_for("/me/messages", since, match=psid, timeout=30):
        body = request.json()
        if (body.get("recipient") or {}).get("id") == psid and "message" in body:
            return str(request.reply["message_id"])
    raise TimeoutError(f"no answer to {psid} reached the Graph API")


def have_conversations(bot: Bot, provider: FakeProvider, senders: Dict[str, str]) -> None:
    """Have CONVERSATIONS with the running bot; ``senders`` gives each one's channel id."""
    secret = CHANNEL_SECRETS["MESSENGER_APP_SECRET"]
    for name, steps in CONVERSATIONS.items():
        mark = provider.mark()
        for step in steps:
            if name not in MESSENGER:
                bot.say(step, senders[name])
                continue
            if step == REACTION:  # on the answer to the previous step
                event: Dict = {"reaction": {"mid": answer_mid(provider, senders[name], mark),
                                            "action": "react", "emoji": step}}
            else:
                mark = provider.mark()
                event = {"message": {"mid": f"m_{uuid.uuid4().hex}", "text": step}}
            body = messenger_event(senders[name], event)
            response = requests.post(f"{bot.url}/webhooks/messenger/webhook", data=body,
                                     timeout=30, headers={
                                         "X-Hub-Signature-256": hub_signature(secret, body)})
            response.raise_for_status()


def stored_id(sender: str) -> str:
    """The tracker store's id of a REST sender (REST ids are namespaced)."""
    return sender if sender.isdigit() else f"rest:{sender}"


def shown(sender: str) -> str:
    """How the console shows (and links) a conversation: its pseudonym."""
    return pseudonym(stored_id(sender), CONSOLE_KEY)


def shifted(data_json: str, shift: float) -> str:
    """An event's ``data`` moved ``shift`` seconds (its own time and the answer it rates)."""
    data = json.loads(data_json)
    if isinstance(data.get("timestamp"), (int, float)):
        data["timestamp"] += shift
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("answer_time"), (int, float)):
        metadata["answer_time"] += shift
    return json.dumps(data, ensure_ascii=False)


def fixture_rows(fixture: Path = FIXTURE, now: float | None = None) -> List[Dict]:
    """The recorded events, moved in time so the last one happened just now.

    The conversations keep their order and spacing; "older than N days" and
    "today" mean the same whenever the tests run.
    """
    rows = [json.loads(line) for line in fixture.read_text().splitlines() if line.strip()]
    shift = (time.time() if now is None else now) - max(r["timestamp"] for r in rows)
    for row in rows:
        row["timestamp"] += shift
        row["data"] = shifted(row["data"], shift)
    return rows


def seed_events(target_url: str, rows: List[Dict] | None = None) -> None:
    """Create the console's tables in ``target_url`` and store ``rows`` (FIXTURE's)."""
    from console import db

    engine = sa.create_engine(target_url)
    db.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(db.events.insert(), fixture_rows() if rows is None else rows)
    engine.dispose()


def add_copies(database: str, name: str, count: int) -> List[str]:
    """``count`` more conversations copied from FIXTURE's ``name``, a minute apart.

    Their stored ids, newest first (the list's order).
    """
    from console import db

    original = [r for r in fixture_rows() if r["sender_id"] == stored_id(SENDERS[name])]
    rows, senders = [], []
    for i in range(count):
        sender, shift = f"rest:copy-{i:02d}", 60.0 * (i + 1)
        senders.append(sender)
        for row in original:
            rows.append({**row, "sender_id": sender, "timestamp": row["timestamp"] + shift,
                         "data": shifted(row["data"], shift)})
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(db.events.insert(), rows)
    engine.dispose()
    return senders[::-1]


@pytest.fixture(scope="session")
def pg_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with postgres_server(tmp_path_factory.mktemp("console-pg"), "seed") as url:
        yield url


def fresh_postgres_database(admin: str, prefix: str) -> str:
    """A new, empty database on the PostgreSQL server of ``admin``; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + f"/{name}"


def staff_app(database: str, secret: str) -> Tuple[Flask, FlaskClient]:
    """The console app in process, with staff "lan" logged in on its test client."""
    from console.auth import create_staff

    app = create_app({"TESTING": True, "DATABASE_URL": database, "SECRET_KEY": secret,
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        create_staff("lan", PASSWORD)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the log-in page carries a CSRF token"
    client.post("/login", data={"username": "lan", "password": PASSWORD,
                                "csrf_token": token.group(1)})
    return app, client


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database holding the recorded conversations (FIXTURE), for this test alone."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'console.db'}"
        seed_events(url)
        return url
    url = fresh_postgres_database(request.getfixturevalue("pg_admin"), "console")
    seed_events(url)
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


