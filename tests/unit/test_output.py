"""channels/output.py: a rendering output sends whole messages and counts them."""
import uuid
from typing import Dict, List, Tuple

import pytest
from rasa.core.channels.channel import UserMessage

from channels.guard import (
    Limits,
    Outcome,
    Pipeline,
    SharedLimiter,
    VisitorMessage,
    conversation_id,
    handle_visitor_message,
    slow_down,
)
from channels.output import RenderingOutput, handle_and_render
from channels.render import Reply
from language.texts import TEXTS
from storage.shared_state import MemoryState


class Kept(RenderingOutput):
    """A rendering output that keeps what it would send."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, Reply]] = []

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        self.sent.append((recipient_id, reply))


async def test_a_message_is_rendered_whole_and_counted() -> None:
    output = Kept()
    output.language = "vi"
    await output.send_response("v1", {"text": "Xin chào", "buttons": [
        {"title": "Đặt lịch", "payload": "/book"},
        {"title": "Gọi", "type": "web_url", "url": "tel:+84708185397"}]})
    ((recipient, reply),) = output.sent
    assert (recipient, reply.text, reply.language, output.delivered) == ("v1", "Xin chào", "vi", 1)
    assert [c.payload for c in reply.choices] == ["/book"]
    assert [link.url for link in reply.links] == ["tel:+84708185397"]


async def test_an_empty_message_is_neither_sent_nor_counted() -> None:
    output = Kept()
    await output.send_response("v1", {"text": "  ", "custom": {"kind": "handoff"}})
    assert (output.sent, output.delivered) == ([], 0)


async def test_plain_text_is_sent_in_the_visitor_language() -> None:
    output = Kept()
    output.language = "ko"
    await output.send_text_message("v1", "안녕하세요")
    assert [(r, m.text, m.language) for r, m in output.sent] == [("v1", "안녕하세요", "ko")]
    assert output.delivered == 1


# --- the rate-limit reply speaks the conversation's language --------------------

class Tracker:
    def __init__(self, language: str | None) -> None:
        self.language = language

    def get_slot(self, name: str) -> str | None:
        return self.language if name == "language" else None


class Store:
    """A tracker store holding each conversation's ``language`` slot."""

    def __init__(self, languages: Dict[str, str] | None = None) -> None:
        self.languages = languages or {}
        self.reads: List[str] = []

    async def retrieve(self, sender_id: str) -> Tracker | None:
        self.reads.append(sender_id)
        if sender_id not in self.languages:
            return None
        return Tracker(self.languages[sender_id])


class Agent:
    def __init__(self, store: Store) -> None:
        self.tracker_store = store
        self.domain = None


def pipeline(store: Store, per_sender: int = 1) -> Pipeline:
    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "an answer"})

    return Pipeline(answer, SharedLimiter(Limits(per_sender=per_sender), MemoryState()),
                    Agent(store))


async def send(the_pipeline: Pipeline, sender: str, text: str) -> Kept:
    output = Kept()
    await handle_and_render(VisitorMessage("rest", sender, text, output), the_pipeline)
    return output


async def test_over_the_limit_a_vietnamese_conversation_is_asked_to_slow_down_in_vietnamese(
        ) -> None:
    """The refused message is English ("hello?"), the conversation is Vietnamese."""
    sender = f"vi-{uuid.uuid4().hex[:8]}"
    store = Store({conversation_id("rest", sender): "vi"})
    limited = pipeline(store, per_sender=1)
    await send(limited, sender, "massage chân có giúp ngủ ngon không")
    refused = await send(limited, sender, "hello?")
    assert [(reply.text, reply.language) for _, reply in refused.sent] == \
        [(TEXTS["slow_down"]["vi"], "vi")]


async def test_the_language_of_the_last_answered_turn_wins_over_the_refused_message() -> None:
    sender = f"ko-{uuid.uuid4().hex[:8]}"
    limited = pipeline(Store(), per_sender=1)  # nothing stored: this process remembers
    await send(limited, sender, "발 마사지가 수면에 도움이 되나요?")
    refused = await send(limited, sender, "ok thanks, one more question")
    assert [reply.text for _, reply in refused.sent] == [TEXTS["slow_down"]["ko"]]


def spent(store: Store, sender: str) -> Pipeline:
    """A pipeline whose limiter has already let ``sender``'s one message of the minute in."""
    the_pipeline = pipeline(store, per_sender=1)
    the_pipeline.limiter.check(the_pipeline.agent, conversation_id("rest", sender), None)
    return the_pipeline


async def test_a_stored_conversation_is_read_once_however_many_messages_are_refused() -> None:
    sender = f"st-{uuid.uuid4().hex[:8]}"
    store = Store({conversation_id("rest", sender): "ko"})
    the_pipeline = spent(store, sender)
    replies = [await send(the_pipeline, sender, "hi") for _ in range(5)]
    assert [reply.text for output in replies for _, reply in output.sent] == \
        [TEXTS["slow_down"]["ko"]] * 5
    assert store.reads == [conversation_id("rest", sender)]


@pytest.mark.parametrize("text,language", [
    ("xin chào, cho mình hỏi", "vi"), ("안녕하세요", "ko"), ("hello", "en"), ("👍", "en")])
async def test_a_conversation_with_no_language_yet_gets_the_message_language(
        text: str, language: str) -> None:
    sender = f"new-{uuid.uuid4().hex[:8]}"
    handled = await handle_visitor_message(VisitorMessage("rest", sender, text, Kept()),
                                           spent(Store(), sender))
    assert handled.outcome is Outcome.LIMITED
    assert (handled.language, slow_down(handled.language)) == \
        (language, TEXTS["slow_down"][language])


async def test_a_failing_tracker_store_still_gets_a_slow_down_in_the_message_language() -> None:
    class Broken(Store):
        async def retrieve(self, sender_id: str) -> Tracker | None:
            raise ConnectionError("database is down")

    sender = f"br-{uuid.uuid4().hex[:8]}"
    output = Kept()
    await handle_and_render(VisitorMessage("rest", sender, "cho mình hỏi giá", output),
                            spent(Broken(), sender))
    assert [reply.text for _, reply in output.sent] == [TEXTS["slow_down"]["vi"]]
