"""speed/: each saving gives exactly what Rasa's own code gives.

In process, with Rasa's real classes: the classifier against Rasa's
LogisticRegressionClassifier on the same fitted model, the rule policy's
remembered matches against Rasa's method, the loop graph runner against
Rasa's dask runner on a real graph. tests/test_speed.py compares them on the
trained model.
"""
import copy
import itertools
import json
import random
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
import scipy.sparse
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from speed import runtime
from speed.classifier import FastLogisticRegressionClassifier, lay_out_for_prediction
from speed.policy import FastRulePolicy

# ---------------------------------------------------------------- classifier


def message(rng: np.random.Generator, words: int, chars: int) -> Message:
    """A message with two sparse sentence features (as the two CountVectors give)."""
    sentence = [scipy.sparse.random(1, size, density=0.05, random_state=rng.integers(1 << 30),
                                    format="coo") for size in (words, chars)]
    return Message(data={TEXT: "text"}, features=[
        Features(scipy.sparse.coo_matrix(np.ones((3, words))), FEATURE_TYPE_SEQUENCE, TEXT,
                 "words"),
        Features(sentence[0], FEATURE_TYPE_SENTENCE, TEXT, "words"),
        Features(sentence[1], FEATURE_TYPE_SENTENCE, TEXT, "chars"),
    ])


def classifiers(tmp_path: Path) -> Any:
    rng = np.random.default_rng(7)
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    stock = LogisticRegressionClassifier.create({}, storage, Resource("stock"), context)
    fast = FastLogisticRegressionClassifier.create({}, storage, Resource("fast"), context)
    training = [message(rng, 300, 900) for _ in range(120)]
    x = stock._create_X(training)
    y = [f"intent_{i % 6}" for i in range(len(training))]
    stock.clf.fit(x, y)
    fast.clf = copy.deepcopy(stock.clf)
    lay_out_for_prediction(fast.clf)
    return stock, fast, [message(rng, 300, 900) for _ in range(40)]


def test_the_classifier_ranks_exactly_as_rasa(tmp_path: Path) -> None:
    stock, fast, messages = classifiers(tmp_path)
    assert fast.clf.coef_.flags.f_contiguous and not stock.clf.coef_.flags.f_contiguous
    for one in messages:
        theirs = stock.process([copy.deepcopy(one)])[0]
        ours = fast.process([copy.deepcopy(one)])[0]
        assert ours.get("intent_ranking") == theirs.get("intent_ranking")
        assert ours.get("intent") == theirs.get("intent")


