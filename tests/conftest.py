"""Shared fixtures: the real domain and training data, and a running bot."""
from typing import Any, Dict, Iterator

import pytest

from scripts.servers import ROOT, Bot, start_bot


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
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """Rasa and the action server, on loopback, with a fresh SQLite tracker store."""
    running = start_bot(tmp_path_factory.mktemp("bot"))
    yield running
    running.stop()


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A conversation id of its own for each test."""
    return f"test-{request.node.name}"[:200]
