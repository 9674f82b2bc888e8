"""A misunderstood message, labelled in the console and merged, is understood after retraining."""
import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from console.labels import nlu_yaml
from tests.support.servers import QUIET_ENV, ROOT, VENV_BIN, Bot

CANDIDATES = ["counting sheep never works for me", "i stare at the ceiling until 4am",
              "my brain won't switch off at bedtime", "awake half the night again"]


class Label:
    """A label as the console stores it."""

    def __init__(self, text: str, intent: str) -> None:
        self.text, self.intent = text, intent


def test_a_labelled_message_is_answered_after_merging_and_retraining(bot: Bot,
                                                                     tmp_path: Path) -> None:
    missed = [t for t in CANDIDATES if bot.parse(t)["intent"]["name"] != "ask_sleep"]
    if not missed:
        pytest.fail("every candidate is already understood: add a harder one")
    message = missed[0]

    project = tmp_path / "project"
    project.mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "data", project / "data")
    (project / ".spacy").symlink_to(ROOT / ".spacy")
    labels = project / "data" / "nlu" / "labels.yml"
    labels.write_text(nlu_yaml([Label(message, "ask_sleep")]))
    assert message in [m.get("text") for m in load_data(str(labels)).intent_examples]

    subprocess.run([str(VENV_BIN / "rasa"), "train", "--out", str(project / "models"),
                    "--fixed-model-name", "relabelled"], cwd=project, check=True,
                   env={**os.environ, **QUIET_ENV,
                        "RASA_CACHE_DIRECTORY": str(tmp_path / "cache"),
                        # the pipeline's own components (language/, safety/)
                        "PYTHONPATH": str(ROOT)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    cwd = os.getcwd()
    os.chdir(project)
    try:
        agent = Agent.load(str(project / "models" / "relabelled.tar.gz"))
        parsed: Any = asyncio.run(agent.parse_message(message))
    finally:
        os.chdir(cwd)
    assert parsed["intent"]["name"] == "ask_sleep"
