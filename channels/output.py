"""Output channels that render whole bot messages with channels.render.

``ProviderOutput`` sends them to a provider's API (Messenger, both WhatsApps)
and notes on the conversation a reply that never reached the visitor.
"""
from typing import Any, Dict, List

from rasa.core.channels.channel import OutputChannel

from channels.delivery import append_events, fire_and_forget, not_delivered
from channels.guard import Outcome, Pipeline, VisitorMessage, handle_visitor_message, slow_down
from channels.http import SendResult
from channels.render import Reply


class RenderingOutput(OutputChannel):
    """An output channel that renders whole messages with channels.render.

    ``delivered`` counts the replies sent, so a turn with none can be noticed;
    ``language`` is the visitor's and ``script`` the Chinese script they write
    (both set for each message by the guard).
    """

    delivered = 0
    language = "en"
    script: str | None = None

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Render the whole message at once (text, buttons and source together)."""
        reply = Reply.from_rasa(message, self.language).in_script(self.script)
        if not reply.is_empty:
            self.delivered += 1
            await self.deliver(recipient_id, reply)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text, for callers that bypass send_response."""
        self.delivered += 1
        await self.deliver(recipient_id, Reply(text=text, language=self.language)
                           .in_script(self.script))

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        """Send one rendered reply to the provider."""
        raise NotImplementedError


async def handle_and_render(message: VisitorMessage, pipeline: Pipeline) -> None:
    """``handle_visitor_message`` for a rendering channel: over the limit, say so politely."""
    handled = await handle_visitor_message(message, pipeline)
    if handled.outcome is Outcome.LIMITED:
        output: RenderingOutput = message.output  # type: ignore[assignment]
        await output.deliver(message.sender, Reply(
            text=slow_down(handled.language, handled.script), language=handled.language,
            script=handled.script))


class ProviderOutput(RenderingOutput):
    """Sends rendered replies to a provider's API, one request per part, and records failures.

    A part still refused after retries stops the rest of its reply (it would make
    no sense without it) and is noted on the conversation as not delivered, so
    staff see it in the transcript.
    """

    def __init__(self, agent: Any = None) -> None:
        self.agent = agent
        self._current: Dict[str, Any] = {}

    def render(self, recipient_id: str, reply: Reply) -> List[Any]:
        """The requests (bodies or forms) for one reply."""
        raise NotImplementedError

    async def send_part(self, part: Any) -> SendResult:
        """Send one request to the provider, with retries."""
        raise NotImplementedError

    async def ready(self, recipient_id: str) -> None:
        """Wait for whatever must reach the visitor before the reply (Messenger's typing)."""

    def accepted(self, recipient_id: str, result: SendResult) -> None:
        """Note a part the provider accepted (Meta: the id a reaction will name)."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Remember which bot message is being sent (its response and time), then send it."""
        self._current = message
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._current = {}

    async def send_parts(self, recipient_id: str, reply: Reply) -> SendResult | None:
        """Send every part of ``reply``; the refusal that stopped it, or None when all went."""
        await self.ready(recipient_id)
        for part in self.render(recipient_id, reply):
            result = await self.send_part(part)
            if not result.ok:
                return result
            self.accepted(recipient_id, result)
        return None

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        refused = await self.send_parts(recipient_id, reply)
        if refused is not None:
            fire_and_forget(append_events(self.agent, recipient_id, [not_delivered(
                self.name(), self._current.get("timestamp"), refused.status,
                refused.error_code)]))
