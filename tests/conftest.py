"""Shared fixtures: the real domain and training data, and a running bot."""
import os
from typing import Any, Dict, Iterator

import pytest

from tests.console_support import console, database, pg_admin
from tests.fakes import FakeProvider, start_fake_provider
from tests.helpers import CHANNEL_SECRETS
from tests.support.servers import ROOT, Bot, channel_env, free_port, start_bot

# A developer's .env never reaches the tests (storage/settings.py).
os.environ["ENV_FILE"] = ""

__all__ = ["CHANNEL_SECRETS", "console", "database", "pg_admin"]


@pytest.fixture(scope="session")
def importer() -> Any:
    """Rasa's view of the project: domain merged with data/, and the NLU data."""
    from rasa.shared.importers.importer import TrainingDataImporter

    return TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )


@pytest.fixture(scope="session")
def domain(importer: Any) -> Any:
    return importer.get_domain()


@pytest.fixture(scope="session")
def responses(domain: Any) -> Dict[str, Any]:
    return domain.responses


@pytest.fixture(scope="session")
def nlu_data(importer: Any) -> Any:
    return importer.get_nlu_data()


@pytest.fixture(scope="session")
def provider() -> Iterator[FakeProvider]:
    """The fake Twilio / Graph API that records what the bot sends."""
    fake = start_fake_provider()
    yield fake
    fake.stop()


# The one page origin bare_bot's chat socket accepts.
BARE_BOT_PAGE = "http://127.0.0.1:8080"


@pytest.fixture(scope="session")
def chat_port() -> int:
    """The port run.sh serves the chat page on: its origin may open the bot's socket."""
    return free_port()


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory, provider: FakeProvider,
        chat_port: int) -> Iterator[Bot]:
    """Rasa and the action server on loopback, a fresh SQLite tracker store, all channels."""
    env = {**CHANNEL_SECRETS, "META_GRAPH_API_URL": provider.url, "TWILIO_API_URL": provider.url,
           "WEB_PORT": str(chat_port), "WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{chat_port}"}
    running = start_bot(tmp_path_factory.mktemp("bot"), extra_env=env)
    yield running
    running.stop()


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A conversation id of its own for each test."""
    return f"test-{request.node.name}"[:200]


@pytest.fixture(scope="session")
def bare_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """Rasa with no channel secrets and no action server running."""
    empty = {name: "" for name in channel_env() if name != "TRACKER_DB_URL"}
    empty["WEB_ALLOWED_ORIGINS"] = BARE_BOT_PAGE
    running = start_bot(tmp_path_factory.mktemp("bare"), with_actions=False, extra_env=empty)
    yield running
    running.stop()
