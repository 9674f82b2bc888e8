"""Booking form actions: thin wrappers over ``booking`` (logic) and ``storage.bookings``."""
import asyncio
import datetime as dt
import logging
from typing import Any, Dict, List

import sqlalchemy as sa
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from booking import dialogue, mailer, summary
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


class ValidateBookingForm(Action):
    """Fill and check the booking slots from each message (``booking.dialogue``)."""

    def name(self) -> str:
        return "validate_booking_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        reading = dialogue.read_message(
            _message_text(tracker), str(intent.get("name") or ""),
            float(intent.get("confidence") or 0.0), tracker.get_slot("requested_slot"),
            {slot: tracker.get_slot(slot) for slot in dialogue.REQUIRED},
            dt.datetime.now(dt.timezone.utc), _own_number(tracker))
        events: List[EventType] = [SlotSet(slot, value) for slot, value in reading.slots.items()]
        kept = None
        if events and tracker.get_slot("requested_slot") in dialogue.KEEP_LANGUAGE_FOR:
            before = _language_before_this_message(tracker)
            if before != tracker.get_slot("language"):
                kept = before
                events.append(SlotSet("language", before))
        for response, values in reading.responses:
            if kept:
                # Rasa would pick the variant for the language this message seemed to be in
                slots = {**tracker.current_slot_values(), "language": kept}
                variant = variant_for(domain.get("responses", {}).get(response, []), slots)
                dispatcher.utter_message(text=str((variant or {}).get("text", "")))
            else:
                dispatcher.utter_message(response=response, **values)
        return events


class ActionAskBookingContact(Action):
    """Ask where to confirm; on WhatsApp, offer the number the visitor writes from."""

    def name(self) -> str:
        return "action_ask_booking_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        number = _own_number(tracker)
        if number:
            dispatcher.utter_message(response="utter_ask_booking_contact_whatsapp",
                                     whatsapp_number=number)
        else:
            dispatcher.utter_message(response="utter_ask_booking_contact")
        return []


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
    """Store the request, summarise it, say the team confirms, and mail the team."""

    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            row = _row(tracker)
            stored = await asyncio.to_thread(bookings.store, engine(), row)
        except Exception:  # noqa: BLE001 - the visitor is told, and gets the contacts
            logger.exception("Could not store a booking request")
            dispatcher.utter_message(response="utter_booking_not_stored")
            dispatcher.utter_message(response="utter_contacts")
            return []
        if _not_taken(dispatcher, stored, row["language"]):
            return [SlotSet(slot, None) for slot in dialogue.ALL_SLOTS]
        values = summary.summary_values(
            {slot: tracker.get_slot(slot) for slot in dialogue.ALL_SLOTS},
            tracker.get_slot("language"))
        dispatcher.utter_message(response="utter_booking_summary", **values)
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
