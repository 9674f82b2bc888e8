"""The trained bot decides the same with speed/runtime.py's changes as without them.

Two agents load models/panda.tar.gz in this process: one as Rasa runs it, one
after ``speed.runtime.install()`` (the way scripts/rasa_run.py starts the bot).
Every held-out question gets the same intents, confidences and entities, and
the same conversations get the same actions, turn by turn.
"""
import asyncio
import os
import random
import subprocess
import sys
from typing import Any, Dict, List, Tuple

import pytest

from bench import realistic
from scripts.heldout import HELDOUT_DIR, load_cases
from speed import runtime
from tests.support.servers import QUIET_ENV, ROOT

MODEL = ROOT / "models" / "panda.tar.gz"


def load_agent() -> Any:
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


@pytest.fixture(scope="module")
def agents() -> Tuple[Any, Any]:
    stock = load_agent()
    try:
        runtime.install()
        fast = load_agent()
    finally:
        runtime.restore()
    assert type(fast.processor.graph_runner) is runtime.LoopGraphRunner
    assert type(stock.processor.graph_runner) is not runtime.LoopGraphRunner
    return stock, fast


def texts() -> List[str]:
    found = [case.text for path in sorted(HELDOUT_DIR.glob("*.yml")) for case in load_cases(path)]
    assert len(found) > 500
    return found


def essentials(parsed: Dict[str, Any]) -> Any:
    return (parsed["intent"], parsed.get("intent_ranking"),
            [(e["entity"], e["value"]) for e in parsed.get("entities", [])])


def test_every_held_out_question_is_read_the_same(agents: Tuple[Any, Any]) -> None:
    stock, fast = agents

    async def both(text: str) -> Tuple[Any, Any]:
        return essentials(await stock.parse_message(text)), essentials(
            await fast.parse_message(text))

    for text in texts():
        theirs, ours = asyncio.run(both(text))
        assert ours == theirs, text


def conversations() -> List[List[str]]:
    rng = random.Random(11)
    made = [realistic.conversation(rng) for _ in range(60)]
    sample = random.Random(5).sample(texts(), 120)
    made += [sample[i:i + 4] for i in range(0, len(sample), 4)]
    return made


def actions(agent: Any, sender: str) -> List[str]:
    tracker = asyncio.run(agent.tracker_store.retrieve(sender))
    return [e.action_name for e in tracker.events if getattr(e, "action_name", None)]


def test_conversations_take_the_same_actions(agents: Tuple[Any, Any]) -> None:
    stock, fast = agents
    for n, messages in enumerate(conversations()):
        for agent in (stock, fast):
            for text in messages:
                asyncio.run(agent.handle_text(text, sender_id=f"same-{n}"))
        assert actions(fast, f"same-{n}") == actions(stock, f"same-{n}"), messages
        assert len(actions(fast, f"same-{n}")) > len(messages)


def rule_policy(agent: Any) -> Any:
    from speed.policy import FastRulePolicy

    found = [node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
             if isinstance(getattr(node, "_component", None), FastRulePolicy)]
    assert len(found) == 1
    return found[0]


def test_the_rule_policy_predicts_as_rasa_at_every_turn(agents: Tuple[Any, Any]) -> None:
    """Remembered matches and states against Rasa's own computation, turn by turn.

    One tracker grows event by event, as a conversation does, and is asked
    for a prediction before each action, as the processor asks; then the
    policy answers again with both savings off (Rasa's RulePolicy code).
    """
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    _, fast = agents
    policy, domain = rule_policy(fast), fast.domain
    remembered = policy.featurizer.__dict__["_create_states"]
    predictions, matches_before = 0, len(policy._matching)
    for n, messages in enumerate(conversations()[:40]):
        for text in messages:
            asyncio.run(fast.handle_text(text, sender_id=f"policy-{n}"))
        stored = asyncio.run(fast.tracker_store.retrieve(f"policy-{n}"))
        tracker = DialogueStateTracker(f"policy-{n}", domain.slots)
        for event in stored.events:
            if isinstance(event, ActionExecuted):
                ours = policy.predict_action_probabilities(tracker, domain)
                policy._remember_matches = False
                del policy.featurizer._create_states
                try:
                    theirs = policy.predict_action_probabilities(tracker, domain)
                finally:
                    policy._remember_matches = True
                    policy.featurizer._create_states = remembered
                assert ours == theirs, (messages, event)
                predictions += 1
            tracker.update(event)
    assert predictions > 200
    # every prediction looks rules up with the text and with the intent, and
    # texts differ from message to message: yet matches are found in memory
    assert len(policy._matching) - matches_before < predictions / 2


def test_rasa_serves_without_jax() -> None:
    # what scripts/rasa_run.py does before Rasa is imported (speed/memory.py)
    code = ("from speed.memory import leave_out_unused_modules\n"
            "leave_out_unused_modules()\n"
            "import sys, rasa.core.run\n"
            "tflite = sys.modules['tensorflow.lite.python.util']\n"
            "print(sys.modules['jax'], tflite._xla_computation)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, **QUIET_ENV})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["None", "None"]
