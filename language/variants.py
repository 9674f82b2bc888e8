"""Pick a response's variant for a conversation's slots, as Rasa's NLG does.

Used where a response is read outside Rasa's own response selection (the
channels' "no reply" contact card).
"""
from typing import Any, Dict, Iterable


def variant_for(variants: Iterable[Dict[str, Any]], slots: Dict[str, Any]) -> Dict[str, Any] | None:
    """The first variant whose slot conditions all hold, else the unconditioned one."""
    default = None
    for variant in variants:
        conditions = variant.get("condition") or []
        if not conditions:
            default = default or variant
            continue
        if all(slots.get(c.get("name")) == c.get("value")
               for c in conditions if c.get("type") == "slot"):
            return variant
    return default
