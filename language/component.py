"""Rasa NLU components that tag each message with its language (and Chinese script).

``LanguageDetector`` adds an entity ``language`` (``en``, ``vi``, ``ko`` or ``zh``) to every message
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
from language.script import HANT, script_of, to_simplified

ENTITY = "language"
SCRIPT_ENTITY = "script"
AS_TYPED = "text_as_typed"  # a converted message's own words, until TextAsTyped restores them
METADATA = "metadata"


def tag(message: Message, entity: str, value: str, extractor: str) -> None:
    """Add the entity ``entity`` = ``value``, spanning the whole message, to its entities."""
    found = {"entity": entity, "value": value, "start": 0, "end": len(message.get(TEXT) or ""),
             "confidence": 1.0, "extractor": extractor}
    message.set(ENTITIES, [*message.get(ENTITIES, []), found], add_to_output=True)


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
            if language:
                tag(message, ENTITY, language, self.__class__.__name__)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training messages are left as they are."""
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class ChineseScript(GraphComponent):
    """Reads Traditional Chinese as Simplified, and notes which script the visitor writes.

    First in the pipeline, so that the tokenizer, the featurizers and the
    classifier see one script (the training data's, Simplified). A message whose
    characters show its script gets the entity ``script`` (``hans`` or
    ``hant``), which fills the slot the replies are converted by
    (language/nlg.py). Registered as a featurizer so that Rasa runs it on the
    training examples too. ``TextAsTyped``, last in the pipeline, gives the
    message back its own words for what follows (the actions, the logs).
    """

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChineseScript":
        """Nothing to load: the converter is made on first use."""
        return cls()

    @staticmethod
    def required_packages() -> List[str]:
        """OpenCC's converter."""
        return ["opencc"]

    def process(self, messages: List[Message]) -> List[Message]:
        """Write each Chinese message in Simplified characters; tag its script."""
        for message in messages:
            text = message.get(TEXT) or ""
            script = script_of(text)
            if script is None:
                continue
            if script == HANT:
                message.set(AS_TYPED, text)
                message.set(TEXT, to_simplified(text))
            tag(message, SCRIPT_ENTITY, script, self.__class__.__name__)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples written in Traditional characters are read as Simplified."""
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if text and script_of(text) == HANT:
                example.set(TEXT, to_simplified(text))
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class TextAsTyped(GraphComponent):
    """Last in the pipeline: a message ``ChineseScript`` converted gets its own words back.

    The parse result, the actions (a booking name such as 陳先生) and the staff
    console then see what the visitor typed, in their script.
    """

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TextAsTyped":
        """Nothing to load."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Restore the text of each converted message."""
        for message in messages:
            typed = message.get(AS_TYPED)
            if typed:
                message.set(TEXT, typed)
                message.data.pop(AS_TYPED, None)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep the script they are trained in."""
        return training_data
