"""Rasa's rule policy, with each set of matching rules looked up once per state history.

For every prediction ``RulePolicy`` tests every rule against every state of
the conversation (``_get_possible_keys``): about half the dialogue side's CPU
in bench/profile.md. The answer depends only on the rules, which don't change
after loading, and on the states, which repeat from visitor to visitor (an FAQ
conversation is a few greeting, question and answer turns). Only the last
states, as many as the longest rule has, can change the answer. So the matching
rules are remembered per rule table and recent states, in a bounded cache,
once the trained policy is loaded (training changes the tables, so it runs
uncached). Rasa's own method computes every entry; predictions are unchanged
(tests/unit/test_speed.py compares both on every state history of the stories).

Two more savings, measured on a lone sender's profile (bench/profile.md):

- Rasa looks rules up twice per prediction, once with the visitor's text in
  place of the intent. No rule of this bot names a text, so a text's value
  can't change which rules match: the remembered matches leave it out of
  their key, where every new sentence had made a new entry (a third of the
  prediction's time went to those misses).
- Histories still vary (four turns of some 40 intents), so a history not
  seen before is matched from per-turn sets: whether a rule applies at a
  turn depends only on the rule, how far back the turn is and its state, so
  the rules applicable to each (distance, state) are found once and a
  history's matches are the intersection of its turns' sets.
- Both lookups turn the same conversation into the same states
  (``past_states``, which replays the conversation). The states of the first
  are kept for the second while the conversation is unchanged, and each gets
  its own copy, since Rasa edits the last one in place.
"""
import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Set, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import USER
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

State = Dict[str, Any]
CACHED_HISTORIES = 4096


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class FastRulePolicy(RulePolicy):
    """``RulePolicy`` that remembers which rules match a state history."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._matching: OrderedDict[Tuple[int, str], FrozenSet[str]] = OrderedDict()
        self._remember_matches = False
        self._longest: Dict[int, int] = {}
        self._rules_read_text: Dict[int, bool] = {}
        self._applicable: OrderedDict[Tuple[int, int, str], FrozenSet[str]] = OrderedDict()

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "FastRulePolicy":
        """Load the trained rules; from now on they never change, so matches are remembered."""
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        if execution_context.is_finetuning:  # it will be trained again: Rasa's own code
            return policy  # type: ignore[return-value]
        policy._remember_matches = True
        featurizer = policy.featurizer
        featurizer._create_states = RememberedStates(  # type: ignore[method-assign]
            type(featurizer)._create_states)
        return policy  # type: ignore[return-value]

    def _get_possible_keys(self, lookup: Dict[str, str], states: List[State]) -> Set[str]:
        """Rasa's matching rules for ``states``, computed once per rule table and history."""
        if not self._remember_matches:
            return super()._get_possible_keys(lookup, states)
        # A rule of n turns is tested against the last n states only (Rasa's
        # _is_rule_applicable accepts every rule at older turns), so the last
        # states up to the longest rule's length decide the result.
        longest = self._longest.get(id(lookup))
        if longest is None:
            longest = self._longest[id(lookup)] = max(
                (len(self._rule_key_to_state(rule)) for rule in lookup), default=0)
        recent = states[len(states) - longest:] if longest else []
        reads_text = self._rules_read_text.get(id(lookup))
        if reads_text is None:
            reads_text = self._rules_read_text[id(lookup)] = any(
                TEXT in rule_state.get(USER, {})
                for rule in lookup for rule_state in self._rule_key_to_state(rule))
        if not reads_text:
            recent = [without_text(state) for state in recent]
        key = (id(lookup), json.dumps(recent, sort_keys=True, default=str))
        found = self._matching.get(key)
        if found is None:
            found = self._matching_rules(lookup, recent)
            self._matching[key] = found
            if len(self._matching) > CACHED_HISTORIES:
                self._matching.popitem(last=False)
        return set(found)

    def _matching_rules(self, lookup: Dict[str, str], recent: List[State]) -> FrozenSet[str]:
        """Rasa's ``_get_possible_keys``: the rules applicable at every one of the last turns.

        Whether a rule applies at turn ``i`` (counted back from now) depends on
        the rule, ``i`` and that turn's state alone, so each (turn, state) is
        tested against the rule table once and its applicable rules kept.
        """
        found: FrozenSet[str] | None = None
        for i, state in enumerate(reversed(recent)):
            key = (id(lookup), i, json.dumps(state, sort_keys=True, default=str))
            applicable = self._applicable.get(key)
            if applicable is None:
                applicable = self._applicable[key] = frozenset(
                    rule for rule in lookup if self._is_rule_applicable(rule, i, state))
                if len(self._applicable) > CACHED_HISTORIES:
                    self._applicable.popitem(last=False)
            found = applicable if found is None else found & applicable
        return frozenset(lookup) if found is None else found


