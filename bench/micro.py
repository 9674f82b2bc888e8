"""Each per-message saving against Rasa's own code, timed in one run.

Usage: python bench/micro.py [--repeat 2000]

Loads models/panda.tar.gz, has the realistic scenario's conversations
(bench/realistic.py) answered once, and then times each step of a message
both ways on the same inputs: the way Rasa 3.6 does it and the way this bot
does it (speed/, storage/direct.py). Both ways give the same result
(tests/unit/test_speed.py, tests/test_speed.py, tests/unit/test_direct.py);
this only measures the time. Prints a Markdown table of microseconds per
call and the ratio; bench/profile.md quotes it.
"""
import argparse
import asyncio
import copy
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose profile.py would hide the standard library's

from bench import realistic  # noqa: E402

MODEL = ROOT / "models" / "panda.tar.gz"


def timed(call: Callable[[], Any], repeat: int) -> float:
    """Microseconds per call, the best of three rounds of ``repeat`` calls."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - started) / repeat * 1e6)
    return best


def component(agent: Any, kind: type) -> Any:
    """The loaded graph component of ``kind`` (the first)."""
    return next(node._component for node in agent.processor.graph_runner._instantiated_nodes
                .values() if isinstance(getattr(node, "_component", None), kind))


def nlu_rows(agent: Any, repeat: int) -> List[Tuple[str, float, float]]:
    """Sentence counts and the classifier's feature row, for the bench's questions."""
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from speed.classifier import FastLogisticRegressionClassifier
    from speed.featurizer import SentenceCountVectorsFeaturizer

    featurizer = component(agent, SentenceCountVectorsFeaturizer)
    classifier = component(agent, FastLogisticRegressionClassifier)
    runner = agent.processor.graph_runner
    nodes = list(runner._graph_schema.nodes)
    tokenized = next(n for n in nodes if n.startswith("run_SpacyTokenizer"))
    featurized = [n for n in nodes if "CountVectorsFeaturizer" in n][-1]
    text = "does foot massage help with sleep?"
    outputs = runner.run(inputs={"__message__": [UserMessage(text)]},
                         targets=[tokenized, featurized])
    tokens_message: Message = outputs[tokenized][0]
    message: Message = outputs[featurized][0]  # both featurizers' sentence features
    tokens = featurizer._get_processed_message_tokens_by_attribute(tokens_message, TEXT)
    vectorizer = featurizer.vectorizers[TEXT]
    assert tokens and [f for f in message.features if f.attribute == TEXT]

    def rasas_counts() -> Any:
        counts = vectorizer.transform([" ".join(tokens)])
        counts.sort_indices()
        return counts.tocoo()

    rows = [
        ("sentence counts (CountVectorizer.transform / counted directly)",
         timed(rasas_counts, repeat),
         timed(lambda: featurizer.sentence_features(TEXT, tokens), repeat)),
        ("classifier feature row (SciPy hstack/vstack / one CSR row)",
         timed(lambda: LogisticRegressionClassifier._create_X(classifier, [message]), repeat),
         timed(lambda: classifier._create_X([message]), repeat)),
    ]
    return rows


def policy_rows(agent: Any, senders: List[str], repeat: int) -> List[Tuple[str, float, float]]:
    """The rule policy's states and rule matches, on the answered conversations."""
    from rasa.core.policies.rule_policy import RULES, RulePolicy

    from speed.policy import FastRulePolicy

    policy = component(agent, FastRulePolicy)
    domain = agent.domain
    trackers = [asyncio.run(agent.tracker_store.retrieve(s)) for s in senders]
    remembered = policy.featurizer.__dict__["_create_states"]
    rule_only = policy._get_rule_only_data()
    histories = [policy._prediction_states(t, domain, False, rule_only) for t in trackers]

    def states_rasa() -> None:
        for tracker in trackers:
            type(policy.featurizer)._create_states(tracker, domain, rule_only_data=rule_only)

    def states_ours() -> None:
        for tracker in trackers:
            remembered(tracker, domain, rule_only_data=rule_only)

    def matches_rasa() -> None:
        for states in histories:
            RulePolicy._get_possible_keys(policy, policy.lookup[RULES], states)

    def matches_ours() -> None:
        for states in histories:
            policy._get_possible_keys(policy.lookup[RULES], states)

    per = len(trackers)
    rounds = max(1, repeat // per)
    return [
        ("rule policy: states of a conversation (replayed / carried on)",
         timed(states_rasa, rounds) / per, timed(states_ours, rounds) / per),
        ("rule policy: matching rules of a history (every rule / remembered)",
         timed(matches_rasa, rounds) / per, timed(matches_ours, rounds) / per),
    ]


def runtime_rows(agent: Any, repeat: int) -> List[Tuple[str, float, float]]:
    """The empty-domain check and a tracker copy's slots."""
    from rasa.shared.core.domain import Domain

    from speed import runtime

    domain = agent.domain
    slots = list(domain.slots)

    def slots_rasa() -> None:
        for slot in slots:
            copy._reconstruct(slot, None, *slot.__reduce_ex__(4))  # copy.copy's path

    def slots_ours() -> None:
        for slot in slots:
            runtime.copy_slot(slot)

    original = runtime.original(Domain, "is_empty")
    return [
        ("empty-domain check per message (Domain.empty() each time / built once)",
         timed(lambda: original(domain), repeat), timed(lambda: runtime.domain_is_empty(domain),
                                                         repeat)),
        (f"copying a tracker's {len(slots)} slots (copy.copy / Slot.__copy__)",
         timed(slots_rasa, repeat), timed(slots_ours, repeat)),
    ]


def sql_rows(repeat: int) -> List[Tuple[str, float, float]]:
    """A message's SQL on SQLite: through SQLAlchemy's engine and through storage/direct.py."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from storage.shared_state import SQLState
    from storage.tracker_store import PandaSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    rows = []

    def timings(store: Any, state: Any) -> Tuple[float, float]:
        counter = iter(range(10**9))

        def turn() -> None:
            sender = f"visitor-{next(counter) // 4}"  # conversations of four turns
            tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(
                sender, domain.slots)
            for event in (UserUttered("does massage help sleep?", {"name": "ask_sleep"}),
                          ActionExecuted("utter_ask_sleep"), BotUttered("It can help."),
                          ActionExecuted("action_listen")):
                tracker.update(event)
            asyncio.run(store.save(tracker))

        def check() -> None:
            state.run_together(lambda: state.hit("sender:visitor", 10**9, 60))

        return timed(turn, max(1, repeat // 4)), timed(check, repeat)

    with tempfile.TemporaryDirectory(prefix="panda-micro-") as tmp:
        measured: Dict[bool, Tuple[float, float]] = {}
        for direct in (False, True):
            store = PandaSQLTrackerStore(domain, db=f"{tmp}/{direct}.db")
            state = SQLState(store.engine)
            if not direct:
                store._direct = state._direct = None
            measured[direct] = timings(store, state)
        asyncio_cost = timed(lambda: asyncio.run(asyncio.sleep(0)), repeat)
        rows.append(("conversation store: a turn's load and save (SQLAlchemy / direct)",
                     measured[False][0] - asyncio_cost,
                     measured[True][0] - asyncio_cost))
        rows.append(("rate-limit check: one upsert in a transaction (SQLAlchemy / direct)",
                     measured[False][1], measured[True][1]))
    return rows


def main() -> int:
    """Answer the realistic conversations once, time every saving, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    from rasa.core.agent import Agent

    from speed import runtime

    runtime.install()
    agent = Agent.load(str(MODEL))
    rng = random.Random(7)
    senders = []
    for n in range(30):
        sender = f"micro-{n}"
        for text in realistic.conversation(rng):
            asyncio.run(agent.handle_text(text, sender_id=sender))
        senders.append(sender)
    rows = (nlu_rows(agent, args.repeat) + policy_rows(agent, senders, args.repeat)
            + runtime_rows(agent, args.repeat) + sql_rows(args.repeat))
    print("| Step | Rasa's way (µs) | This bot (µs) | Ratio |\n|---|---|---|---|")
    for label, theirs, ours in rows:
        print(f"| {label} | {theirs:.1f} | {ours:.1f} | {ours / theirs:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
