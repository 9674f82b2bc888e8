"""channels/output.py: a rendering output sends whole messages and counts them."""
from typing import List, Tuple

from channels.output import RenderingOutput
from channels.render import Reply


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
