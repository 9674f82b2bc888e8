"""storage/tracker_store.py: a long conversation keeps its slots and form when compacted."""
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.slots import CategoricalSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from storage.tracker_store import compact

SLOTS = [CategoricalSlot("language", [], values=["en", "vi", "ko"], initial_value="en"),
         TextSlot("requested_slot", [])]


def long_conversation() -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start"), SlotSet("language", "vi"),
              ActiveLoop("booking_form"), SlotSet("requested_slot", "booking_people")]
    for turn in range(40):
        events += [UserUttered(f"message {turn}"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("visitor", events, SLOTS)


def test_compaction_keeps_the_newest_events_and_restates_what_was_cut() -> None:
    tracker = long_conversation()
    last = tracker.events[-1]
    compact(tracker, 48, SLOTS)
    assert len(tracker.events) <= 48 and tracker.events[-1] is last
    replayed = DialogueStateTracker.from_events("visitor", list(tracker.events), SLOTS)
    assert replayed.get_slot("language") == "vi"
    assert replayed.get_slot("requested_slot") == "booking_people"
    assert replayed.active_loop_name == "booking_form"


def test_a_short_conversation_is_left_alone() -> None:
    tracker = DialogueStateTracker.from_events(
        "visitor", [ActionExecuted("action_session_start"), UserUttered("hi")], SLOTS)
    before = list(tracker.events)
    compact(tracker, 48, SLOTS)
    assert list(tracker.events) == before


def test_only_the_databases_own_message_means_busy() -> None:
    import sqlalchemy as sa

    from storage.shared_state import _busy
    from storage.tracker_store import is_busy

    quoting = sa.exc.OperationalError("INSERT INTO panda_counters ...", {"key": "sender:busy-bee"},
                                      Exception("no such table: panda_counters"))
    locked = sa.exc.OperationalError("INSERT ...", {"key": "sender:x"},
                                     Exception("database is locked"))
    assert "busy" in str(quoting)  # SQLAlchemy's text quotes the visitor's id
    assert not is_busy(quoting) and not _busy(quoting)
    assert is_busy(locked) and _busy(locked)
