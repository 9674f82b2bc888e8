"""Five changes to Rasa 3.6's message path, installed when the bot starts.

``scripts/rasa_run.py`` calls ``install()`` before Rasa loads the model; nothing
changes at import time, and ``rasa`` started any other way is stock Rasa.

1. **Graphs run in a plain loop.** Rasa runs the NLU and policy graphs through
   dask on every message (``DaskGraphRunner``), and recomputes each run's
   minimal sub-graph. ``LoopGraphRunner`` computes a sub-graph once per set of
   targets and calls the same nodes, with the same inputs, depth first.
2. **Action-server answers are checked against a schema compiled once.**
   ``jsonschema.validate`` checks the schema itself and builds a validator on
   every call; ``RemoteAction`` calls it for every custom-action answer.
3. **No deep copies for debug lines.** Rasa's processor and rule policy
   deep-copy events, states and slots only to pass them to ``structlog.debug``,
   which renders them at once (or drops them); the copies are made even when
   debug logging is off. Those two modules get a ``copy`` whose ``deepcopy``
   hands the value over as it is.

4. **The empty domain is built once.** ``Domain.is_empty`` builds an empty
   ``Domain`` and its dictionary to compare with; the processor asks on every
   message (``_check_for_unseen_features``). Its dictionary never changes.

5. **Slots are copied as the copy module copies them, without its detour.**
   Every tracker copy (one per action run, one per replay) copies each slot
   with ``copy.copy``, which goes through ``__reduce_ex__`` and ``copyreg``;
   ``Slot.__copy__`` makes the same object (a new instance of the class
   with the same attribute dictionary) directly.

All five keep Rasa's results and errors (tests/unit/test_speed.py); bench/profile.md
holds the measurements. Another Rasa version leaves Rasa as it is.
"""
import copy
import logging
from functools import cache
from typing import Any, Dict, List, Tuple

import rasa
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6.21"


class LoopGraphRunner(DaskGraphRunner):
    """Runs a graph's nodes depth first in this thread, with no dask graph per run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: Dict[Tuple[str, ...], GraphSchema] = {}

    def _schema_for(self, targets: Tuple[str, ...]) -> GraphSchema:
        schema = self._schemas.get(targets)
        if schema is None:
            schema = self._schemas[targets] = self._graph_schema.minimal_graph_schema(
                list(targets))
        return schema

    def run(self, inputs: Dict[str, Any] | None = None,
            targets: List[str] | None = None) -> Dict[str, Any]:
        """Run the nodes the targets need; ``{target: output}`` as Rasa's runner returns."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        schema = self._schema_for(run_targets)
        results: Dict[str, Tuple[str, Any]] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as node "
                    f"names in the graph schema.")
            results[name] = (name, value)

        def output_of(name: str) -> Tuple[str, Any]:
            if name not in results:
                needs = schema.nodes[name].needs.values()
                results[name] = self._instantiated_nodes[name](*(output_of(n) for n in needs))
            return results[name]

        try:
            return dict(output_of(target) for target in run_targets)
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error


@cache
def _action_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the validator built once."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            f". Failed to validate Action server response from API, make sure your "
            f"response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions")
        raise error


@cache
def _empty_domain() -> Dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.empty().as_dict()


def domain_is_empty(self: Any) -> bool:
    """``Domain.is_empty``, against the empty domain's dictionary built once."""
    return bool(self.as_dict() == _empty_domain())


def copy_slot(self: Any) -> Any:
    """``copy.copy(slot)``: a new instance of its class with the same attributes."""
    cls: Any = type(self)
    new = cls.__new__(cls)
    new.__dict__.update(self.__dict__)
    return new


class LogLineCopy:
    """The ``copy`` module for Rasa modules whose deep copies only feed debug lines."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        """The value itself: a debug line renders it before anything changes it."""
        return value


def install(version: str = rasa.__version__) -> List[str]:
    """Install the changes into Rasa; the names of the attributes replaced."""
    if version != SUPPORTED_RASA:
        logger.warning("Rasa %s is not %s: message path left as Rasa ships it",
                       version, SUPPORTED_RASA)
        return []
    for owner, name, value in _changes():
        _originals.setdefault((id(owner), name), (owner, name, owner.__dict__.get(name, _NONE)
                                                   if isinstance(owner, type)
                                                   else getattr(owner, name)))
        setattr(owner, name, value)
    return [name for _, name, _ in _changes()]


def restore() -> None:
    """Put back what ``install()`` changed (for tests that compare both)."""
    for owner, name, value in _originals.values():
        if value is _NONE:
            delattr(owner, name)  # the class had none of its own
        else:
            setattr(owner, name, value)
    _originals.clear()


def original(owner: Any, name: str) -> Any:
    """What ``owner.name`` was before ``install()`` (Rasa's own, for comparisons)."""
    found = _originals.get((id(owner), name))
    return getattr(owner, name) if found is None else found[2]


_originals: Dict[Tuple[int, str], Tuple[Any, str, Any]] = {}
_NONE = object()


def _changes() -> List[Tuple[Any, str, Any]]:
    """(object, attribute, new value) for each change."""
    import rasa.core.policies.rule_policy
    import rasa.core.processor
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    return [
        (rasa.core.processor, "DaskGraphRunner", LoopGraphRunner),
        (RemoteAction, "_validate_action_result", validate_action_result),
        (rasa.core.processor, "copy", LogLineCopy),
        (rasa.core.policies.rule_policy, "copy", LogLineCopy),
        (Domain, "is_empty", domain_is_empty),
        (Slot, "__copy__", copy_slot),
    ]
