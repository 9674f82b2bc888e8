"""Booking form actions: thin wrappers over ``booking`` (logic) and ``storage.bookings``."""
import asyncio
import datetime as dt
import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List

import sqlalchemy as sa
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from booking import dialogue, mailer, replies, summary, when
from language.booking_limits import say_limit
from language.variants import variant_for
from storage import bookings

logger = logging.getLogger(__name__)

_engine: sa.engine.Engine | None = None
_background: set = set()


def engine() -> sa.engine.Engine:
    """The conversation database, opened on first use."""
    global _engine
    if _engine is None:
        _engine = bookings.make_engine()
    return _engine


def _message_text(tracker: Tracker) -> str:
    """The visitor's words, or the value a choice button sent (``/inform_booking{...}``)."""
    message = tracker.latest_message or {}
    for entity in message.get("entities") or []:
        if entity.get("entity") == "choice":
            return str(entity.get("value") or "")
    return str(message.get("text") or "")


def _own_number(tracker: Tracker) -> str | None:
    return dialogue.whatsapp_number(tracker.get_latest_input_channel(), tracker.sender_id)


def _language_before_this_message(tracker: Tracker) -> str:
    """The language slot as it was before the latest visitor message (initially en)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "language":
            return str(event.get("value") or "en")
    return "en"


def _language(tracker: Tracker) -> str:
    """The language to answer in: while a name or number is asked, the one before it."""
    if tracker.get_slot("requested_slot") in dialogue.KEEP_LANGUAGE_FOR:
        return _language_before_this_message(tracker)
    return str(tracker.get_slot("language") or "en")


def _notes(tracker: Tracker) -> Dict[str, Any]:
    notes = tracker.get_slot(dialogue.NOTES)
    return dict(notes) if isinstance(notes, dict) else {}


def _utter(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
           said: dialogue.Said, language: str) -> None:
    """Send one reply: a ``replies.Say``, or a domain response in ``language``."""
    if isinstance(said, replies.Say):
        dispatcher.utter_message(text=said.text, buttons=said.buttons)
        return
    response, extra = said
    if language != tracker.get_slot("language"):
        # Rasa would pick the variant for the language this message seemed to be in
        slots = {**tracker.current_slot_values(), "language": language}
        variant = variant_for(domain.get("responses", {}).get(response, []), slots) or {}
        buttons = [{**b, "payload": str(b.get("payload", "")).replace("{{", "{").replace(
            "}}", "}")} for b in variant.get("buttons") or []]
        dispatcher.utter_message(text=str(variant.get("text", "")).format(**extra),
                                 buttons=buttons, json_message=variant.get("custom"))
    else:
        dispatcher.utter_message(response=response, **extra)


class ValidateBookingForm(Action):
    """Fill and check the booking slots from each message (``booking.dialogue``)."""

    def name(self) -> str:
        return "validate_booking_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        language = _language(tracker)
        reading = dialogue.read_message(
            _message_text(tracker), str(intent.get("name") or ""),
            float(intent.get("confidence") or 0.0), tracker.get_slot("requested_slot"),
            {slot: tracker.get_slot(slot) for slot in dialogue.REQUIRED},
            dt.datetime.now(dt.timezone.utc), _own_number(tracker), _notes(tracker), language)
        events: List[EventType] = [SlotSet(slot, value) for slot, value in reading.slots.items()]
        if reading.leave:
            # stopped: nothing kept, the form ends (action_submit_booking sends nothing)
            events = [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]
            events.append(SlotSet("requested_slot", None))
        if (events or reading.responses) and language != tracker.get_slot("language"):
            events.append(SlotSet("language", language))
        for said in reading.responses:
            _utter(dispatcher, tracker, domain, said, language)
        return events


class AskBooking(Action, metaclass=ABCMeta):
    """Ask the form's question for ``slot``; stay quiet when buttons just asked it.

    Abstract, so the action server registers only the subclasses (one per slot).
    """

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        notes = _notes(tracker)
        if notes.get("quiet") == self.slot:
            notes.pop("quiet")
            return [SlotSet(dialogue.NOTES, notes or None)]
        self.ask(dispatcher, tracker, notes)
        return []

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            notes: Dict[str, Any]) -> None:
        """The question itself: the slot's ``utter_ask_`` response."""
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")


class ActionAskBookingTime(AskBooking):
    """Ask for the day and time; when the day is known already, only for the time."""

    slot = dialogue.TIME

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            notes: Dict[str, Any]) -> None:
        day = when.from_value(str(notes.get("day") or ""))
        if day:
            dispatcher.utter_message(response="utter_ask_booking_time_on_day",
                                     day=summary.day_text(day.date, tracker.get_slot("language")))
        else:
            dispatcher.utter_message(response="utter_ask_booking_time")