# Events after which Rasa's ``applied_events`` is not the old one plus the new
# events (a reset, an undo, a loop): the states are then built from the start.
REWINDING_EVENTS = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted,
                    ActiveLoop)
REMEMBERED_CONVERSATIONS = 128


@dataclass
class Replayed:
    """A conversation's states so far, and the tracker replayed to its last event."""

    events: Any  # the conversation's deque, held so that its id stays its own
    length: int
    last: Any
    domain: Any
    replay: DialogueStateTracker
    states: List[State]  # the state before each action, as Rasa's history lists them


class RememberedStates:
    """The policy featurizer's ``_create_states``, carrying each conversation's states on.

    Rasa replays a conversation from its first event on every prediction
    (``Domain.states_for_tracker_history``: a tracker copy, then every event).
    A conversation only grows between predictions, so the replay is kept per
    conversation and carried on over the new events; it starts again from the
    first event when the conversation is another object, was cut short, or
    gained an event that rewinds it (``REWINDING_EVENTS``). The rule policy
    asks without ``omit_unset_slots`` and ``ignore_rule_only_turns``; any other
    call is Rasa's own. Each caller gets its own copy of the states.
    """

    def __init__(self, create: Any) -> None:
        self._create = create
        self._replayed: OrderedDict[int, Tuple[Any, Replayed]] = OrderedDict()

    def __call__(self, tracker: Any, domain: Any, omit_unset_slots: bool = False,
                 ignore_rule_only_turns: bool = False,
                 rule_only_data: Dict[str, Any] | None = None) -> List[State]:
        """Rasa's ``_create_states(tracker, domain, ...)``, replaying only new events."""
        if omit_unset_slots or ignore_rule_only_turns:
            return self._create(tracker, domain, omit_unset_slots=omit_unset_slots,
                                ignore_rule_only_turns=ignore_rule_only_turns,
                                rule_only_data=rule_only_data)
        events = tracker.events
        held = self._replayed.get(id(tracker))
        replayed = held[1] if held and held[0] is tracker else None
        new: List[Any] | None = None
        if (replayed is not None and replayed.events is events and replayed.domain is domain
                and len(events) >= replayed.length
                and (replayed.length == 0 or events[replayed.length - 1] is replayed.last)):
            new = list(itertools.islice(events, replayed.length, None))
            if any(isinstance(event, REWINDING_EVENTS) for event in new):
                new = None
        if replayed is None or new is None:
            replayed = self._start(tracker, domain)
            new = []
        for event in new:
            if isinstance(event, ActionExecuted):
                replayed.states.append(current_state(domain, replayed.replay))
            replayed.replay.update(event)
        replayed.length, replayed.last = len(events), events[-1] if events else None
        self._replayed[id(tracker)] = (tracker, replayed)
        self._replayed.move_to_end(id(tracker))
        while len(self._replayed) > REMEMBERED_CONVERSATIONS:
            self._replayed.popitem(last=False)
        states = replayed.states + [current_state(domain, replayed.replay)]
        return [copied(state) for state in states]

    @staticmethod
    def _start(tracker: Any, domain: Any) -> Replayed:
        """Replay ``tracker``'s applied events from the start, as Rasa does."""
        replay = tracker.init_copy()
        states: List[State] = []
        for event in tracker.applied_events():
            if isinstance(event, ActionExecuted):
                states.append(current_state(domain, replay))
            replay.update(event)
        if any(isinstance(event, ActiveLoop) for event in tracker.events):
            # a loop's later events can change how earlier ones apply: not carried on
            return Replayed(None, 0, None, domain, replay, states)
        return Replayed(tracker.events, 0, None, domain, replay, states)


def current_state(domain: Any, tracker: Any) -> State:
    """The state of ``tracker`` now, as ``states_for_tracker_history`` records it."""
    return domain._clean_state(domain.get_active_state(tracker, omit_unset_slots=False))


def without_text(state: State) -> State:
    """``state`` without the visitor's text (the matches of rules that never read it)."""
    user = state.get(USER)
    if not user or TEXT not in user:
        return state
    return {**state, USER: {k: v for k, v in user.items() if k != TEXT}}


def copied(state: State) -> State:
    """A copy of a state that Rasa may edit: each sub-state copied, values shared (immutable)."""
    return {name: dict(sub) if isinstance(sub, dict) else sub for name, sub in state.items()}
