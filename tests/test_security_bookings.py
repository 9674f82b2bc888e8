"""Issue 27: booking requests must not flood the team (real SQLite and PostgreSQL).

Caps per conversation, per address and overall, identical requests collapsed,
each request mailed once however many senders run, a failing e-mail skipped,
and values checked again where they are stored. Two engines on one database
stand for two workers.
"""
import datetime as dt
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa

from console import db
from console.privacy import pseudonym
from storage import bookings
from storage.booking_checks import InvalidBooking
from storage.bookings import Caps, Outcome
from tests.console_support import fresh_postgres_database, staff_app
from tests.support.servers import free_port
from tests.test_booking_bot import Smtp

TOMORROW = (dt.date.today() + dt.timedelta(days=2)).isoformat()


def request(sender: str, key: str | None = None, **values: Any) -> Dict[str, Any]:
    row: Dict[str, Any] = {
        "sender_id": sender, "channel": "rest", "language": "en",
        "requested_time": f"{TOMORROW} 19:00", "people": 2, "location": "229",
        "massage": "foot", "name": "Lan Nguyen", "contact": "+84901234567",
        "contact_method": "phone", "client_key": key}
    row.update(values)
    return row


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'conversations.db'}"
    return fresh_postgres_database(request.getfixturevalue("pg_admin"), "bookings")


@pytest.fixture
def workers(url: str) -> Iterator[List[sa.engine.Engine]]:
    """Four engines on one database: four workers."""
    engines = [bookings.make_engine(url) for _ in range(4)]
    yield engines
    for engine in engines:
        engine.dispose()


KEY_A, KEY_B = "a" * 32, "b" * 32


def test_three_open_requests_per_conversation(workers: List[sa.engine.Engine]) -> None:
    engine = workers[0]
    caps = Caps(per_conversation=3, per_address_per_day=100, global_per_hour=100)
    outcomes = [bookings.store(engine, request("rest:one", people=n), caps).outcome
                for n in range(1, 6)]
    assert outcomes == [Outcome.STORED] * 3 + [Outcome.REFUSED] * 2
    assert len(bookings.search(engine)) == 3
    first = bookings.search(engine)[-1]["id"]
    bookings.set_status(engine, first, "confirmed", "lan")  # no longer open
    assert bookings.store(engine, request("rest:one", people=9), caps).outcome is Outcome.STORED
    assert bookings.store(engine, request("rest:two"), caps).outcome is Outcome.STORED


def test_ten_requests_per_address_a_day(workers: List[sa.engine.Engine]) -> None:
    engine = workers[1]
    caps = Caps(per_conversation=3, per_address_per_day=10, global_per_hour=1000)
    outcomes = [bookings.store(engine, request(f"rest:s{i}", KEY_A, people=i % 20 + 1), caps)
                for i in range(12)]
    assert [o.outcome for o in outcomes].count(Outcome.STORED) == 10
    assert outcomes[-1] == bookings.Stored(Outcome.REFUSED, reason="address")
    assert bookings.store(engine, request("rest:other", KEY_B), caps).outcome is Outcome.STORED
    # a day later the address may book again
    later = bookings.now() + dt.timedelta(days=1, minutes=1)
    assert bookings.store(engine, request("rest:s99", KEY_A, people=5), caps,
                          when=later).outcome is Outcome.STORED


def test_identical_requests_collapse_into_the_open_one(workers: List[sa.engine.Engine]) -> None:
    engine = workers[0]
    first = bookings.store(engine, request("rest:one", KEY_A))
    assert first.outcome is Outcome.STORED
    again = [bookings.store(engine, request("rest:one", KEY_A, name=" lan nguyen "))
             for _ in range(9)]
    assert {(s.outcome, s.booking_id) for s in again} == {(Outcome.DUPLICATE, first.booking_id)}
    # the same request from another conversation of the same address
    other = bookings.store(engine, request("rest:two", KEY_A))
    assert (other.outcome, other.booking_id) == (Outcome.DUPLICATE, first.booking_id)
    # another visitor elsewhere asking for the same is not a duplicate
    assert bookings.store(engine, request("rest:three", KEY_B)).outcome is Outcome.STORED
    assert len(bookings.search(engine)) == 2