class ActionAskBookingPeople(AskBooking):
    """How many people."""

    slot = dialogue.PEOPLE


class ActionAskBookingLocation(AskBooking):
    """Which spa."""

    slot = dialogue.LOCATION


class ActionAskBookingMassage(AskBooking):
    """Which massage."""

    slot = dialogue.MASSAGE


class ActionAskBookingName(AskBooking):
    """The name to book under."""

    slot = dialogue.NAME


class ActionAskBookingConfirmed(AskBooking):
    """The last look: the summary with Send, Change and Cancel (or which part to change)."""

    slot = dialogue.CONFIRMED

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            notes: Dict[str, Any]) -> None:
        if notes.get("change"):
            dispatcher.utter_message(response="utter_ask_booking_change")
            return
        values = summary.summary_values(
            {slot: tracker.get_slot(slot) for slot in dialogue.ALL_SLOTS},
            tracker.get_slot("language"))
        dispatcher.utter_message(response="utter_booking_summary", **values)
        dispatcher.utter_message(response="utter_ask_booking_confirmed")


class ActionAskBookingContact(AskBooking):
    """Ask where to confirm; on WhatsApp, offer the number the visitor writes from."""

    slot = dialogue.CONTACT

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            notes: Dict[str, Any]) -> None:
        number = _own_number(tracker)
        if number:
            dispatcher.utter_message(response="utter_ask_booking_contact_whatsapp",
                                     whatsapp_number=number)
        else:
            dispatcher.utter_message(response="utter_ask_booking_contact")


def _row(tracker: Tracker) -> Dict[str, Any]:
    slots = {slot: tracker.get_slot(slot) for slot in dialogue.ALL_SLOTS}
    return {"sender_id": tracker.sender_id,
            "channel": tracker.get_latest_input_channel() or "",
            "language": tracker.get_slot("language") or "en",
            "requested_time": slots[dialogue.TIME], "people": int(slots[dialogue.PEOPLE]),
            "location": slots[dialogue.LOCATION], "massage": slots[dialogue.MASSAGE],
            "name": slots[dialogue.NAME], "contact": slots[dialogue.CONTACT],
            "contact_method": slots[dialogue.CONTACT_METHOD] or "phone",
            # the client address's digest, set by the channel guard (channels/guard.py)
            "client_key": ((tracker.latest_message or {}).get("metadata") or {}).get(
                "client_key")}


def mail_outbox() -> int:
    """Send every request still in the outbox (this one and any an outage held back)."""
    return bookings.send_pending(engine(), mailer.mail_request, mailer.mail_alert)


def _not_taken(dispatcher: CollectingDispatcher, stored: bookings.Stored, language: str) -> bool:
    """Tell the visitor about a duplicate or a request over a cap; whether it was one."""
    if stored.outcome is bookings.Outcome.DUPLICATE:
        dispatcher.utter_message(text=say_limit("booking_duplicate", language,
                                                id=stored.booking_id))
    elif stored.outcome is bookings.Outcome.REFUSED:
        dispatcher.utter_message(text=say_limit("booking_over_cap", language))
    else:
        return False
    dispatcher.utter_message(response="utter_contacts")
    return True


class ActionSubmitBooking(Action):
    """After **Send**: store the request, say the team confirms, and mail the team.

    The form also ends when the visitor leaves it ("never mind"): then nothing
    is stored or sent (the validation action already said so).
    """

    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if tracker.get_slot(dialogue.CONFIRMED) is not True or any(
                tracker.get_slot(slot) is None for slot in dialogue.FIELDS):
            return [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]
        row = _row(tracker)
        try:
            stored = await asyncio.to_thread(bookings.store, engine(), row)
        except Exception:  # noqa: BLE001 - the visitor is told, and gets the contacts
            logger.exception("Could not store a booking request")
            dispatcher.utter_message(response="utter_booking_not_stored")
            dispatcher.utter_message(response="utter_contacts")
            return [SlotSet(dialogue.CONFIRMED, None)]
        if _not_taken(dispatcher, stored, row["language"]):
            return [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]
        logger.info("Booking request #%s stored (%s)", stored.booking_id, stored.outcome.value)
        dispatcher.utter_message(response=f"utter_booking_pending_{row['contact_method']}")
        dispatcher.utter_message(response="utter_contacts")
        task = asyncio.create_task(asyncio.to_thread(mail_outbox))
        _background.add(task)
        task.add_done_callback(_background.discard)
        return [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]


class ActionCancelBooking(Action):
    """The visitor stopped the form: nothing is stored or sent; forget the answers."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_booking_cancelled")
        return [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]
