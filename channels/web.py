"""The website chat widget (rasa-webchat) over socket.io.

Rasa's socketio channel, with these changes: each answer's source is shown as
its own small message, and link buttons stay links. Session persistence
keeps a conversation across page reloads, with session ids the server issues
(signed, so any server can check them) and binds to the socket that asked: a
socket may only speak for the session it was given. Only the origins in
``WEB_ALLOWED_ORIGINS`` may connect.
"""
import hashlib
import hmac
import inspect
import logging
import os
import secrets
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from socketio import AsyncServer

from channels.guard import (
    CHANNEL_PREFIXES,
    Outcome,
    Pipeline,
    SharedLimiter,
    VisitorMessage,
    client_address,
    handle_visitor_message,
    public_metadata,
    sender_problem,
    slow_down,
)
from channels.http import MAX_BODY_BYTES, limit_request_size
from channels.origins import allowed_origins
from channels.output import RenderingOutput
from channels.render import Reply, to_web

logger = logging.getLogger(__name__)
PREFIX = CHANNEL_PREFIXES["socketio"]
UNKNOWN_SESSION = "unknown session_id: ask for one with session_request first"


class SessionIds:
    """Session ids the server issues: ``<random>.<HMAC>``, checkable by every server.

    The key is ``WEB_SESSION_SECRET``; without it, a random one for this process
    (sessions then start afresh after a restart).
    """

    def __init__(self, secret: str = "") -> None:
        secret = secret or os.environ.get("WEB_SESSION_SECRET", "")
        if not secret:
            logger.warning("WEB_SESSION_SECRET is not set: chat sessions end at a restart")
        self.key = (secret or secrets.token_hex(32)).encode()

    def _mac(self, nonce: str) -> str:
        return hmac.new(self.key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        """A new session id."""
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._mac(nonce)}"

    def valid(self, session_id: Any) -> bool:
        """Whether this server (or one with the same secret) issued ``session_id``."""
        if not isinstance(session_id, str) or session_id.count(".") != 1:
            return False
        nonce, mac = session_id.split(".")
        return (len(nonce) == 32 and mac.isascii()
                and hmac.compare_digest(mac.encode(), self._mac(nonce).encode()))


class WebOutput(RenderingOutput):
    """Emits rendered messages to the visitor's socket.io room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        room = recipient_id[len(PREFIX):] if recipient_id.startswith(PREFIX) else recipient_id
        for message in to_web(reply):
            await self.sio.emit(self.bot_message_evt, message, room=room)


class WebChatInput(SocketIOInput):
    """socket.io input for the chat page."""

    def get_output_channel(self) -> RenderingOutput | None:  # type: ignore[override]
        if self.sio is None:
            return None
        return WebOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        # WebSocket only: Rasa runs several workers on one port (RASA_WORKERS), and
        # long polling would send one session's requests to workers that don't know it.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins(),
                          max_http_buffer_size=MAX_BODY_BYTES, transports=["websocket"])
        hook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        limit_request_size(hook)
        self.sio = sio
        self.limiter = SharedLimiter()
        self.agent: Any = None
        self.session_ids = SessionIds()
        # socket id -> the session it was given, and the client's address
        self.bound: Dict[str, str] = {}
        self.addresses: Dict[str, str | None] = {}

        @hook.listener("after_server_start")
        async def remember_agent(app: Any, _: Any) -> None:
            self.agent = getattr(app.ctx, "agent", None)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None) -> bool:
            request = environ.get("sanic.request")
            peer = getattr(request, "ip", "") or environ.get("REMOTE_ADDR", "")
            self.addresses[sid] = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"))
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            self.bound.pop(sid, None)
            self.addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Dict | None) -> None:
            session_id = (data or {}).get("session_id") if isinstance(data, dict) else None
            if not self.session_ids.valid(session_id):
                session_id = self.session_ids.issue()
            assert isinstance(session_id, str)
            previous = self.bound.get(sid)
            if previous and previous != session_id:
                left = sio.leave_room(sid, previous)
                if inspect.isawaitable(left):
                    await left
            self.bound[sid] = session_id
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id)
                if inspect.isawaitable(joined):  # a coroutine in python-socketio >= 5.12
                    await joined
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                await sio.emit("error", {"reason": "a message must be an object"}, room=sid)
                return
            sender = data.get("session_id") if self.session_persistence else sid
            if not isinstance(sender, str) or not sender:
                await sio.emit("error", {"reason": "session_id is missing"}, room=sid)
                return
            problem = sender_problem(sender)
            if problem:
                await sio.emit("error", {"reason": problem}, room=sid)
                return
            if self.session_persistence and self.bound.get(sid) != sender:
                await sio.emit("error", {"reason": UNKNOWN_SESSION}, room=sid)
                return
            text = data.get("message")
            if not isinstance(text, str):
                await sio.emit("error", {"reason": "message must be a string"}, room=sid)
                return
            output = WebOutput(sio, self.bot_message_evt)
            handled = await handle_visitor_message(
                VisitorMessage(self.name(), sender, text, output,
                               metadata=public_metadata(data.get(self.metadata_key)),
                               address=self.addresses.get(sid)),
                Pipeline(on_new_message, self.limiter, self.agent))
            if handled.outcome is Outcome.LIMITED:
                await output.deliver(sender, Reply(
                    text=slow_down(handled.language, handled.script),
                    language=handled.language, script=handled.script))

        return hook
