"""actions/booking.py run with rasa_sdk's real Tracker and dispatcher on a SQLite file, no network:
nothing stored before Send, quiet re-asks after buttons, the last look, the kept language."""
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import booking as actions
from booking import dialogue
from storage import bookings

# a day ahead of today: the store refuses a request for a time that has passed
DAY = (dt.date.today() + dt.timedelta(days=3)).isoformat()
FULL = {dialogue.TIME: f"{DAY} 19:00", dialogue.PEOPLE: 2, dialogue.LOCATION: "225",
        dialogue.MASSAGE: "foot", dialogue.NAME: "Lan", dialogue.CONTACT: "+84901234567",
        dialogue.CONTACT_METHOD: "phone"}


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.engine.Engine]:
    """The actions' database: a SQLite file of this test's own."""
    monkeypatch.delenv("SMTP_URL", raising=False)
    made = bookings.make_engine(f"sqlite:///{tmp_path / 'bookings.db'}")
    monkeypatch.setattr(actions, "_engine", made)
    yield made
    made.dispose()


def tracker(slots: Dict[str, Any], text: str = "", events: List[Dict[str, Any]] | None = None,
            intent: str = "inform_booking") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker("rest:visitor", {"language": "en", **slots}, latest, events or [], False,
                   None, {"name": "booking_form"}, "action_listen")


def stored(engine: sa.engine.Engine) -> List[Any]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(bookings.requests)))


def run(action: Any, state: Tracker, domain: Any) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, domain.as_dict()))
    return events, dispatcher.messages


@pytest.mark.parametrize("confirmed", [None, False, "yes"])
def test_nothing_is_stored_without_send(engine: sa.engine.Engine, domain: Any,
                                        confirmed: Any) -> None:
    events, messages = run(actions.ActionSubmitBooking(),
                           tracker({**FULL, dialogue.CONFIRMED: confirmed}), domain)
    assert stored(engine) == [] and messages == []
    assert events == [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]


def test_send_stores_the_request_once(engine: sa.engine.Engine, domain: Any) -> None:
    async def submit() -> tuple:
        dispatcher = CollectingDispatcher()
        events = await actions.ActionSubmitBooking().run(
            dispatcher, tracker({**FULL, dialogue.CONFIRMED: True}), domain.as_dict())
        await asyncio.gather(*actions._background)
        return events, dispatcher.messages

    events, messages = asyncio.run(submit())
    (row,) = stored(engine)
    assert (row.people, row.location, row.name, row.status) == (2, "225", "Lan", "new")
    assert [m["response"] for m in messages] == ["utter_booking_pending_phone", "utter_contacts"]
    assert SlotSet(dialogue.CONFIRMED, None) in events


def test_the_last_look_shows_the_summary_with_send_change_and_cancel(domain: Any) -> None:
    events, messages = run(actions.ActionAskBookingConfirmed(), tracker(FULL), domain)
    assert events == []
    assert [m["response"] for m in messages] == ["utter_booking_summary",
                                                 "utter_ask_booking_confirmed"]
    assert messages[0]["people"] == "2 people" and messages[0]["location"] == "225 Nguyen Van Thoai"


def test_after_change_the_last_look_asks_which_part(domain: Any) -> None:
    state = tracker({**FULL, dialogue.NOTES: {"change": True}})
    _, messages = run(actions.ActionAskBookingConfirmed(), state, domain)
    assert [m["response"] for m in messages] == ["utter_ask_booking_change"]


def test_a_question_the_buttons_just_asked_is_not_asked_again(domain: Any) -> None:
    state = tracker({dialogue.NOTES: {"quiet": dialogue.PEOPLE, "day": "2026-11-23"}})
    events, messages = run(actions.ActionAskBookingPeople(), state, domain)
    assert messages == [] and events == [SlotSet(dialogue.NOTES, {"day": "2026-11-23"})]
    _, asked = run(actions.ActionAskBookingPeople(), tracker({}), domain)
    assert [m["response"] for m in asked] == ["utter_ask_booking_people"]


def test_a_day_said_before_asks_only_the_time(domain: Any) -> None:
    state = tracker({dialogue.NOTES: {"day": "2026-11-28"}, "language": "ko"})
    _, messages = run(actions.ActionAskBookingTime(), state, domain)
    assert messages[0]["response"] == "utter_ask_booking_time_on_day"
    assert messages[0]["day"] == "11월 28일 (토)"


def test_leaving_at_the_name_question_answers_in_the_conversations_language(
        domain: Any) -> None:
    """A name tells no language: the reply stays in English though the words looked Vietnamese."""
    events_before = [{"event": "slot", "name": "language", "value": "en"},
                     {"event": "user", "text": "thôi, không đặt nữa"},
                     {"event": "slot", "name": "language", "value": "vi"}]
    state = tracker({"requested_slot": dialogue.NAME, "language": "vi", **FULL,
                     dialogue.NAME: None}, "thôi, không đặt nữa", events_before)
    events, messages = run(actions.ValidateBookingForm(), state, domain)
    assert SlotSet("requested_slot", None) in events and SlotSet("language", "en") in events
    assert all(SlotSet(slot, None) in events for slot in dialogue.ALL_SLOTS)
    assert messages[0]["text"].startswith("No problem, I've stopped the booking request")


def test_talk_to_the_team_in_the_kept_language_keeps_the_contact_card(domain: Any) -> None:
    events_before = [{"event": "slot", "name": "language", "value": "en"},
                     {"event": "user", "text": "handoff"},
                     {"event": "slot", "name": "language", "value": "ko"}]
    state = Tracker("rest:visitor", {"language": "ko", "requested_slot": dialogue.CONTACT},
                    {"text": "handoff", "intent": {"name": "inform_booking", "confidence": 1},
                     "entities": [{"entity": "choice", "value": "handoff"}]},
                    events_before, False, None, {"name": "booking_form"}, "action_listen")
    _, messages = run(actions.ValidateBookingForm(), state, domain)
    card = messages[-1]
    assert card["text"].startswith("You can reach Panda Spa")
    assert card["custom"]["kind"] == "handoff"
    assert "tel:+84708185397" in [b["payload"] for b in card["buttons"]]
