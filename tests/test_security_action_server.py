"""Issue 27: the action server (:5055) takes calls only with ACTION_SERVER_TOKEN, on
loopback, and a forged booking (slot values the form never gives) is not stored.

The real action server (``python -m actions.server``) on a free loopback port,
with a fresh SQLite conversation database.
"""
import datetime as dt
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
import sqlalchemy as sa

from storage import bookings
from tests.support.servers import VENV_BIN, free_port, spawn, wait_until

TOKEN = "test-shared-action-token"


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, str]]:
    work = tmp_path_factory.mktemp("actions")
    port = free_port()
    url = f"sqlite:///{work / 'conversations.db'}"
    env = {"ENV_FILE": "", "ACTION_SERVER_TOKEN": TOKEN, "TRACKER_DB_URL": url,
           "SMTP_URL": ""}
    server = spawn([str(VENV_BIN / "python"), "-m", "actions.server", "--port", str(port)],
                   work / "actions.log", env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(f"{base}/health", server, timeout=120)
        yield {"url": base, "db": url, "log": str(server.log)}
    finally:
        server.stop()


def call(action: str, slots: Dict[str, Any], sender: str = "rest:forger") -> Dict[str, Any]:
    return {"next_action": action, "sender_id": sender, "version": "3.6.21",
            "domain": {"responses": {}},
            "tracker": {"sender_id": sender, "slots": slots, "events": [],
                        "latest_message": {"text": "x", "intent": {}, "entities": [],
                                           "metadata": {}},
                        "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": "booking_form"}}


def booking_slots(**values: Any) -> Dict[str, Any]:
    day = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    slots = {"booking_time": f"{day} 19:00", "booking_people": 2, "booking_location": "229",
             "booking_massage": "foot", "booking_name": "Lan", "booking_contact": "+84901234567",
             "booking_contact_method": "phone", "language": "en",
             # the visitor pressed Send: the one state in which a request is stored
             "booking_confirmed": True}
    slots.update(values)
    return slots


@pytest.mark.parametrize("how", [{}, {"params": {"token": "wrong"}},
                                 {"headers": {"Authorization": "Bearer wrong"}}])
def test_a_call_without_the_token_is_refused(actions: Dict[str, str], how: Dict) -> None:
    response = requests.post(f"{actions['url']}/webhook", json=call(
        "action_submit_booking", booking_slots()), timeout=30, **how)
    assert response.status_code == 401
    assert stored(actions["db"]) == 0


def test_health_needs_no_token(actions: Dict[str, str]) -> None:
    assert requests.get(f"{actions['url']}/health", timeout=10).status_code == 200


def test_the_server_listens_on_loopback_only(actions: Dict[str, str]) -> None:
    found = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
    port = actions["url"].rsplit(":", 1)[1]
    listening = [line.split()[3] for line in found.splitlines()[1:]
                 if line.split()[3].endswith(f":{port}")]
    assert listening == [f"127.0.0.1:{port}"]


def stored(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("booking_requests"):
            return 0
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(
                bookings.requests)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("forged", [
    {"booking_people": 5000}, {"booking_location": "<script>"},
    {"booking_name": "x" * 500}, {"booking_contact": "not a phone"},
    {"booking_time": "yesterday"}, {"language": "xx"},
])
def test_forged_slot_values_are_not_stored(actions: Dict[str, str],
                                           forged: Dict[str, Any]) -> None:
    before = stored(actions["db"])
    response = requests.post(f"{actions['url']}/webhook", params={"token": TOKEN}, json=call(
        "action_submit_booking", booking_slots(**forged)), timeout=30)
    assert response.status_code == 200
    said = [m.get("response") for m in response.json()["responses"]]
    assert said == ["utter_booking_not_stored", "utter_contacts"]
    assert stored(actions["db"]) == before


def test_with_the_token_a_valid_request_is_stored(actions: Dict[str, str]) -> None:
    before = stored(actions["db"])
    response = requests.post(f"{actions['url']}/webhook", params={"token": TOKEN}, json=call(
        "action_submit_booking", booking_slots(), sender="rest:genuine"), timeout=30)
    assert response.status_code == 200
    said = [m.get("response") for m in response.json()["responses"]]
    assert said[0] == "utter_booking_pending_phone" and stored(actions["db"]) == before + 1
    assert "rest:genuine" not in Path(actions["log"]).read_text()  # logs name pseudonyms
