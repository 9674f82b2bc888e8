"""Facebook Messenger, verified with X-Hub-Signature-256.

Webhook: /webhooks/messenger/webhook (GET verify handshake, POST events).
Unconfigured (no app secret, verify token or page token) it refuses every request.
"""
import asyncio
from typing import Any, Dict, List

from rasa.core.channels.channel import InputChannel

from channels.delivery import fire_and_forget, side_effect
from channels.meta import DEFAULT_GRAPH_API_URL, MetaChannel, MetaOutput, event_seconds
from channels.render import Reply, is_emoji_only, to_messenger
from channels.webhook import Incoming, from_same_named


class MessengerOutput(MetaOutput):
    """Replies through the Send API."""

    @classmethod
    def name(cls) -> str:
        return "messenger"

    def __init__(self, page_access_token: str, graph_api_url: str, agent: Any = None,
                 pending: Dict[str, asyncio.Task] | None = None) -> None:
        super().__init__(f"{graph_api_url.rstrip('/')}/me/messages", page_access_token, agent,
                         pending)

    def message_id(self, answer: Dict[str, Any]) -> str:
        return str(answer.get("message_id") or "")

    def render(self, recipient_id: str, reply: Reply) -> List[Dict[str, Any]]:
        return [{"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE",
                 "message": message} for message in to_messenger(reply)]


def _kind_of(message: Dict[str, Any]) -> str:
    """text, sticker or media, for a Messenger message object."""
    if message.get("sticker_id"):
        return "sticker"
    attachments = message.get("attachments") or []
    if any(((a or {}).get("payload") or {}).get("sticker_id") for a in attachments):
        return "sticker"
    if attachments and not message.get("text"):
        return "media"
    text = message.get("text")
    if isinstance(text, str) and is_emoji_only(text):
        return "emoji"
    return "text"


def _text_of(event: Dict[str, Any]) -> str | None:
    message = event.get("message") or {}
    if (message.get("quick_reply") or {}).get("payload"):
        return str(message["quick_reply"]["payload"])
    if isinstance(message.get("text"), str):
        return message["text"]
    if (event.get("postback") or {}).get("payload"):
        return str(event["postback"]["payload"])
    if message.get("attachments") or message.get("sticker_id"):
        return ""
    return None


class MessengerInput(MetaChannel):
    """Messenger webhook with SHA-256 signatures, the verify handshake and replay refusal.

    Photos, voice notes, videos and files get one polite "text only" reply,
    stickers and emoji a friendly one; a reaction to an answer rates it. Each
    accepted message is marked seen and a typing indicator shown (best effort).
    """

    object_type = "page"

    @classmethod
    def name(cls) -> str:
        return "messenger"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return from_same_named(cls, credentials)

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str,
                 graph_api_url: str = DEFAULT_GRAPH_API_URL) -> None:
        super().__init__(verify_token, app_secret)
        self.page_access_token = page_access_token
        self.graph_api_url = graph_api_url

    @property
    def configured(self) -> bool:
        return super().configured and bool(self.page_access_token)

    def get_output_channel(self) -> MessengerOutput:
        return MessengerOutput(self.page_access_token, self.graph_api_url, self.agent,
                               self.pending)

    def side_effects(self, message: Incoming) -> None:
        recipient = {"id": message.sender}
        self.ahead_of_answer(message.sender, fire_and_forget(side_effect(
            f"{self.graph_api_url.rstrip('/')}/me/messages",
            [{"recipient": recipient, "sender_action": "mark_seen"},
             {"recipient": recipient, "sender_action": "typing_on"}],
            self.page_access_token, "Messenger mark_seen / typing_on")))

    def user_messages(self, body: Dict[str, Any]) -> List[Incoming]:
        found = []
        for entry in body.get("entry") or []:
            for event in (entry or {}).get("messaging") or []:
                sender = str(((event or {}).get("sender") or {}).get("id") or "")
                if not sender:
                    continue
                reaction = event.get("reaction")
                if isinstance(reaction, dict):
                    removed = reaction.get("action") == "unreact"
                    target = str(reaction.get("mid") or "")
                    found.append(Incoming(
                        sender, "", kind="reaction", target=target,
                        emoji=str(reaction.get("emoji") or ""), removed=removed,
                        id=f"reaction:{target}:{reaction.get('action')}:"
                           f"{reaction.get('emoji')}:{event.get('timestamp')}",
                        time=event_seconds(event.get("timestamp"), 1000)))
                    continue
                message = event.get("message") or {}
                text = _text_of(event)
                if text is None or message.get("is_echo"):
                    continue
                kind = "text" if event.get("postback") or message.get("quick_reply") \
                    else _kind_of(message)
                mid = message.get("mid") or (event.get("postback") or {}).get("mid") or ""
                found.append(Incoming(sender, text, id=str(mid), kind=kind,
                                      time=event_seconds(event.get("timestamp"), 1000)))
        return found
