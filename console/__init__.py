"""The staff console: review conversations, see misses, label them as training data.

``flask --app console run`` (``make review``) serves it; ``create_app`` is the
factory, with one blueprint per area: ``auth``, ``conversations``, ``dashboard``
and ``labels``.
"""
import logging
import os
import secrets
from typing import Any, Dict

from flask import Flask, Response

logger = logging.getLogger(__name__)

# Every page is rendered on the server: no scripts, no frames, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # pages and exports carry personal data: never keep them in a cache
    "Cache-Control": "no-store",
}


def secure_cookies_from_env() -> bool:
    """Cookies are Secure unless ``CONSOLE_SECURE_COOKIES=false`` (plain HTTP on loopback)."""
    return os.environ.get("CONSOLE_SECURE_COOKIES", "").strip().lower() != "false"


def create_app(config: Dict[str, Any] | None = None) -> Flask:
    """Build the console; ``config`` overrides the environment (tests pass their own)."""
    from storage.settings import load_env_file

    load_env_file()
    app = Flask(__name__)
    secret = os.environ.get("CONSOLE_SECRET_KEY")
    if not secret:
        logger.warning("CONSOLE_SECRET_KEY is not set: staff must log in again after a restart")
        secret = secrets.token_hex(32)
    app.config.update(
        SECRET_KEY=secret,
        DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=secure_cookies_from_env(),
        PSEUDONYM_KEY=os.environ.get("PSEUDONYM_KEY", ""),
        LOW_CONFIDENCE=0.6,
        PAGE_SIZE=20,
    )
    if config:
        app.config.update(config)

    from console import auth, bookings, commands, conversations, dashboard, db, labels

    db.init_app(app)
    auth.init_app(app)
    commands.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(conversations.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(labels.bp)
    app.register_blueprint(bookings.bp)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response

    return app
