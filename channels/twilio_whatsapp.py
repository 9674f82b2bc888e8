"""WhatsApp through Twilio, verified with X-Twilio-Signature.

Webhook: /webhooks/twilio_whatsapp/webhook (POST, form-encoded, from Twilio).
Buttons become a numbered list; a numeric reply is mapped back to its
button's payload, read from the conversation's last bot message, so a raw
payload such as ``/ask_sleep`` is never shown. Unconfigured, it refuses every
request.
"""
import logging
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sanic.response import text as text_response
from twilio.request_validator import RequestValidator

from channels.base import (
    RenderingOutput,
    ReplayGuard,
    bad_request,
    body_id,
    forbidden,
    from_same_named,
    handle_and_render,
    last_choices,
    limit_request_size,
    post,
)
from channels.delivery import contact_card, visitor_language
from channels.guard import Pipeline, SharedLimiter, VisitorMessage
from channels.render import (
    Reply,
    choice_for_number,
    is_number_reply,
    media_reply,
    to_twilio_whatsapp,
)

logger = logging.getLogger(__name__)
DEFAULT_API_URL = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def parse_form(body: bytes) -> Dict[str, List[str]]:
    """Every field of a form-encoded body, blank values included (Twilio signs them too)."""
    return parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                    max_num_fields=200)


class ParamList(dict):
    """Form fields as Twilio's RequestValidator reads repeated values (``getlist``)."""

    def getlist(self, name: str) -> List[str]:
        """Every value of ``name``."""
        return list(self[name])


def signed_by_twilio(auth_token: str, url: str, form: Dict[str, List[str]],
                     signature: str) -> bool:
    """Whether ``signature`` is Twilio's X-Twilio-Signature for ``url`` and ``form``."""
    if not auth_token or not signature or not signature.isascii():
        return False
    return bool(RequestValidator(auth_token).validate(url, ParamList(form), signature))


class TwilioWhatsAppOutput(RenderingOutput):
    """Replies through Twilio's Messages API."""

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 api_url: str) -> None:
        self.auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.from_number = from_number
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        for body in to_twilio_whatsapp(reply):
            await post(self.url, data={"From": self.from_number, "To": recipient_id,
                                       "Body": body}, auth=self.auth)


class TwilioWhatsAppInput(InputChannel):
    """Twilio WhatsApp webhook with request validation and replay refusal."""

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return from_same_named(cls, credentials)

    def __init__(self, account_sid: str, auth_token: str, whatsapp_number: str,
                 api_url: str = DEFAULT_API_URL, webhook_url: str = "") -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.whatsapp_number = whatsapp_number
        self.api_url = api_url
        self.webhook_url = webhook_url
        self.replays = ReplayGuard(self.name())
        self.limiter = SharedLimiter()

    @property
    def configured(self) -> bool:
        """Whether every secret is set; otherwise every request is refused."""
        return bool(self.account_sid and self.auth_token and self.whatsapp_number)

    def get_output_channel(self) -> RenderingOutput:
        return TwilioWhatsAppOutput(self.account_sid, self.auth_token, self.whatsapp_number,
                                    self.api_url)

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: the public one when behind a proxy, else this one."""
        if self.webhook_url:
            return self.webhook_url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{request.scheme}://{request.host}{request.path}{query}"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        hook = Blueprint("twilio_whatsapp_webhook", __name__)
        limit_request_size(hook)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok", "configured": self.configured})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return forbidden("channel not configured")
            signature = request.headers.get("X-Twilio-Signature") or ""
            if not signature:
                return forbidden("missing or invalid X-Twilio-Signature")
            try:
                fields = parse_form(request.body)
            except (ValueError, UnicodeDecodeError):
                return bad_request("body is not form-encoded UTF-8")
            if not signed_by_twilio(self.auth_token, self.signed_url(request), fields, signature):
                return forbidden("missing or invalid X-Twilio-Signature")
            form = {k: v[0] for k, v in fields.items()}
            sender, sid = form.get("From") or "", form.get("MessageSid") or ""
            if not sender:
                return bad_request("From is missing")
            agent = getattr(request.app.ctx, "agent", None)
            message_id = sid or body_id(request.body)
            if not self.replays.fresh(agent, [message_id])[0]:
                return forbidden("replayed message")
            if not (form.get("Body") or "").strip() and form.get("NumMedia", "0") != "0":
                await self._media_reply(request, sender)
                return text_response(EMPTY_TWIML, content_type="text/xml")
            text = form.get("Body") or ""
            # only a numeric reply needs the last menu (one tracker read)
            choice = (choice_for_number(text, await self._choices(request, sender))
                      if is_number_reply(text) else None)
            await handle_and_render(
                VisitorMessage(self.name(), sender, choice.payload if choice else text,
                               self.get_output_channel(), message_id,
                               {"choice_title": choice.title} if choice else None),
                Pipeline(on_new_message, self.limiter, agent))
            return text_response(EMPTY_TWIML, content_type="text/xml")

        return hook

    async def _media_reply(self, request: Request, sender: str) -> None:
        """A photo or voice note: one polite "text only" reply, in the visitor's language."""
        agent = getattr(request.app.ctx, "agent", None)
        if self.limiter.check(agent, sender, None)[0]:
            reply = media_reply("media", await visitor_language(agent, sender),
                                contact_card(agent))
            await self.get_output_channel().deliver(sender, reply)

    @staticmethod
    async def _choices(request: Request, sender: str) -> list:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return []
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is None:
            return []
        return last_choices([e.as_dict() for e in tracker.events])
