"""The console's booking requests page over real HTTP on SQLite: order, filters, status
changes and their record, masking and logged reveals, CSV export, retention, the outbox command."""
import csv
import datetime as dt
import io
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from console import create_app, db
from console.privacy import pseudonym
from storage import bookings
from tests.console_support import PASSWORD, flask_cli
from tests.support.servers import ROOT, VENV_BIN, free_port
from tests.test_booking_bot import Smtp

FORMULA = '=HYPERLINK("http://evil.example","x")'


def request_row(sender: str, **values: object) -> Dict[str, object]:
    row: Dict[str, object] = {
        "sender_id": sender, "channel": "rest", "language": "en",
        "requested_time": "2026-11-23 19:00", "people": 2, "location": "229",
        "massage": "foot", "name": "Lan", "contact": "+84901234567", "contact_method": "phone"}
    row.update(values)
    return row


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite database with three requests: #1 new, #2 confirmed, #3 new (newest)."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    engine = bookings.make_engine(url)
    base = dt.datetime(2026, 11, 22, 3, 0)
    bookings.add(engine, request_row("rest:first", created_at=base))
    second = bookings.add(engine, request_row(
        "rest:second", created_at=base + dt.timedelta(hours=1), location="225",
        requested_time="2026-11-24 evening", contact="lan@example.com", contact_method="email"))
    bookings.set_status(engine, second, "confirmed", "minh")
    bookings.add(engine, request_row("rest:third", created_at=base + dt.timedelta(hours=2),
                                     name=FORMULA, requested_time="2026-11-23 15:00"))
    engine.dispose()
    yield url


