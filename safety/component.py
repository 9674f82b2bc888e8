"""A Rasa NLU component that applies the safety rule to the classifier's choice.

Placed after the intent classifier and before ``FallbackClassifier``: when a
message names a health condition, a risk or a contraindication
(``safety.terms``) and the classifier chose a benefit answer, or was unsure,
the message is read as the safety question (``ask_health_condition``).
Confident readings whose answers carry their own caveat (pregnancy, the safety
answer itself) or are spa facts (prices, hours, location) are left alone; "ask
the team" is no answer to a health question, so it gives way too.
"""
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety.terms import names_a_condition, names_pregnancy

DEFAULTS: Dict[str, Any] = {
    "safety_intent": "ask_health_condition",
    # a pregnancy question gets the prenatal answer (caveated), never another one
    "pregnancy_intent": "ask_pregnancy",
    # confident readings left alone: answers with their own caveat, and spa facts
    "keep": ["ask_health_condition", "ask_pregnancy", "ask_prices", "ask_opening_hours",
             "ask_location"],
    "question_prefix": "ask_",
    # below this the classifier is unsure (FallbackClassifier's threshold in
    # config.yml); a named condition then gets the safety answer
    "unsure_below": 0.50,
    "confidence": 0.95,
}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyGate(GraphComponent):
    """Reads a benefit (or unsure) reading of a condition question as the safety question."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The safety intent, the answers left alone, and the unsure level."""
        return dict(DEFAULTS)

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = {**DEFAULTS, **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyGate":
        """A gate with ``config``."""
        return cls(config)

    def reading(self, intent: Dict[str, Any] | None, text: str) -> str | None:
        """The question the message must be read as, or None to keep the classifier's."""
        name = (intent or {}).get("name") or ""
        confidence = float((intent or {}).get("confidence") or 0.0)
        benefit = (name.startswith(self.config["question_prefix"])
                   and name not in self.config["keep"])
        unsure = confidence < self.config["unsure_below"]
        safety, pregnancy = self.config["safety_intent"], self.config["pregnancy_intent"]
        # the safety answer itself is made certain, so no "did you mean" stands in for it
        if (benefit or unsure or name == safety) and names_a_condition(text):
            return safety
        # a pregnancy question gets the prenatal answer, made certain the same way
        if (benefit or unsure or name == pregnancy) and names_pregnancy(text):
            return pregnancy
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        """Apply the rule to each message."""
        for message in messages:
            target = self.reading(message.get(INTENT), message.get(TEXT) or "")
            if target is None:
                continue
            certainty = float(self.config["confidence"])
            chosen = {"name": target, "confidence": certainty}
            others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != target]
            # the others share what is left, so none rivals the safety reading
            total = sum(float(r.get("confidence") or 0.0) for r in others) or 1.0
            ranking = [{**r, "confidence": float(r.get("confidence") or 0.0) / total
                        * (1.0 - certainty)} for r in others]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages
