"""Rasa's response generator, answering Traditional Chinese readers in their script.

The domain's Chinese variants are written in Simplified characters. For a
conversation whose ``script`` slot is ``hant``, the chosen variant's text,
button titles and translated source are converted to Traditional
(language/script.py); every other conversation gets the variant as written.
Configured in endpoints.yml (``nlg: type: language.nlg.ScriptNaturalLanguageGenerator``).
"""
from typing import Any, Dict

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from language.script import message_in_script


class ScriptNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """The domain's responses, in the visitor's Chinese script."""

    def __init__(self, endpoint_config: Any = None, domain: Domain | None = None,
                 **kwargs: Any) -> None:
        super().__init__(domain.responses if domain is not None else {})

    async def generate(self, utter_action: str, tracker: DialogueStateTracker,
                       output_channel: str, **kwargs: Any) -> Dict[str, Any] | None:
        """The response Rasa would pick, converted when the visitor writes Traditional."""
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if message is None or tracker.get_slot("language") != "zh":
            return message
        return message_in_script(message, tracker.get_slot("script"))