@pytest.fixture
def console(database: str) -> Iterator[str]:
    made = flask_cli(database, "create-staff", "lan", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": "test-booking-console",
                      "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    if "engine" in app.extensions:
        app.extensions["engine"].dispose()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def staff(console: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{console}/login")
    session.post(f"{console}/login", data={"username": "lan", "password": PASSWORD,
                                           "csrf_token": csrf(page.text)})
    return session


def listed(html: str) -> list:
    return [int(n) for n in re.findall(r'<tr class="booking" id="booking-(\d+)"', html)]


def stored(database: str, booking_id: int) -> Dict[str, object]:
    engine = sa.create_engine(database)
    try:
        found = bookings.get(engine, booking_id)
        assert found is not None
        return found
    finally:
        engine.dispose()


@pytest.mark.parametrize("path", ["/bookings", "/bookings/export.csv"])
def test_the_pages_need_a_login(console: str, path: str) -> None:
    response = requests.get(f"{console}{path}", allow_redirects=False)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_new_requests_come_first_then_the_newest(console: str, staff: requests.Session) -> None:
    assert listed(staff.get(f"{console}/bookings").text) == [3, 1, 2]


@pytest.mark.parametrize("params, expected", [
    ({"status": "confirmed"}, [2]), ({"status": "new"}, [3, 1]), ({"location": "225"}, [2]),
    ({"day": "2026-11-23"}, [3, 1]), ({"day": "2026-11-24", "status": "new"}, [])])
def test_filters_by_status_day_and_location(console: str, staff: requests.Session,
                                            params: dict, expected: list) -> None:
    assert listed(staff.get(f"{console}/bookings", params=params).text) == expected


@pytest.mark.parametrize("params", [{"status": "maybe"}, {"day": "tomorrow"},
                                    {"location": "227"}])
def test_bad_filters_get_a_400(console: str, staff: requests.Session, params: dict) -> None:
    assert staff.get(f"{console}/bookings", params=params).status_code == 400


def test_a_status_change_records_who_and_when(console: str, staff: requests.Session,
                                              database: str) -> None:
    page = staff.get(f"{console}/bookings").text
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    response = staff.post(f"{console}/bookings/1/status",
                          data={"status": "declined", "csrf_token": csrf(page)})
    row = stored(database, 1)
    assert response.status_code == 200 and "Request #1 is now declined." in response.text
    assert (row["status"], row["status_by"]) == ("declined", "lan")
    assert before <= row["status_at"] <= before + dt.timedelta(minutes=1)


def test_the_history_of_changes_is_shown(console: str, staff: requests.Session) -> None:
    page = staff.get(f"{console}/bookings").text
    staff.post(f"{console}/bookings/1/status", data={"status": "confirmed",
                                                      "csrf_token": csrf(page)})
    page = staff.post(f"{console}/bookings/1/status", data={"status": "cancelled",
                                                             "csrf_token": csrf(page)}).text
    row = page[page.index('id="booking-1"'):]
    row = row[:row.index("</tr>")]
    assert re.findall(r"(\w+) → (\w+) by (\w+)", row) == [
        ("new", "confirmed", "lan"), ("confirmed", "cancelled", "lan")]


@pytest.mark.parametrize("data, status", [
    ({"status": "maybe"}, 400), ({"status": "confirmed", "csrf_token": "wrong"}, 400)])
def test_bad_status_changes_are_refused(console: str, staff: requests.Session,
                                        database: str, data: dict, status: int) -> None:
    if "csrf_token" not in data:
        data = {**data, "csrf_token": csrf(staff.get(f"{console}/bookings").text)}
    assert staff.post(f"{console}/bookings/1/status", data=data).status_code == status
    assert stored(database, 1)["status"] == "new"


def test_an_unknown_request_is_a_404(console: str, staff: requests.Session) -> None:
    page = staff.get(f"{console}/bookings").text
    assert staff.post(f"{console}/bookings/99/status", data={
        "status": "confirmed", "csrf_token": csrf(page)}).status_code == 404


def test_contacts_are_masked_until_revealed_and_each_reveal_is_logged(
        console: str, staff: requests.Session, database: str) -> None:
    page = staff.get(f"{console}/bookings").text
    assert "+84901234567" not in page and "lan@example.com" not in page
    revealed = staff.post(f"{console}/bookings/2/reveal", data={"csrf_token": csrf(page)}).text
    assert "lan@example.com" in revealed and "+84901234567" not in revealed
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        logged = [(r.sender_id, r.revealed_by) for r in conn.execute(sa.select(db.reveals))]
    engine.dispose()
    assert logged == [("rest:second", "lan")]


def test_the_csv_export_is_masked_filtered_and_safe_in_a_spreadsheet(
        console: str, staff: requests.Session) -> None:
    response = staff.get(f"{console}/bookings/export.csv", params={"status": "new"})
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in table] == ["3", "1"]
    assert table[0]["name"] == "'=."  # initials only (issue 27), and not a formula
    assert table[1]["name"] == "L."
    assert {r["contact"] for r in table} == {"[phone hidden]"}


def test_each_request_links_to_its_conversation_by_pseudonym(console: str,
                                                              staff: requests.Session) -> None:
    shown = pseudonym("rest:first", "test-booking-console")
    page = staff.get(f"{console}/bookings").text
    assert f'href="/conversations/{shown}"' in page and "rest:first" not in page


def test_purge_removes_requests_with_their_old_conversation(database: str) -> None:
    engine = sa.create_engine(database)
    db.metadata.create_all(engine)
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)).timestamp()
    with engine.begin() as conn:
        conn.execute(db.events.insert(), [
            {"sender_id": "rest:first", "type_name": "user", "timestamp": old, "data": "{}"},
            {"sender_id": "rest:second", "type_name": "user", "timestamp": time.time(),
             "data": "{}"}])
    engine.dispose()
    assert flask_cli(database, "purge", "--days", "90").returncode == 0
    engine = sa.create_engine(database)
    left = {r["sender_id"] for r in bookings.search(engine)}
    changes = bookings.history(engine, 2)
    engine.dispose()
    assert left == {"rest:second", "rest:third"} and len(changes) == 1


def send_bookings(database: str, smtp_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "console", "send-bookings"], cwd=ROOT,
        capture_output=True, text=True, timeout=120,
        env={"PATH": str(VENV_BIN), "TRACKER_DB_URL": database, "SMTP_URL": smtp_url,
             "PYTHONWARNINGS": "ignore", "HOME": str(ROOT), "ENV_FILE": ""})


def test_send_bookings_mails_what_waits_once_smtp_is_back(database: str) -> None:
    smtp = Smtp(free_port())
    down = send_bookings(database, f"smtp://127.0.0.1:{smtp.port}")
    assert down.returncode != 0 and "still waiting" in down.stderr
    smtp.start()
    try:
        up = send_bookings(database, f"smtp://127.0.0.1:{smtp.port}")
    finally:
        smtp.stop()
    assert up.returncode == 0 and "sent 3 of 3" in up.stdout
    assert sorted(m["Subject"].strip().split(":")[0] for m in smtp.inbox.messages) == [
        "Booking request #1", "Booking request #2", "Booking request #3"]
    assert stored(database, 1)["send_attempts"] == 2


