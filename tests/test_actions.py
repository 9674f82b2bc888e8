"""actions/actions.py run with rasa_sdk's real Tracker and dispatcher, no network."""
from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import DID_YOU_MEAN, ActionSuggestQuestions


def tracker_with(ranking: list, slots: Dict[str, Any]) -> Tracker:
    latest = {"text": "hmm", "intent": ranking[0], "intent_ranking": ranking, "entities": []}
    return Tracker("visitor", slots, latest, [], False, None, {}, "action_listen")


async def test_unsure_turn_offers_questions(domain: Any) -> None:
    dispatcher = CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.45},
               {"name": "ask_sleep", "confidence": 0.4},
               {"name": "ask_best_time", "confidence": 0.3}]
    events = await ActionSuggestQuestions().run(
        dispatcher, tracker_with(ranking, {"massage_type": "foot"}), domain.as_dict()
    )
    assert events == []
    (message,) = dispatcher.messages
    assert message["text"] == DID_YOU_MEAN
    assert [b["title"] for b in message["buttons"]] == [
        "Does foot massage help with sleep?", "When is the best time for a massage?",
        "Talk to the spa",
    ]


async def test_nothing_to_suggest_says_what_it_can_do(domain: Any) -> None:
    dispatcher = CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.3}]
    await ActionSuggestQuestions().run(dispatcher, tracker_with(ranking, {}), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope", "utter_contacts"]


async def test_unsure_between_hand_offs_offers_only_the_real_question(domain: Any) -> None:
    dispatcher = CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.45},
               {"name": "ask_not_covered", "confidence": 0.3},
               {"name": "ask_health_condition", "confidence": 0.25},
               {"name": "ask_frequency", "confidence": 0.2}]
    await ActionSuggestQuestions().run(dispatcher, tracker_with(ranking, {}), domain.as_dict())
    (message,) = dispatcher.messages
    assert [b["payload"] for b in message["buttons"]] == ["/ask_frequency", "/contact"]
