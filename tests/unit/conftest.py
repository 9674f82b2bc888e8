"""The console's in-process fixtures, as in Flask's tutorial: app, client, auth.

The app reads a temporary SQLite file seeded from tests/fixtures/conversations.jsonl
(events as the tracker store wrote them); no server runs.
"""
import re
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from console import create_app
from console.auth import create_staff
from tests.console_support import CONSOLE_KEY, PASSWORD, seed_events


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file holding the recorded conversations, for this test alone."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    seed_events(url)
    return url


@pytest.fixture
def app(database: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database, "SECRET_KEY": CONSOLE_KEY,
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        create_staff("lan", PASSWORD)
    yield app
    if "engine" in app.extensions:
        app.extensions["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str = "lan", password: str = PASSWORD) -> TestResponse:
        page = self._client.get("/login").get_data(as_text=True)
        return self._client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": csrf(page)})

    def logout(self) -> TestResponse:
        page = self._client.get("/").get_data(as_text=True)
        return self._client.post("/logout", data={"csrf_token": csrf(page)})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
