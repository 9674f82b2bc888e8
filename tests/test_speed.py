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


def predictions_match(policy: Any, domain: Any, sender: str, events: List[Any]) -> int:
    """Grow one tracker event by event; before each action, compare with Rasa's prediction.

    Ours comes first (remembered matches, states carried on); then the same
    policy answers with both savings off, which is Rasa's RulePolicy code.
    Returns how many predictions were compared.
    """
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    remembered = policy.featurizer.__dict__["_create_states"]
    tracker = DialogueStateTracker(sender, domain.slots)
    compared = 0
    for event in events:
        if isinstance(event, ActionExecuted):
            def decide() -> Any:
                states = [policy._prediction_states(tracker, domain, text,
                                                    policy._get_rule_only_data())
                          for text in (True, False)]
                return policy.predict_action_probabilities(tracker, domain), states

            ours = decide()
            policy._remember_matches = False
            del policy.featurizer._create_states
            try:
                theirs = decide()
            finally:
                policy._remember_matches = True
                policy.featurizer._create_states = remembered
            assert ours == theirs, (sender, event)
            compared += 1
        tracker.update(event)
    return compared


def test_the_rule_policy_predicts_as_rasa_at_every_turn(agents: Tuple[Any, Any]) -> None:
    """Real conversations of the trained bot, prediction by prediction."""
    _, fast = agents
    policy = rule_policy(fast)
    tested: List[int] = []
    for visit in ("first", "again"):
        predictions = 0
        for n, messages in enumerate(conversations()[:40]):
            sender = f"policy-{visit}-{n}"
            for text in messages:
                asyncio.run(fast.handle_text(text, sender_id=sender))
            stored = asyncio.run(fast.tracker_store.retrieve(sender))
            predictions += predictions_match(policy, fast.domain, sender, list(stored.events))
        assert predictions > 200
        tested.append(len(policy._applicable))
    # Each turn's state is tested against the rule table once: the same
    # conversations again (as other visitors) test nothing new.
    assert tested[1] == tested[0] > 0


def test_rewinding_events_start_the_states_afresh(agents: Tuple[Any, Any]) -> None:
    """Undo, restart, a new session or a loop mid-conversation: still Rasa's predictions."""
    from rasa.shared.core.events import (
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    _, fast = agents
    policy = rule_policy(fast)
    for text in ["hi", "does foot massage help with sleep?", "how often should I come?",
                 "where are you located?", "thanks"]:
        asyncio.run(fast.handle_text(text, sender_id="rewinding"))
    real = list(asyncio.run(fast.tracker_store.retrieve("rewinding")).events)
    rng = random.Random(3)
    rewinds = [UserUtteranceReverted, ActionReverted, Restarted, SessionStarted,
               lambda: ActiveLoop("booking_form"), lambda: ActiveLoop(None)]
    compared = 0
    for trial in range(12):
        events = list(real)
        for _ in range(2):
            events.insert(rng.randrange(3, len(events)), rng.choice(rewinds)())
        compared += predictions_match(policy, fast.domain, f"rewinding-{trial}", events)
    # A form's happy path: each run after the visitor answers undoes the turns
    # back to its previous run (Rasa's applied_events).
    from rasa.shared.core.events import ActionExecuted, UserUttered

    said = [e for e in real if isinstance(e, UserUttered)]
    form = [ActionExecuted("booking_form"), ActiveLoop("booking_form")]
    for answer in said[:3]:
        form += [ActionExecuted("action_listen"), answer, ActionExecuted("booking_form")]
    form += [ActiveLoop(None)]
    for trial in range(6):
        at = rng.randrange(3, len(real))
        compared += predictions_match(policy, fast.domain, f"form-{trial}",
                                      real[:at] + form + real[at:])
    assert compared > 18 * 8


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
