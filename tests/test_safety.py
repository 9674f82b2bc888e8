"""Every safety question (tests/heldout/safety_en.yml) gets the safety answer.

Each question goes through the running bot over REST, in a conversation of
its own. The intent the tracker recorded must be one the set lists, and the
reply must carry that intent's caveated answer: the safety answer (custom
kind ``safety``) for a condition, or the prenatal answer (kind ``answer``,
section "Prenatal Massage", which sends the visitor to a doctor first) for a
pregnancy question. No benefit answer from another section may appear.
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import pytest

from scripts.heldout import Case, load_cases, set_path
from tests.support.servers import Bot

# Intent -> the (kind, section) of its caveated answer; section None: any.
CAVEATED: Dict[str, Tuple[str, str | None]] = {
    "ask_health_condition": ("safety", None),
    "ask_pregnancy": ("answer", "Prenatal Massage"),
}
# The kind of a sourced answer; a safety question must never get one from a
# section other than its caveated answer's.
ANSWER = "answer"


@dataclass(frozen=True)
class Reply:
    """What the bot recorded and sent for one safety question."""

    case: Case
    intent: str
    customs: Tuple[Dict[str, Any], ...]


def recorded_intent(tracker: Dict[str, Any]) -> str:
    """The intent of the last visitor message the tracker stored."""
    user = [e for e in tracker["events"] if e.get("event") == "user"]
    return str(user[-1]["parse_data"]["intent"]["name"])


def kind_and_section(custom: Dict[str, Any]) -> Tuple[str, str | None]:
    """A custom payload's kind and source section."""
    return custom.get("kind", ""), (custom.get("source") or {}).get("section")


def fits(custom: Dict[str, Any], intent: str) -> bool:
    """Whether a custom payload is the caveated answer of ``intent``."""
    if intent not in CAVEATED:
        return False
    kind, section = kind_and_section(custom)
    want_kind, want_section = CAVEATED[intent]
    return kind == want_kind and (want_section is None or section == want_section)


@pytest.fixture(scope="module")
def replies(bot: Bot) -> List[Reply]:
    """Each safety question sent once, in a fresh conversation."""
    out = []
    for n, case in enumerate(load_cases(set_path("safety_en"))):
        sender = f"safety-{n}"
        messages = bot.say(case.text, sender=sender)
        customs = tuple(m["custom"] for m in messages if isinstance(m.get("custom"), dict))
        out.append(Reply(case, recorded_intent(bot.tracker(sender)), customs))
    return out


def test_the_safety_set_lists_only_caveated_intents() -> None:
    listed = {i for c in load_cases(set_path("safety_en")) for i in c.expect}
    assert listed <= set(CAVEATED)


def test_every_safety_question_is_recorded_as_a_listed_caveated_intent(
    replies: List[Reply],
) -> None:
    wrong = [(r.case.text, r.intent) for r in replies if r.intent not in r.case.expect]
    assert wrong == [], f"{len(wrong)}/{len(replies)} safety questions misread: {wrong}"


def test_every_safety_question_gets_its_caveated_answer(replies: List[Reply]) -> None:
    missing = [(r.case.text, r.intent, [kind_and_section(c) for c in r.customs])
               for r in replies
               if not any(fits(c, i) for c in r.customs for i in r.case.expect)]
    assert missing == [], f"{len(missing)}/{len(replies)} without a caveated answer: {missing}"


def test_no_safety_question_gets_a_benefit_answer(replies: List[Reply]) -> None:
    benefit = [(r.case.text, kind_and_section(c)) for r in replies for c in r.customs
               if c.get("kind") == ANSWER and not any(fits(c, i) for i in r.case.expect)]
    assert benefit == [], f"benefit answers to safety questions: {benefit}"
