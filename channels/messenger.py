"""Facebook Messenger, verified with X-Hub-Signature-256.

Webhook: /webhooks/messenger/webhook (GET verify handshake, POST events).
Unconfigured (no app secret, verify token or page token) it refuses every request.
"""
from typing import Any, Dict, List

from rasa.core.channels.channel import InputChannel

from channels.base import (
    DEFAULT_GRAPH_API_URL,
    MetaWebhookInput,
    RenderingOutput,
    event_seconds,
    from_same_named,
    post,
)
from channels.render import Reply, to_messenger


class MessengerOutput(RenderingOutput):
    """Replies through the Send API."""

    @classmethod
    def name(cls) -> str:
        return "messenger"

    def __init__(self, page_access_token: str, graph_api_url: str) -> None:
        self.page_token = page_access_token
        self.url = f"{graph_api_url.rstrip('/')}/me/messages"

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        for message in to_messenger(reply):
            await post(
                self.url,
                json_body={"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE",
                           "message": message},
                headers={"Authorization": f"Bearer {self.page_token}"},
            )


def _text_of(event: Dict[str, Any]) -> str | None:
    message = event.get("message") or {}
    if (message.get("quick_reply") or {}).get("payload"):
        return str(message["quick_reply"]["payload"])
    if isinstance(message.get("text"), str):
        return message["text"]
    if (event.get("postback") or {}).get("payload"):
        return str(event["postback"]["payload"])
    if message.get("attachments"):
        return "[attachment]"
    return None


class MessengerInput(MetaWebhookInput):
    """Messenger webhook with SHA-256 signatures, the verify handshake and replay refusal."""

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
        self.page_token = page_access_token
        self.graph_api_url = graph_api_url

    @property
    def configured(self) -> bool:
        return super().configured and bool(self.page_token)

    def get_output_channel(self) -> RenderingOutput:
        return MessengerOutput(self.page_token, self.graph_api_url)

    def user_messages(self, body: Dict[str, Any]) -> List[Dict[str, Any]]:
        found = []
        for entry in body.get("entry") or []:
            for event in (entry or {}).get("messaging") or []:
                sender = str(((event or {}).get("sender") or {}).get("id") or "")
                message = event.get("message") or {}
                text = _text_of(event)
                if sender and text is not None and not message.get("is_echo"):
                    mid = message.get("mid") or (event.get("postback") or {}).get("mid") or ""
                    found.append({"sender": sender, "text": text, "id": str(mid),
                                  "time": event_seconds(event.get("timestamp"), 1000)})
        return found
