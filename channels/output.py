"""Output channels that render whole bot messages with channels.render."""
from typing import Any, Dict

from rasa.core.channels.channel import OutputChannel

from channels.guard import Outcome, Pipeline, VisitorMessage, handle_visitor_message, slow_down
from channels.render import Reply


class RenderingOutput(OutputChannel):
    """An output channel that renders whole messages with channels.render.

    ``delivered`` counts the replies sent, so a turn with none can be noticed;
    ``language`` is the visitor's (set for each message by the guard).
    """

    delivered = 0
    language = "en"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Render the whole message at once (text, buttons and source together)."""
        reply = Reply.from_rasa(message, self.language)
        if not reply.is_empty:
            self.delivered += 1
            await self.deliver(recipient_id, reply)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text, for callers that bypass send_response."""
        self.delivered += 1
        await self.deliver(recipient_id, Reply(text=text, language=self.language))

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        """Send one rendered reply to the provider."""
        raise NotImplementedError


async def handle_and_render(message: VisitorMessage, pipeline: Pipeline) -> None:
    """``handle_visitor_message`` for a rendering channel: over the limit, say so politely."""
    handled = await handle_visitor_message(message, pipeline)
    if handled.outcome is Outcome.LIMITED:
        output: RenderingOutput = message.output  # type: ignore[assignment]
        await output.deliver(message.sender, Reply(text=slow_down(message.text)))
