"""The website chat widget (rasa-webchat) over socket.io.

Rasa's socketio channel, with two changes: each answer's source is shown as
its own small message, and link buttons stay links. Session persistence
keeps a conversation across page reloads.
"""
import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from socketio import AsyncServer

from channels.base import RenderingOutput, handle_and_render
from channels.guard import RateLimiter, rate_limit_from_env, sender_problem
from channels.origins import allowed_origins
from channels.render import Reply, to_web

logger = logging.getLogger(__name__)


class WebOutput(RenderingOutput):
    """Emits rendered messages to the visitor's socket.io room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        for message in to_web(reply):
            await self.sio.emit(self.bot_message_evt, message, room=recipient_id)


class WebChatInput(SocketIOInput):
    """socket.io input for the chat page."""

    def get_output_channel(self) -> RenderingOutput | None:  # type: ignore[override]
        if self.sio is None:
            return None
        return WebOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        # pages of WEB_ALLOWED_ORIGINS only, when it is set (the embed on the spa's site)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins() or "*")
        hook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio
        self.limiter = RateLimiter(rate_limit_from_env())
        self.agent: Any = None

        @hook.listener("after_server_start")
        async def remember_agent(app: Any, _: Any) -> None:
            self.agent = getattr(app.ctx, "agent", None)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None) -> bool:
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Dict | None) -> None:
            session_id = (data or {}).get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not session_id:
                session_id = uuid.uuid4().hex
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
            text = data.get("message")
            if not isinstance(text, str):
                await sio.emit("error", {"reason": "message must be a string"}, room=sid)
                return
            metadata = data.get(self.metadata_key)
            await handle_and_render(
                on_new_message, self, self.limiter, self.agent,
                WebOutput(sio, self.bot_message_evt), sender, text,
                metadata=metadata if isinstance(metadata, dict) else None)

        return hook
