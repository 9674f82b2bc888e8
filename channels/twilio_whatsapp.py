"""WhatsApp through Twilio, verified with X-Twilio-Signature.

Webhook: /webhooks/twilio_whatsapp/webhook (POST, form-encoded, from Twilio).
Buttons become a numbered list; a numeric reply is mapped back to its
button's payload, read from the conversation's last bot message, so a raw
payload such as ``/ask_sleep`` is never shown. Replies go through Twilio's
Messages API with retries; one still refused is recorded as not delivered. A
photo or voice note gets the polite "text only" reply. Unconfigured, it
refuses every request.
"""
import logging
from typing import Any, Dict, List
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import text as text_response

from channels.delivery import twilio_send
from channels.guard import VisitorMessage
from channels.http import SendResult, bad_request, forbidden
from channels.output import ProviderOutput
from channels.render import (
    Choice,
    Reply,
    choice_for_number,
    is_number_reply,
    to_twilio_whatsapp,
)
from channels.signatures import signed_by_twilio
from channels.webhook import Incoming, SignedWebhookInput, from_same_named

logger = logging.getLogger(__name__)
DEFAULT_API_URL = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def parse_form(body: bytes) -> Dict[str, List[str]]:
    """Every field of a form-encoded body, blank values included (Twilio signs them too)."""
    return parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                    max_num_fields=200)


def last_choices(events: List[Dict[str, Any]]) -> List[Choice]:
    """The postback buttons of the bot's messages since the visitor last spoke."""
    choices: List[Choice] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            found = Reply.from_rasa({"buttons": buttons}).choices
            if found:
                choices = found
                break
    return choices


class TwilioWhatsAppOutput(ProviderOutput):
    """Replies through Twilio's Messages API, with retries; a failed send is recorded."""

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 api_url: str, agent: Any = None) -> None:
        super().__init__(agent)
        self.auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.from_number = from_number
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"

    def render(self, recipient_id: str, reply: Reply) -> List[Dict[str, str]]:
        return [{"From": self.from_number, "To": recipient_id, "Body": body}
                for body in to_twilio_whatsapp(reply)]

    async def send_part(self, part: Dict[str, str]) -> SendResult:
        return await twilio_send(self.url, part, self.auth)


class TwilioWhatsAppInput(SignedWebhookInput):
    """Twilio WhatsApp webhook with request validation and replay refusal."""

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return from_same_named(cls, credentials)

    def __init__(self, account_sid: str, auth_token: str, whatsapp_number: str,
                 api_url: str = DEFAULT_API_URL, webhook_url: str = "") -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.whatsapp_number = whatsapp_number
        self.api_url = api_url
        self.webhook_url = webhook_url

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.whatsapp_number)

    def get_output_channel(self) -> TwilioWhatsAppOutput:
        return TwilioWhatsAppOutput(self.account_sid, self.auth_token, self.whatsapp_number,
                                    self.api_url, self.agent)

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: the public one when behind a proxy, else this one."""
        if self.webhook_url:
            return self.webhook_url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{request.scheme}://{request.host}{request.path}{query}"

    def refusal(self, request: Request) -> HTTPResponse | None:
        signature = request.headers.get("X-Twilio-Signature") or ""
        if not signature:
            return forbidden("missing or invalid X-Twilio-Signature")
        try:
            fields = parse_form(request.body)
        except (ValueError, UnicodeDecodeError):
            return bad_request("body is not form-encoded UTF-8")
        if not signed_by_twilio(self.auth_token, self.signed_url(request), fields, signature):
            return forbidden("missing or invalid X-Twilio-Signature")
        return None

    def incoming(self, request: Request) -> List[Incoming] | HTTPResponse:
        form = {k: v[0] for k, v in parse_form(request.body).items()}
        sender = form.get("From") or ""
        if not sender:
            return bad_request("From is missing")
        text = form.get("Body") or ""
        media = not text.strip() and form.get("NumMedia", "0") != "0"
        return [Incoming(sender, text, id=form.get("MessageSid") or "",
                         kind="media" if media else "text")]

    def accepted(self) -> HTTPResponse:
        return text_response(EMPTY_TWIML, content_type="text/xml")

    async def handled_here(self, agent: Any, message: Incoming) -> bool:
        """A photo or voice note: one polite "text only" reply, in the visitor's language."""
        if message.kind != "media":
            return False
        await self.reply_to_media(agent, message)
        return True

    async def visitor_message(self, agent: Any, message: Incoming,
                              message_id: str) -> VisitorMessage:
        """A numeric reply becomes the payload of that button of the last menu."""
        text = message.text
        # only a numeric reply needs the last menu (one tracker read)
        choice = (choice_for_number(text, await self._choices(agent, message.sender))
                  if is_number_reply(text) else None)
        return VisitorMessage(self.name(), message.sender, choice.payload if choice else text,
                              self.get_output_channel(), message_id,
                              {"choice_title": choice.title} if choice else None)

    @staticmethod
    async def _choices(agent: Any, sender: str) -> List[Choice]:
        if agent is None or agent.tracker_store is None:
            return []
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is None:
            return []
        return last_choices([e.as_dict() for e in tracker.events])
