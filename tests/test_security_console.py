"""Security of the staff console over real HTTP, on SQLite and PostgreSQL.

Pseudonyms instead of sender ids, masked labels, CSV cells that are not
formulas, throttled log-in, revocable sessions, headers, the audit trail's own
retention, and labels that stay one plain training example.
"""
import csv
import io
import json
import re
import statistics
import threading
import time
from typing import Dict, Iterator

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from console import create_app
from console.privacy import pseudonym
from tests.console_support import CONSOLE_KEY, PASSWORD, flask_cli, shown
from tests.test_console import csrf, logged_in

PHONE_SENDER = "whatsapp:+84901234567"


def add_message(database: str, sender: str, text: str, channel: str = "rest") -> None:
    """Store one visitor message the way Rasa does."""
    data = {"event": "user", "timestamp": time.time(), "text": text, "input_channel": channel,
            "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3},
                           "entities": []}}
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        # the copied events keep their ids, so PostgreSQL's sequence is behind: give one
        next_id = conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) + 1 FROM events")).scalar()
        conn.execute(sa.text(
            "INSERT INTO events (id, sender_id, type_name, timestamp, intent_name, data) "
            "VALUES (:i, :s, 'user', :t, 'nlu_fallback', :d)"),
            {"i": next_id, "s": sender, "t": data["timestamp"], "d": json.dumps(data)})
    engine.dispose()


def log_in(console: str, username: str = "lan", password: str = PASSWORD) -> requests.Response:
    session = requests.Session()
    page = session.get(f"{console}/login")
    return session.post(f"{console}/login", allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": csrf(page.text)})


# --- 6. pseudonyms and masked labels ----------------------------------------------


def test_a_phone_number_sender_id_is_shown_only_as_a_pseudonym(
        console: str, database: str) -> None:
    add_message(database, PHONE_SENDER, "hello from whatsapp", "twilio_whatsapp")
    session = logged_in(console)
    alias = pseudonym(PHONE_SENDER, CONSOLE_KEY)
    listing = session.get(f"{console}/", params={"q": "hello from whatsapp"}).text
    transcript = session.get(f"{console}/conversations/{alias}").text
    exports = [session.get(f"{console}/export.{kind}", params={"q": "hello from whatsapp"}).text
               for kind in ("csv", "jsonl")]
    for page in (listing, transcript, *exports):
        assert "84901234567" not in page
        assert alias in page
    assert "twilio_whatsapp" in transcript  # the channel is still shown
    assert session.get(f"{console}/conversations/{PHONE_SENDER}").status_code == 404


def test_label_text_is_masked_in_the_list_and_the_export(console: str, database: str) -> None:
    add_message(database, "rest:labelled-contact", "call 0905 123 456 or lan@example.com")
    session = logged_in(console)
    alias = pseudonym("rest:labelled-contact", CONSOLE_KEY)
    page = session.get(f"{console}/conversations/{alias}").text
    event_id = re.search(r'name="event_id" value="(\d+)"', page).group(1)
    session.post(f"{console}/conversations/{alias}/label", data={
        "csrf_token": csrf(page), "event_id": event_id, "intent": "ask_sleep"})
    for text in (session.get(f"{console}/labels").text,
                 session.get(f"{console}/labels/export.yml").text):
        assert "0905 123 456" not in text and "lan@example.com" not in text
        assert "phone hidden" in text


# --- 7. CSV cells are never formulas -------------------------------------------------


def test_csv_cells_that_look_like_formulas_are_neutralised(console: str, database: str) -> None:
    formulas = ["=HYPERLINK(\"http://x\")", "+1+2", "-3+4", "@SUM(A1)", "\tx", "\rx"]
    for i, text in enumerate(formulas):
        add_message(database, f"rest:formula-{i}", text)
    exported = logged_in(console).get(f"{console}/export.csv").text
    messages = {row["message"] for row in csv.DictReader(io.StringIO(exported))}
    for text in formulas:
        assert "'" + text in messages
        assert text not in messages


# --- 8. log-in throttling and timing ---------------------------------------------------


def test_five_failures_for_a_name_block_its_log_in(console: str) -> None:
    assert [log_in(console, "lan", "wrong password").status_code for _ in range(5)] == [200] * 5
    blocked = log_in(console, "lan", PASSWORD)
    assert blocked.status_code == 429 and "Too many failed log-ins" in blocked.text


def test_an_unknown_name_costs_a_password_hash(console: str) -> None:
    def timed(username: str) -> float:
        start = time.perf_counter()
        log_in(console, username, "wrong password")
        return time.perf_counter() - start

    known = statistics.median(timed("lan") for _ in range(2))
    unknown = statistics.median(timed("nobody-here") for _ in range(2))
    assert unknown > 0.5 * known


# --- 9. sessions can be revoked; 12 hours at most ---------------------------------------


def test_log_out_ends_every_session_of_the_account(console: str) -> None:
    first, second = logged_in(console), logged_in(console)
    page = first.get(f"{console}/").text
    first.post(f"{console}/logout", data={"csrf_token": csrf(page)})
    assert second.get(f"{console}/", allow_redirects=False).status_code == 302


def test_a_password_change_ends_existing_sessions(console: str, database: str) -> None:
    session = logged_in(console)
    changed = flask_cli(database, "set-password", "lan", "--password-stdin",
                        stdin="another long password\n")
    assert changed.returncode == 0, changed.stderr
    assert session.get(f"{console}/", allow_redirects=False).status_code == 302


def test_a_removed_account_loses_its_session(console: str, database: str) -> None:
    session = logged_in(console)
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM console_staff WHERE username = 'lan'"))
    engine.dispose()
    assert session.get(f"{console}/", allow_redirects=False).status_code == 302


def test_the_session_cookie_lasts_twelve_hours(console: str) -> None:
    cookie = log_in(console).headers["Set-Cookie"]
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    left = time.mktime(time.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT")) - time.mktime(
        time.gmtime())
    assert 11.9 * 3600 < left <= 12 * 3600 + 60


# --- 10. a non-ASCII CSRF token is a 400 ------------------------------------------------


def test_a_non_ascii_csrf_token_gets_400(console: str) -> None:
    session = requests.Session()
    session.get(f"{console}/login")
    response = session.post(f"{console}/login", data={
        "username": "lan", "password": PASSWORD, "csrf_token": "tokén"})
    assert response.status_code == 400 and "CSRF" in response.text


# --- 11. headers and Secure cookies ------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/export.csv", "/export.jsonl", "/labels/export.yml"])
def test_pages_and_exports_carry_security_headers(console: str, path: str) -> None:
    headers = logged_in(console).get(f"{console}{path}").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]


