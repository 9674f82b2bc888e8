"""WhatsApp through Meta's Cloud API, verified with X-Hub-Signature-256.

Webhook: /webhooks/whatsapp/webhook (GET verify handshake, POST events).
Replies go to ``<graph_api_url>/<phone_number_id>/messages`` as interactive
reply buttons (up to 3) or a list. Unconfigured, it refuses every request.
"""
import asyncio
from typing import Any, Dict, List

from rasa.core.channels.channel import InputChannel

from channels.delivery import fire_and_forget, side_effect
from channels.meta import DEFAULT_GRAPH_API_URL, MetaChannel, MetaOutput, event_seconds
from channels.render import Reply, is_emoji_only, to_whatsapp_cloud
from channels.webhook import Incoming, from_same_named

# message types that carry no text the bot could read
MEDIA_TYPES = {"image", "audio", "video", "document", "location", "contacts", "unsupported",
               "order", "system"}


class WhatsAppCloudOutput(MetaOutput):
    """Replies through the Cloud API messages endpoint."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, access_token: str, phone_number_id: str, graph_api_url: str,
                 agent: Any = None, pending: Dict[str, asyncio.Task] | None = None) -> None:
        super().__init__(f"{graph_api_url.rstrip('/')}/{phone_number_id}/messages",
                         access_token, agent, pending)

    def render(self, recipient_id: str, reply: Reply) -> List[Dict[str, Any]]:
        return to_whatsapp_cloud(reply, recipient_id)

    def message_id(self, answer: Dict[str, Any]) -> str:
        messages = answer.get("messages") or [{}]
        return str((messages[0] or {}).get("id") or "")


def _text_of(message: Dict[str, Any]) -> str | None:
    kind = message.get("type")
    if kind == "text":
        return (message.get("text") or {}).get("body")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        picked = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return picked.get("id")
    if kind == "button":
        return (message.get("button") or {}).get("payload")
    return "" if kind else None


def _kind_of(message: Dict[str, Any], text: str) -> str:
    kind = str(message.get("type") or "")
    if kind == "sticker":
        return "sticker"
    if kind in MEDIA_TYPES or (kind not in ("text", "interactive", "button") and not text):
        return "media"
    if kind == "text" and is_emoji_only(text):
        return "emoji"
    return "text"


class WhatsAppCloudInput(MetaChannel):
    """WhatsApp Cloud API webhook with SHA-256 signatures and replay refusal.

    Photos, voice notes, videos and documents get one polite "text only"
    reply, stickers and emoji a friendly one; a reaction to an answer rates
    it. Each accepted message is marked read (best effort).
    """

    object_type = "whatsapp_business_account"

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return from_same_named(cls, credentials)

    def __init__(self, verify_token: str, app_secret: str, access_token: str,
                 phone_number_id: str, graph_api_url: str = DEFAULT_GRAPH_API_URL) -> None:
        super().__init__(verify_token, app_secret)
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.graph_api_url = graph_api_url

    @property
    def configured(self) -> bool:
        return super().configured and bool(self.access_token and self.phone_number_id)

    def get_output_channel(self) -> WhatsAppCloudOutput:
        return WhatsAppCloudOutput(self.access_token, self.phone_number_id, self.graph_api_url,
                                   self.agent, self.pending)

    def side_effects(self, message: Incoming) -> None:
        if not message.id:
            return
        self.ahead_of_answer(message.sender, fire_and_forget(side_effect(
            f"{self.graph_api_url.rstrip('/')}/{self.phone_number_id}/messages",
            [{"messaging_product": "whatsapp", "status": "read", "message_id": message.id}],
            self.access_token, "WhatsApp read receipt")))

    def user_messages(self, body: Dict[str, Any]) -> List[Incoming]:
        found = []
        for entry in body.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                for message in ((change or {}).get("value") or {}).get("messages") or []:
                    message = message or {}
                    sender = str(message.get("from") or "")
                    if not sender:
                        continue
                    mid = str(message.get("id") or "")
                    if message.get("type") == "reaction":
                        reaction = message.get("reaction") or {}
                        emoji = str(reaction.get("emoji") or "")
                        found.append(Incoming(
                            sender, "", id=mid, kind="reaction", emoji=emoji,
                            target=str(reaction.get("message_id") or ""), removed=not emoji,
                            time=event_seconds(message.get("timestamp"))))
                        continue
                    text = _text_of(message)
                    if isinstance(text, str):
                        found.append(Incoming(sender, text, id=mid, kind=_kind_of(message, text),
                                              time=event_seconds(message.get("timestamp"))))
        return found