def test_over_the_hourly_cap_requests_are_held_and_the_team_alerted_once(
        workers: List[sa.engine.Engine]) -> None:
    engine = workers[2]
    caps = Caps(per_conversation=3, per_address_per_day=100, global_per_hour=3)
    outcomes = [bookings.store(engine, request(f"rest:s{i}"), caps).outcome for i in range(6)]
    assert outcomes == [Outcome.STORED] * 3 + [Outcome.HELD] * 3
    mailed: List[int] = []
    alerts: List[int] = []
    assert bookings.send_pending(engine, lambda row: mailed.append(row["id"]),
                                 alerts.append) == 3
    assert bookings.send_pending(workers[3], lambda row: mailed.append(row["id"]),
                                 alerts.append) == 0
    assert sorted(mailed) == [1, 2, 3] and alerts == [6]
    assert [r["held"] for r in sorted(bookings.search(engine), key=lambda r: r["id"])] == [
        False] * 3 + [True] * 3


def test_concurrent_requests_of_one_conversation_respect_its_cap(
        workers: List[sa.engine.Engine]) -> None:
    caps = Caps(per_conversation=3, per_address_per_day=100, global_per_hour=100)
    results: List[Outcome] = []
    start = threading.Barrier(8)

    def book(i: int) -> None:
        start.wait()
        results.append(bookings.store(workers[i % 4], request("rest:racer", people=i + 1),
                                      caps).outcome)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.value for r in results) == ["refused"] * 5 + ["stored"] * 3


def test_concurrent_senders_mail_each_request_once(workers: List[sa.engine.Engine]) -> None:
    for i in range(30):
        bookings.add(workers[0], request(f"rest:s{i}"))
    mailed: List[int] = []
    lock = threading.Lock()

    def send(row: Dict[str, Any]) -> None:
        time.sleep(0.005)  # an SMTP round trip, short
        with lock:
            mailed.append(row["id"])

    start = threading.Barrier(4)

    def run(engine: sa.engine.Engine) -> None:
        start.wait()
        bookings.send_pending(engine, send)

    threads = [threading.Thread(target=run, args=(e,)) for e in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(mailed) == list(range(1, 31))
    assert bookings.pending(workers[0]) == []


def test_one_failing_e_mail_does_not_block_the_rest(workers: List[sa.engine.Engine]) -> None:
    engine = workers[0]
    for i in range(3):
        bookings.add(engine, request(f"rest:s{i}"))

    def send(row: Dict[str, Any]) -> None:
        if row["id"] == 1:
            raise OSError("mailbox full")

    assert bookings.send_pending(engine, send) == 2
    first = bookings.get(engine, 1)
    assert first is not None and first["sent_at"] is None and first["send_attempts"] == 1
    assert first["last_error"] == "mailbox full" and first["claim_token"] is None
    assert [r["id"] for r in bookings.pending(engine)] == [1]
    assert bookings.send_pending(engine, lambda row: None) == 1


def test_a_claim_left_by_a_dead_sender_expires(workers: List[sa.engine.Engine]) -> None:
    engine = workers[0]
    bookings.add(engine, request("rest:s"))
    assert bookings.claim(engine, 1) is not None
    assert bookings.claim(workers[1], 1) is None
    later = bookings.now() + bookings.CLAIM_EXPIRY + dt.timedelta(seconds=1)
    assert bookings.claim(workers[1], 1, when=later) is not None


@pytest.mark.parametrize("values", [
    {"people": 5000}, {"people": "2"}, {"people": 0}, {"location": "the moon"},
    {"massage": "<b>x</b>"}, {"name": "<script>alert(1)</script>"}, {"name": "x" * 81},
    {"name": "Lan\x00"}, {"contact": "call me"}, {"contact": "+84 90 123 4567"},
    {"contact": "a@b", "contact_method": "email"}, {"contact_method": "pigeon"},
    {"language": "xx"}, {"requested_time": "2020-01-01 19:00"},
    {"requested_time": "tomorrow"}, {"requested_time": f"{TOMORROW} 19:00' OR 1=1"},
    {"channel": "<rest>"}, {"client_key": "not hex"},
])
def test_values_the_form_never_gives_are_not_stored(workers: List[sa.engine.Engine],
                                                     values: Dict[str, Any]) -> None:
    with pytest.raises(InvalidBooking):
        bookings.store(workers[0], request("rest:forger", **values))
    assert bookings.search(workers[0]) == []


def test_an_older_table_gets_the_new_columns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE booking_requests (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) "
            "NOT NULL, channel VARCHAR(50) NOT NULL, language VARCHAR(5) NOT NULL, created_at "
            "DATETIME NOT NULL, requested_time VARCHAR(40) NOT NULL, people INTEGER NOT NULL, "
            "location VARCHAR(10) NOT NULL, massage VARCHAR(10) NOT NULL, name VARCHAR(80) NOT "
            "NULL, contact VARCHAR(120) NOT NULL, contact_method VARCHAR(10) NOT NULL, status "
            "VARCHAR(12) NOT NULL, status_by VARCHAR(80), status_at DATETIME, sent_at DATETIME, "
            "send_attempts INTEGER NOT NULL, last_error TEXT)"))
        conn.execute(sa.text(
            "INSERT INTO booking_requests VALUES (1, 'rest:old', 'rest', 'en', "
            "'2026-11-01 10:00:00', '2026-11-23 19:00', 2, '229', 'foot', 'Lan', "
            "'+84901234567', 'phone', 'new', NULL, NULL, NULL, 0, NULL)"))
    engine.dispose()
    engine = bookings.make_engine(url)
    assert [r["id"] for r in bookings.pending(engine)] == [1]
    assert bookings.store(engine, request("rest:new")).outcome is Outcome.STORED
    engine.dispose()


def test_the_e_mail_links_the_conversation_the_console_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from booking import mailer

    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    secret = "test-shared-console-key"
    sender = "whatsapp:+84901234567"
    engine = bookings.make_engine(url)
    db.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(db.events.insert().values(sender_id=sender, type_name="user",
                                               timestamp=time.time(), data='{"event": "user", '
                                               '"text": "book", "timestamp": 1}'))
    bookings.add(engine, request(sender, channel="twilio_whatsapp"))
    smtp = Smtp(free_port())
    smtp.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{smtp.port}")
    monkeypatch.setenv("CONSOLE_URL", "https://staff.example")
    monkeypatch.setenv("CONSOLE_SECRET_KEY", secret)
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    try:
        assert bookings.send_pending(engine, mailer.mail_request) == 1
        body = smtp.wait_for(1)[0].get_payload(decode=True).decode()
    finally:
        smtp.stop()
        engine.dispose()
    assert "+84901234567" not in body.split("Conversation:")[1]
    path = body.split("https://staff.example", 1)[1].split()[0]
    assert path == f"/conversations/{pseudonym(sender, secret)}"
    app, client = staff_app(url, secret)
    assert client.get(path).status_code == 200
    app.extensions["engine"].dispose()


def test_the_team_gets_one_alert_mail_not_the_held_requests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from booking import mailer

    engine = bookings.make_engine(f"sqlite:///{tmp_path / 'conversations.db'}")
    caps = Caps(per_conversation=3, per_address_per_day=100, global_per_hour=2)
    for i in range(5):
        bookings.store(engine, request(f"rest:s{i}"), caps)
    smtp = Smtp(free_port())
    smtp.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{smtp.port}")
    try:
        assert bookings.send_pending(engine, mailer.mail_request, mailer.mail_alert) == 2
        assert bookings.send_pending(engine, mailer.mail_request, mailer.mail_alert) == 0
        subjects = sorted(m["Subject"].strip() for m in smtp.wait_for(3))
    finally:
        smtp.stop()
        engine.dispose()
    assert subjects[0] == "Alert: booking requests held back" and len(subjects) == 3
    assert all(s.startswith("Booking request #") for s in subjects[1:])


# --- through the running bot (REST on loopback, the real action server) ------------

from tests.test_booking_bot import WHOLE, booking_bot, converse, rows, smtp, texts  # noqa: E402

__all__ = ["booking_bot", "smtp"]


def test_the_bot_collapses_a_repeated_request_and_says_so(booking_bot: Any, smtp: Smtp) -> None:
    who = f"repeat-{uuid.uuid4().hex[:8]}"
    first = texts(converse(booking_bot, who, WHOLE))
    assert "passed your request to the Panda Spa team" in first
    again = texts(converse(booking_bot, who, WHOLE))
    assert "We already have this booking request" in again and "booking@pandaspa.vn" in again
    assert len(rows(booking_bot, who)) == 1


def test_the_bot_refuses_a_fourth_open_request_politely(booking_bot: Any, smtp: Smtp) -> None:
    who = f"many-{uuid.uuid4().hex[:8]}"
    replies = [texts(converse(booking_bot, who, [f"book {n} foot massages tomorrow at 7pm",
                                                 *WHOLE[1:]])) for n in (1, 2, 3, 4)]
    assert all("passed your request" in reply for reply in replies[:3])
    assert "already sent us several booking requests" in replies[3]
    assert "booking@pandaspa.vn" in replies[3] and len(rows(booking_bot, who)) == 3
