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
"""
import json
from collections import OrderedDict
from typing import Any, Dict, List, Set, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

State = Dict[str, Any]
CACHED_HISTORIES = 4096


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class FastRulePolicy(RulePolicy):
    """``RulePolicy`` that remembers which rules match a state history."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._matching: OrderedDict[Tuple[int, str], Set[str]] = OrderedDict()
        self._remember_matches = False
        self._longest: Dict[int, int] = {}

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
        policy._remember_matches = True
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
        key = (id(lookup), json.dumps(recent, sort_keys=True, default=str))
        found = self._matching.get(key)
        if found is None:
            found = super()._get_possible_keys(lookup, states)
            self._matching[key] = found
            if len(self._matching) > CACHED_HISTORIES:
                self._matching.popitem(last=False)
        return set(found)