def test_c_defaults_to_rasas_and_is_passed_to_scikit_learn(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    stock = LogisticRegressionClassifier.create({}, storage, Resource("stock"), context)
    default = FastLogisticRegressionClassifier.create({}, storage, Resource("d"), context)
    sharper = FastLogisticRegressionClassifier.create({"C": 5}, storage, Resource("c"), context)
    assert default.clf.get_params() == stock.clf.get_params()
    assert sharper.clf.get_params() == {**stock.clf.get_params(), "C": 5.0}


def same_csr(ours: Any, theirs: Any) -> bool:
    """Equal values, shape, dtype and layout (sorted indices, no duplicates)."""
    theirs = theirs.tocsr()
    theirs.sum_duplicates()
    return (ours.shape == theirs.shape and ours.dtype == theirs.dtype
            and ours.has_canonical_format and (ours != theirs).nnz == 0
            and np.array_equal(ours.indptr, theirs.indptr)
            and np.array_equal(ours.indices, theirs.indices)
            and np.array_equal(ours.data, theirs.data))


def test_the_feature_rows_are_rasas(tmp_path: Path) -> None:
    stock, fast, messages = classifiers(tmp_path)
    assert same_csr(fast._create_X(messages), stock._create_X(messages))
    assert fast._create_X(messages).shape == (40, 1200)
    for one in messages:  # one message at a time, as the bot predicts
        assert same_csr(fast._create_X([one]), stock._create_X([one]))


def test_rows_with_unsorted_repeated_or_dense_features_are_rasas(tmp_path: Path) -> None:
    stock, fast, messages = classifiers(tmp_path)
    unsorted = scipy.sparse.coo_matrix(([2.0, 1.0, 3.0], ([0, 0, 0], [7, 2, 7])), shape=(1, 300))
    dense = Features(np.ones((1, 4)), FEATURE_TYPE_SENTENCE, TEXT, "dense")
    odd = [Message(data={TEXT: "t"}, features=[
        Features(unsorted, FEATURE_TYPE_SENTENCE, TEXT, "words"), messages[0].features[2]])]
    assert same_csr(fast._create_X(odd), stock._create_X(odd))
    assert fast._create_X(odd)[0, 7] == 5.0
    mixed = [Message(data={TEXT: "t"}, features=[*messages[1].features, dense])]
    assert same_csr(fast._create_X(mixed), stock._create_X(mixed))
    assert fast._create_X(mixed).shape == (1, 1204)


# -------------------------------------------------------------- rule policy

LISTEN = {"prev_action": {"action_name": "action_listen"}}


def state(intent: str | None = None, action: str = "action_listen", **slots: Any) -> Dict:
    s: Dict[str, Any] = {"prev_action": {"action_name": action}}
    if intent:
        s["user"] = {"intent": intent}
    if slots:
        s["slots"] = {name: (value,) for name, value in slots.items()}
    return s


RULES = {
    json.dumps([{}, state("greet")]): "utter_greet",
    json.dumps([state("ask_sleep")]): "utter_ask_sleep",
    json.dumps([state("ask_sleep", language=1.0)]): "utter_ask_sleep",
    json.dumps([state(action="utter_thank"), state("affirm")]): "utter_ask_whats_next",
    json.dumps([state("affirm")]): "utter_ask_whats_next",
    json.dumps([state(action="utter_thank"), state("deny")]): "utter_goodbye",
    json.dumps([state("ask_sleep", action="utter_ask_sleep")]): "action_listen",
}


def policy() -> FastRulePolicy:
    fast = FastRulePolicy.__new__(FastRulePolicy)
    fast._matching, fast._applicable = OrderedDict(), OrderedDict()
    fast._remember_matches, fast._longest, fast._rules_read_text = True, {}, {}
    return fast


def histories(seed: int) -> List[List[Dict]]:
    rng = random.Random(seed)
    pool = [{}, state("greet"), state("ask_sleep"), state("ask_sleep", language=1.0),
            state(action="utter_thank"), state("affirm"), state("deny"),
            state("ask_sleep", action="utter_ask_sleep"), state("affirm", action="utter_thank")]
    return [[rng.choice(pool) for _ in range(rng.randint(1, 6))] for _ in range(400)]


def test_remembered_rule_matches_are_rasas() -> None:
    fast = policy()
    for states in itertools.chain(histories(1), histories(1), histories(2)):
        assert fast._get_possible_keys(RULES, states) == RulePolicy._get_possible_keys(
            fast, RULES, states)
    assert 0 < len(fast._matching) < 400  # remembered: histories repeat, older turns ignored


def said(text: str, intent: str | None = None) -> Dict:
    s = state(intent)
    s.setdefault("user", {})["text"] = text
    return s


def test_a_text_is_left_out_of_the_key_only_when_no_rule_reads_texts() -> None:
    fast = policy()
    with_texts = {**RULES, json.dumps([said("where are you")]): "utter_contacts"}
    for table in (RULES, with_texts):
        for text in ("where are you", "how often should I come", "zzz"):
            for states in ([said(text)], [state("greet"), said(text)],
                           [said(text, "ask_sleep")], [{}, said(text, "greet")]):
                assert fast._get_possible_keys(table, states) == RulePolicy._get_possible_keys(
                    fast, table, states), (text, states)
    assert fast._rules_read_text == {id(RULES): False, id(with_texts): True}
    # without text rules, the three texts share their entries; with them, they don't
    assert sum(key[0] == id(RULES) for key in fast._matching) == 4
    assert sum(key[0] == id(with_texts) for key in fast._matching) == 12


@pytest.mark.parametrize("finetuning", [False, True])
def test_a_policy_loaded_to_be_trained_again_keeps_rasas_code(
        finetuning: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    from speed.policy import RememberedStates

    loaded = policy()
    loaded._remember_matches = False
    loaded._Policy__featurizer = MaxHistoryTrackerFeaturizer(max_history=None)  # Rasa's attribute
    monkeypatch.setattr(RulePolicy, "load", classmethod(lambda cls, *a, **k: loaded))
    context = ExecutionContext(GraphSchema({}), "model", is_finetuning=finetuning)
    got = FastRulePolicy.load({}, None, None, context)  # type: ignore[arg-type]
    assert got._remember_matches is not finetuning
    assert isinstance(got.featurizer.__dict__.get("_create_states"), RememberedStates) \
        is not finetuning


def test_training_is_never_served_from_memory() -> None:
    fast = policy()
    fast._remember_matches = False
    changing = dict(RULES)
    states = [state("bot_challenge")]
    assert fast._get_possible_keys(changing, states) == set()
    changing[json.dumps([state("bot_challenge")])] = "utter_iamabot"
    assert fast._get_possible_keys(changing, states) == {json.dumps([state("bot_challenge")])}
    assert not fast._matching


# -------------------------------------------------------------- graph runner


class Add(GraphComponent):
    """Adds its inputs and a configured number."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.plus = config["plus"]

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: Any, resource: Any,
               execution_context: Any) -> "Add":
        return cls(config)

    def add(self, **numbers: int) -> int:
        if self.plus < 0:
            raise ValueError("negative")
        return sum(numbers.values()) + self.plus


def node(plus: int, **needs: str) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Add, fn="add", constructor_name="create",
                      config={"plus": plus})


SCHEMA = GraphSchema({
    "first": node(1, x="__input__"),
    "second": node(10, a="first"),
    "third": node(100, a="first", b="second"),
    "unused": node(1000, a="third"),
    "failing": node(-1, a="first"),
})


def runners(tmp_path: Path) -> Any:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(SCHEMA, "test")
    return (DaskGraphRunner(SCHEMA, storage, context),
            runtime.LoopGraphRunner(SCHEMA, storage, context))


@pytest.mark.parametrize("targets", [["third"], ["second", "third"], ["unused"], ["first"]])
def test_the_loop_runner_gives_the_dask_runners_outputs(tmp_path: Path,
                                                        targets: List[str]) -> None:
    dask, loop = runners(tmp_path)
    for value in (0, 5):
        expected = dask.run(inputs={"__input__": value}, targets=targets)
        assert loop.run(inputs={"__input__": value}, targets=targets) == expected
    assert loop.run(inputs={"__input__": 1}, targets=["third"]) == {"third": 114}


def test_the_loop_runner_raises_as_the_dask_runner(tmp_path: Path) -> None:
    dask, loop = runners(tmp_path)
    for runner in (dask, loop):
        with pytest.raises(GraphComponentException):
            runner.run(inputs={"__input__": 1}, targets=["failing"])
        with pytest.raises(GraphRunError):
            runner.run(inputs={"__input__": "first"}, targets=["third"])


# ------------------------------------------------------------------ install


def test_install_replaces_and_restore_puts_back() -> None:
    import rasa.core.policies.rule_policy
    import rasa.core.processor
    from rasa.core.actions.action import RemoteAction

    original = (rasa.core.processor.DaskGraphRunner, RemoteAction._validate_action_result,
                rasa.core.processor.copy)
    try:
        assert runtime.install(version="3.5.0") == []
        assert rasa.core.processor.DaskGraphRunner is original[0]
        assert runtime.install() == ["DaskGraphRunner", "_validate_action_result", "copy",
                                     "copy", "is_empty", "__copy__"]
        assert rasa.core.processor.DaskGraphRunner is runtime.LoopGraphRunner
        assert rasa.core.policies.rule_policy.copy is runtime.LogLineCopy
        assert runtime.original(rasa.core.processor, "copy") is original[2]
    finally:
        runtime.restore()
    assert (rasa.core.processor.DaskGraphRunner, RemoteAction._validate_action_result,
            rasa.core.processor.copy) == original
    from rasa.shared.core.slots import Slot

    assert "__copy__" not in Slot.__dict__  # Rasa's Slot has none: taken away again


def test_slots_are_copied_as_the_copy_module_copies_them() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    slots = list(domain.slots)
    assert len({type(slot) for slot in slots}) >= 3
    for slot in slots:
        slot.value = slot.value if slot.value is not None else "x"
        theirs = copy.copy(slot)
        ours = runtime.copy_slot(slot)
        assert type(ours) is type(theirs) and ours is not slot
        assert ours.__dict__ == theirs.__dict__ == slot.__dict__
        assert ours.__dict__ is not slot.__dict__
        ours.value = "changed"
        assert slot.value != "changed"


def test_a_domain_is_empty_exactly_when_rasa_says_so() -> None:
    from rasa.shared.core.domain import Domain

    domains = [Domain.empty(), Domain.from_dict({}), Domain.from_yaml("version: '3.1'"),
               Domain.from_yaml("intents: [greet]"),
               Domain.from_yaml("responses:\n  utter_hi:\n  - text: hi"),
               Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))]
    theirs = [Domain.is_empty(d) for d in domains]
    assert [runtime.domain_is_empty(d) for d in domains] == theirs
    assert theirs == [True, True, True, False, False, False]


def test_log_line_copy_hands_the_value_over() -> None:
    value = {"events": [1, 2]}
    assert runtime.LogLineCopy.deepcopy(value) is value
    assert runtime.LogLineCopy.copy(value) == value and runtime.LogLineCopy.copy(value) is not value


def test_action_answers_are_checked_as_rasa_checks_them() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    good = {"events": [{"event": "slot", "name": "language", "value": "vi"}],
            "responses": [{"text": "Xin chào"}]}
    bad = {"events": [{"event": 3}], "responses": "no"}
    action = RemoteAction("action_suggest_questions", None)
    assert runtime.validate_action_result(action, good) is True
    assert RemoteAction._validate_action_result(action, good) is True
    for check in (runtime.validate_action_result, RemoteAction._validate_action_result):
        with pytest.raises(ValidationError) as raised:
            check(action, bad)
        assert "Failed to validate Action server response" in raised.value.message


# ----------------------------------------------------------------- featurizer


@pytest.mark.parametrize("config", [{}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}])
def test_the_sentence_features_are_rasas(tmp_path: Path, config: Dict[str, Any]) -> None:
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import INTENT
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from speed.featurizer import SentenceCountVectorsFeaturizer

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage,
                                           Resource("tokens"), context)
    texts = ["does foot massage help with sleep", "how often should I come",
             "what is reflexology", "massage for back pain", "is it safe when pregnant"]
    data = TrainingData([Message(data={TEXT: t, INTENT: f"i{n}"}) for n, t in enumerate(texts)])
    tokenizer.process_training_data(data)
    stock = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), **config},
                                          storage, Resource("stock"), context)
    fast = SentenceCountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), **config}, storage, Resource("fast"),
        context)
    stock.train(data)
    fast.train(data)
    for text in ["foot massage for sleep?", "reflexology pain", "xyz unknown words", "",
                 "massage massage MASSAGE, foot foot", "Massage chân có giúp ngủ ngon không"]:
        theirs, ours = Message(data={TEXT: text}), Message(data={TEXT: text})
        tokenizer.process([theirs, ours])
        stock.process([theirs])
        fast.process([ours])
        their_sentence = theirs.get_sparse_features(TEXT)[1]
        our_sentence = ours.get_sparse_features(TEXT)[1]
        assert ours.get_sparse_features(TEXT)[0] is None  # no per-token counts
        if their_sentence is None:
            assert our_sentence is None
        else:
            ours_coo, theirs_coo = our_sentence.features, their_sentence.features
            assert (ours_coo != theirs_coo).nnz == 0
            assert ours_coo.shape == theirs_coo.shape and ours_coo.dtype == theirs_coo.dtype
            for part in ("row", "col", "data"):
                assert np.array_equal(getattr(ours_coo, part), getattr(theirs_coo, part))
                assert getattr(ours_coo, part).dtype == getattr(theirs_coo, part).dtype


# -------------------------------------------------------------------- memory


def test_jax_is_left_out_unless_already_imported() -> None:
    from speed.memory import leave_out_unused_modules

    modules: Dict[str, Any] = {}
    leave_out_unused_modules(modules)
    assert modules == {"jax": None}
    loaded: Dict[str, Any] = {"jax": object()}
    leave_out_unused_modules(loaded)
    assert loaded["jax"] is not None
