"""WhatsApp through Twilio, verified with X-Twilio-Signature.

Webhook: /webhooks/twilio_whatsapp/webhook (POST, form-encoded, from Twilio).
Buttons become a numbered list; a numeric reply is mapped back to its
button's payload, read from the conversation's last bot message, so a raw
payload such as ``/ask_sleep`` is never shown. Unconfigured, it refuses every
request.
"""
import logging
from typing import Any, Awaitable, Callable, Dict
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
    forbidden,
    from_same_named,
    handle_and_render,
    last_choices,
    post,
)
from channels.delivery import contact_card, visitor_language
from channels.guard import RateLimiter, rate_limit_from_env
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
        self.replays = ReplayGuard()
        self.limiter = RateLimiter(rate_limit_from_env())

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

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok", "configured": self.configured})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return forbidden("channel not configured")
            try:
                # blank values too (a photo comes with Body=): Twilio signs every parameter
                form = {k: v[0] for k, v in parse_qs(request.body.decode(),
                                                     keep_blank_values=True).items()}
            except (ValueError, UnicodeDecodeError):
                return bad_request("body is not form-encoded")
            signature = request.headers.get("X-Twilio-Signature") or ""
            validator = RequestValidator(self.auth_token)
            if not signature or not validator.validate(self.signed_url(request), form, signature):
                return forbidden("missing or invalid X-Twilio-Signature")
            sender, sid = form.get("From") or "", form.get("MessageSid") or ""
            if not sender:
                return bad_request("From is missing")
            if self.replays.seen_all([sid]):
                return forbidden("replayed message")
            self.replays.remember([sid])
            if not (form.get("Body") or "").strip() and form.get("NumMedia", "0") != "0":
                await self._media_reply(request, sender)
                return text_response(EMPTY_TWIML, content_type="text/xml")
            text = form.get("Body") or ""
            # only a numeric reply needs the last menu (one tracker read)
            choice = (choice_for_number(text, await self._choices(request, sender))
                      if is_number_reply(text) else None)
            await handle_and_render(
                on_new_message, self, self.limiter, getattr(request.app.ctx, "agent", None),
                self.get_output_channel(), sender, choice.payload if choice else text,
                sid or None, {"choice_title": choice.title} if choice else None)
            return text_response(EMPTY_TWIML, content_type="text/xml")

        return hook

    async def _media_reply(self, request: Request, sender: str) -> None:
        """A photo or voice note: one polite "text only" reply, in the visitor's language."""
        agent = getattr(request.app.ctx, "agent", None)
        if self.limiter.allow(sender):
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
