"""WhatsApp through Meta's Cloud API, verified with X-Hub-Signature-256.

Webhook: /webhooks/whatsapp/webhook (GET verify handshake, POST events).
Replies go to ``<graph_api_url>/<phone_number_id>/messages`` as interactive
reply buttons (up to 3) or a list. Unconfigured, it refuses every request.
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
from channels.render import Reply, to_whatsapp_cloud


class WhatsAppCloudOutput(RenderingOutput):
    """Replies through the Cloud API messages endpoint."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, access_token: str, phone_number_id: str, graph_api_url: str) -> None:
        self.bearer = access_token
        self.url = f"{graph_api_url.rstrip('/')}/{phone_number_id}/messages"

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        for message in to_whatsapp_cloud(reply, recipient_id):
            await post(self.url, json_body=message,
                       headers={"Authorization": f"Bearer {self.bearer}"})


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
    return f"[{kind}]" if kind else None


class WhatsAppCloudInput(MetaWebhookInput):
    """WhatsApp Cloud API webhook with SHA-256 signatures and replay refusal."""

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
        self.bearer = access_token
        self.phone_number_id = phone_number_id
        self.graph_api_url = graph_api_url

    @property
    def configured(self) -> bool:
        return super().configured and bool(self.bearer and self.phone_number_id)

    def get_output_channel(self) -> RenderingOutput:
        return WhatsAppCloudOutput(self.bearer, self.phone_number_id, self.graph_api_url)

    def user_messages(self, body: Dict[str, Any]) -> List[Dict[str, Any]]:
        found = []
        for entry in body.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                for message in ((change or {}).get("value") or {}).get("messages") or []:
                    text = _text_of(message or {})
                    sender = str((message or {}).get("from") or "")
                    if sender and isinstance(text, str):
                        found.append({"sender": sender, "text": text,
                                      "id": str(message.get("id") or ""),
                                      "time": event_seconds(message.get("timestamp"))})
        return found
