"""Action classes: thin wrappers that read the tracker and call other modules."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.suggestions import TALK_TO_SPA, suggestion_buttons
from language.texts import TEXTS, say

DID_YOU_MEAN = TEXTS["did_you_mean"]["en"]


class ActionSuggestQuestions(Action):
    """Below the confidence threshold: offer the likeliest questions, never guess."""

    def name(self) -> str:
        return "action_suggest_questions"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[EventType]:
        ranking: List[Dict[str, Any]] = tracker.latest_message.get(
            "intent_ranking", []
        )
        buttons = suggestion_buttons(
            ranking, domain.get("responses", {}), tracker.current_slot_values()
        )
        if len(buttons) > 1:
            language = tracker.get_slot("language")
            buttons = [{**b, "title": say("talk_to_spa", language)}
                       if b["payload"] == TALK_TO_SPA["payload"] else b for b in buttons]
            dispatcher.utter_message(text=say("did_you_mean", language), buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
            dispatcher.utter_message(response="utter_contacts")
        return []
