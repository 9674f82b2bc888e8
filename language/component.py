"""A Rasa NLU component that tags each message with its language.

It adds an entity ``language`` (``en``, ``vi`` or ``ko``) to every message
whose language ``language.detect`` can tell, which fills the ``language`` slot.
A message that tells no language (emoji, a number, "ok") gets no entity, so the
slot keeps the conversation's last language; the chat page's ``language`` hint
in the message metadata is used then, when there is one.
"""
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.detect import LANGUAGES, detect, warm_up

ENTITY = "language"
METADATA = "metadata"


def hinted_language(message: Message) -> str | None:
    """The language the client asked for in the message metadata, if valid."""
    metadata = message.get(METADATA)
    hint = metadata.get(ENTITY) if isinstance(metadata, dict) else None
    return hint if hint in LANGUAGES else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Adds the entity ``language`` to each message whose language it can tell."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        """Load the detector's model once, when the Rasa model loads."""
        warm_up()
        return cls()

    @staticmethod
    def required_packages() -> List[str]:
        """The detector's own model."""
        return ["lingua"]

    def process(self, messages: List[Message]) -> List[Message]:
        """Tag each message with its language."""
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect(text) or hinted_language(message)
            if not language:
                continue
            entity = {
                "entity": ENTITY,
                "value": language,
                "start": 0,
                "end": len(text),
                "confidence": 1.0,
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training messages are left as they are."""
        return training_data
