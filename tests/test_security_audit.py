"""Issue 27, the console's findings, over real HTTP on SQLite and PostgreSQL.

The redirect after log-in stays on the console; the log-in throttle holds under
concurrent tries and can't lock a name out from another address; /bookings
pages its list, reads the history in one query and refuses unknown arguments;
purge forgets the ids of messages sent to old conversations.
"""
import datetime as dt
import re
import threading
import time
from typing import Any, Dict, List

import pytest
import requests
import sqlalchemy as sa
from flask import Flask

from console import create_app
from storage import bookings
from tests.console_support import CONSOLE_KEY, PASSWORD, flask_cli, staff_app
from tests.test_console import csrf, logged_in


def post_login(console: str, next_path: str, password: str = PASSWORD) -> requests.Response:
    session = requests.Session()
    page = session.get(f"{console}/login")
    return session.post(f"{console}/login", params={"next": next_path}, allow_redirects=False,
                        data={"username": "lan", "password": password,
                              "csrf_token": csrf(page.text)})


# --- open redirect after log-in ----------------------------------------------------


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
    "/%09/evil.example", "/\n/evil.example", "/ /evil.example", "javascript:alert(1)",
    "/no-such-page", "/login/../../evil",
])
def test_log_in_never_redirects_off_the_console(console: str, target: str) -> None:
    response = post_login(console, target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", f"{console}/")


@pytest.mark.parametrize("target", ["/bookings?status=new", "/dashboard", "/labels"])
def test_log_in_follows_next_to_the_console_s_own_pages(console: str, target: str) -> None:
    response = post_login(console, target)
    assert response.headers["Location"].removeprefix(console) == target


# --- log-in throttle ---------------------------------------------------------------


def test_concurrent_wrong_passwords_are_checked_at_most_five_times(console: str) -> None:
    pages = []
    for _ in range(12):
        session = requests.Session()
        pages.append((session, csrf(session.get(f"{console}/login").text)))
    statuses: List[int] = []
    start = threading.Barrier(12)

    def attempt(session: requests.Session, token: str) -> None:
        start.wait()
        statuses.append(session.post(f"{console}/login", allow_redirects=False, data={
            "username": "lan", "password": "wrong password", "csrf_token": token},
            timeout=60).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert len(statuses) == 12 and statuses.count(200) <= 5
    assert statuses.count(429) >= 7


@pytest.fixture
def app(database: str) -> Flask:
    made = flask_cli(database, "create-staff", "lan", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    return create_app({"TESTING": True, "DATABASE_URL": database, "SECRET_KEY": CONSOLE_KEY,
                       "SESSION_COOKIE_SECURE": False})


def try_from(app: Flask, address: str, username: str, password: str) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf(page)}).status_code


def test_failures_from_one_address_do_not_lock_the_name_out_elsewhere(app: Flask) -> None:
    attacker, staff = "203.0.113.66", "198.51.100.7"
    assert [try_from(app, attacker, "lan", "wrong password") for _ in range(6)] == [200] * 5 + [
        429]
    assert try_from(app, staff, "lan", PASSWORD) == 302
    assert try_from(app, attacker, "lan", PASSWORD) == 429  # still throttled there


def test_an_address_trying_many_names_is_throttled(app: Flask) -> None:
    attacker = "203.0.113.67"
    statuses = [try_from(app, attacker, f"name{i}", "wrong password") for i in range(21)]
    assert statuses == [200] * 20 + [429]
    assert try_from(app, "198.51.100.8", "lan", PASSWORD) == 302


def test_a_successful_log_in_clears_its_count(app: Flask) -> None:
    address = "192.0.2.10"
    for _ in range(4):
        assert try_from(app, address, "lan", "wrong password") == 200
    assert try_from(app, address, "lan", PASSWORD) == 302
    assert [try_from(app, address, "lan", "wrong password") for _ in range(5)] == [200] * 5


# --- /bookings: pages, one history query, unknown arguments ------------------------


def add_requests(database: str, count: int) -> None:
    engine = bookings.make_engine(database)
    base = dt.datetime(2026, 11, 22, 3, 0)
    for i in range(count):
        booking_id = bookings.add(engine, {
            "sender_id": f"rest:s{i}", "channel": "rest", "language": "en",
            "requested_time": "2026-11-23 19:00", "people": 2, "location": "229",
            "massage": "foot", "name": "Lan Nguyen", "contact": "+84901234567",
            "contact_method": "phone", "created_at": base + dt.timedelta(minutes=i)})
        bookings.set_status(engine, booking_id, "confirmed", "minh")
    engine.dispose()


def listed(html: str) -> List[int]:
    return [int(n) for n in re.findall(r'<tr class="booking" id="booking-(\d+)"', html)]


def test_the_booking_list_comes_a_page_at_a_time(console: str, database: str) -> None:
    add_requests(database, 45)
    staff = logged_in(console)
    first = staff.get(f"{console}/bookings").text
    third = staff.get(f"{console}/bookings", params={"page": 3}).text
    assert listed(first) == list(range(45, 25, -1)) and listed(third) == [5, 4, 3, 2, 1]
    assert "Page 1 of 3" in first and "(45)" in first and "by minh" in first
    assert staff.get(f"{console}/bookings", params={"page": 4}).status_code == 200


@pytest.mark.parametrize("params", [
    {"booking_id": "1"}, {"page": "0"}, {"page": "x"}, {"page": "-1"}, {"sort": "name"},
])
def test_unknown_or_bad_query_arguments_get_a_400(console: str, params: Dict[str, str]) -> None:
    staff = logged_in(console)
    assert staff.get(f"{console}/bookings", params=params).status_code == 400
    if "page" not in params:
        assert staff.get(f"{console}/bookings/export.csv", params=params).status_code == 400


def test_the_history_of_a_page_is_read_in_one_query(database: str) -> None:
    add_requests(database, 25)
    app, client = staff_app(database, CONSOLE_KEY)
    client.get("/bookings")  # tables made, caches warm
    statements: List[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = app.extensions["engine"]
    sa.event.listen(engine, "before_cursor_execute", record)
    assert client.get("/bookings").status_code == 200
    sa.event.remove(engine, "before_cursor_execute", record)
    history = [s for s in statements if "booking_status_changes" in s]
    assert len(history) == 1
    assert len(statements) < 12
    engine.dispose()


# --- purge --------------------------------------------------------------------------


def test_purge_forgets_the_ids_of_messages_sent_to_old_conversations(database: str) -> None:
    from channels.delivery import _table_meta, sent_messages
    from console import db

    engine = sa.create_engine(database)
    db.metadata.create_all(engine)
    _table_meta.create_all(engine)
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)).timestamp()
    with engine.begin() as conn:
        conn.execute(db.events.insert(), [
            {"sender_id": "4000000099", "type_name": "user", "timestamp": old, "data": "{}"}])
        conn.execute(sent_messages.insert(), [
            {"message_id": "m_old", "sender_id": "4000000099", "channel": "messenger",
             "answer": "utter_sleep", "sent_at": old},
            {"message_id": "m_new", "sender_id": "4000000001", "channel": "messenger",
             "answer": "utter_sleep", "sent_at": time.time()}])
    purged = flask_cli(database, "purge", "--days", "90")
    assert purged.returncode == 0, purged.stderr
    with engine.connect() as conn:
        left = {r.message_id for r in conn.execute(sa.select(sent_messages))}
    engine.dispose()
    assert left == {"m_new"}