@pytest.fixture
def default_console(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The console with the environment's defaults (no CONSOLE_SECURE_COOKIES)."""
    monkeypatch.delenv("CONSOLE_SECURE_COOKIES", raising=False)
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": CONSOLE_KEY})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    if "engine" in app.extensions:
        app.extensions["engine"].dispose()


def test_the_session_cookie_is_secure_by_default(default_console: str) -> None:
    cookie = requests.get(f"{default_console}/login").headers["Set-Cookie"]
    assert "session=" in cookie and "; Secure" in cookie


# --- 12. purge keeps the audit trail ---------------------------------------------------


def test_purge_keeps_the_reveal_log_on_its_own_retention(
        console: str, database: str, had_conversations: Dict[str, str]) -> None:
    session = logged_in(console)
    alias = shown(had_conversations["contact"])
    page = session.get(f"{console}/conversations/{alias}").text
    session.post(f"{console}/conversations/{alias}/reveal", data={"csrf_token": csrf(page)})
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET timestamp = timestamp - 40 * 86400"))
    purged = flask_cli(database, "purge", "--days", "30")
    assert purged.returncode == 0, purged.stderr
    with engine.connect() as conn:
        events = conn.execute(sa.text("SELECT COUNT(*) FROM events")).scalar()
        reveals = conn.execute(sa.text("SELECT revealed_by FROM console_reveals")).all()
    engine.dispose()
    assert events == 0 and [tuple(r) for r in reveals] == [("lan",)]


# --- 13. a label is one plain training example -----------------------------------------


def test_a_label_with_newlines_and_markup_is_one_plain_example(console: str,
                                                               database: str) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    text = "[free](massage_type) please\n- /greet\n- {\"entity\": \"x\"}"
    add_message(database, "rest:markup", text)
    session = logged_in(console)
    alias = pseudonym("rest:markup", CONSOLE_KEY)
    page = session.get(f"{console}/conversations/{alias}").text
    event_id = re.search(r'name="event_id" value="(\d+)"', page).group(1)
    session.post(f"{console}/conversations/{alias}/label", data={
        "csrf_token": csrf(page), "event_id": event_id, "new_intent": "ask_markup"})
    exported = session.get(f"{console}/labels/export.yml").text
    examples = RasaYAMLReader().reads(exported).training_examples
    assert len(examples) == 1
    assert not examples[0].get("entities")
    assert "massage_type" in examples[0].get("text") and "\n" not in examples[0].get("text")
