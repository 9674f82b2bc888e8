"""Pick the questions to offer when the bot is unsure what was asked.

Pure functions over the NLU ranking and the domain's responses: each answer's
``metadata.question`` is the title of its button, so a question's wording lives
next to its answer and nowhere else.
"""
import json
from typing import Any, Dict, Iterable, List

from actions.catalog import NOT_QUESTIONS

MAX_SUGGESTIONS = 3
# A question well below the likeliest one is noise, not a suggestion.
MIN_SHARE_OF_BEST = 0.3
# Nor is a question the model gives less than this: with sentence embeddings a
# string of nonsense spreads its score thinly over every question, and a
# "did you mean" built from that would be a guess. Below it the visitor gets
# what the bot can do and the contacts.
MIN_CONFIDENCE = 0.1
# Answers that make no claim of their own ("see a doctor", "ask the team"): the
# "Talk to the spa" button already offers what they would.
NOT_SUGGESTED_KINDS = frozenset({"safety", "not_covered", "handoff"})

# Only questions are offered ("ask_..."): booking and contact are the last button's job.
FAQ_PREFIX = "ask_"

TALK_TO_SPA = {"title": "Talk to the spa", "payload": "/contact"}


def _variant_for(
    variants: Iterable[Dict[str, Any]], slots: Dict[str, Any]
) -> Dict[str, Any] | None:
    """The response variant Rasa would choose for these slot values."""
    default = None
    for variant in variants:
        conditions = variant.get("condition") or []
        if not conditions:
            default = default or variant
            continue
        if all(
            slots.get(c.get("name")) == c.get("value")
            for c in conditions
            if c.get("type") == "slot"
        ):
            return variant
    return default


def question_title(
    intent: str, responses: Dict[str, List[Dict[str, Any]]], slots: Dict[str, Any]
) -> str | None:
    """The visitor-facing question that ``intent`` answers, if it is worth offering."""
    variant = _variant_for(responses.get(f"utter_{intent}", []), slots)
    if not variant:
        return None
    custom = variant.get("custom")
    if isinstance(custom, dict) and custom.get("kind") in NOT_SUGGESTED_KINDS:
        return None
    return (variant.get("metadata") or {}).get("question")


def payload_for(intent: str, slots: Dict[str, Any]) -> str:
    """A button payload that asks ``intent`` and keeps the massage type."""
    massage_type = slots.get("massage_type")
    if massage_type:
        return f"/{intent}{json.dumps({'massage_type': massage_type})}"
    return f"/{intent}"


def suggestion_buttons(
    ranking: Iterable[Dict[str, Any]],
    responses: Dict[str, List[Dict[str, Any]]],
    slots: Dict[str, Any],
    limit: int = MAX_SUGGESTIONS,
) -> List[Dict[str, str]]:
    """Buttons for the 1-3 likeliest questions, best first, then "talk to the spa".

    A question scoring under ``MIN_SHARE_OF_BEST`` of the best offered one, or
    under ``MIN_CONFIDENCE``, is left out.
    """
    buttons: List[Dict[str, str]] = []
    best = 0.0
    for entry in ranking:
        intent = entry.get("name")
        if not intent or intent in NOT_QUESTIONS or not intent.startswith(FAQ_PREFIX):
            continue
        title = question_title(intent, responses, slots)
        if title is None:
            continue
        confidence = float(entry.get("confidence") or 0.0)
        best = best or confidence
        if confidence < max(best * MIN_SHARE_OF_BEST, MIN_CONFIDENCE):
            break
        buttons.append({"title": title, "payload": payload_for(intent, slots)})
        if len(buttons) == limit:
            break
    return buttons + [TALK_TO_SPA]
