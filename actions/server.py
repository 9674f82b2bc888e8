"""Run the action server bound to one interface (127.0.0.1 by default).

``rasa run actions`` always listens on every interface; this keeps the custom
actions private to the machine unless ACTION_SERVER_HOST says otherwise. With
``ACTION_SERVER_TOKEN`` set, every request but ``/health`` must carry it
(``?token=``, as Rasa sends endpoints.yml's ``token``, or ``Authorization:
Bearer``); others get 401. The actions' own messages reach a visitor who
writes Traditional Chinese in Traditional characters (``in_visitor_script``).
"""
import argparse
import hmac
import json
import logging
import os
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response

from language.script import message_in_script
from storage.settings import load_env_file

OPEN_PATHS = frozenset({"/health"})


def given_token(request: Any) -> str:
    """The token a request carries: ``?token=`` or an ``Authorization: Bearer`` header."""
    header = request.headers.get("Authorization") or ""
    if header.startswith("Bearer "):
        return str(header[len("Bearer "):].strip())
    return str(request.args.get("token") or "")


def require_token(app: Sanic, token: str) -> None:
    """Refuse (401) every request but ``/health`` that lacks ``token``; nothing when empty."""
    if not token:
        return

    @app.middleware("request")
    async def check_token(request: Any) -> Any:
        if request.path in OPEN_PATHS:
            return None
        if not hmac.compare_digest(given_token(request).encode(), token.encode()):
            return response.json({"error": "a valid ACTION_SERVER_TOKEN is required"},
                                 status=401)
        return None


def in_visitor_script(app: Sanic) -> None:
    """Convert the actions' Chinese messages for a conversation in Traditional characters.

    The texts are written in Simplified; the tracker each call carries says the
    conversation's language and script. Messages that name a response are
    converted by Rasa's generator instead (language/nlg.py).
    """

    @app.middleware("response")
    async def convert(request: Any, sent: Any) -> Any:
        if request.path != "/webhook" or sent.status != 200:
            return None
        try:
            slots = (request.json or {}).get("tracker", {}).get("slots") or {}
        except Exception:  # noqa: BLE001 - a request that is not JSON got its 4xx already
            return None
        if slots.get("language") != "zh" or slots.get("script") != "hant":
            return None
        body = json.loads(sent.body)
        body["responses"] = [message_in_script(message, "hant")
                             for message in body.get("responses") or []]
        return response.json(body, status=sent.status)


def make_app() -> Sanic:
    """The actions package's server, with the token check where one is set."""
    app = create_app("actions")
    require_token(app, os.environ.get("ACTION_SERVER_TOKEN", "").strip())
    in_visitor_script(app)
    return app


def main() -> None:
    """Parse the arguments and serve the actions package."""
    load_env_file()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not os.environ.get("ACTION_SERVER_TOKEN", "").strip():
        logging.getLogger(__name__).warning(
            "ACTION_SERVER_TOKEN is not set: any local process may call the actions")
    app = make_app()
    app.run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
