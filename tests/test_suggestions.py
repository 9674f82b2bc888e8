"""actions/suggestions.py: which questions are offered when the bot is unsure."""
from typing import Any, Dict

from actions.suggestions import TALK_TO_SPA, payload_for, question_title, suggestion_buttons


def ranking(*names: str) -> list:
    return [{"name": n, "confidence": 1.0 / (i + 2)} for i, n in enumerate(names)]


def test_titles_come_from_the_answers_and_follow_the_slot(responses: Dict[str, Any]) -> None:
    assert question_title("ask_sleep", responses, {}) == "Does massage help with sleep?"
    assert question_title("ask_sleep", responses, {"massage_type": "foot", "language": "en"}) == (
        "Does foot massage help with sleep?"
    )
    assert question_title("greet", responses, {}) is None


def test_top_three_questions_then_talk_to_the_spa(responses: Dict[str, Any]) -> None:
    buttons = suggestion_buttons(
        ranking("nlu_fallback", "greet", "ask_sleep", "ask_stress", "thank", "ask_pain",
                "ask_reflexology"),
        responses, {},
    )
    assert [b["payload"] for b in buttons] == ["/ask_sleep", "/ask_stress", "/ask_pain",
                                               "/contact"]
    assert buttons[-1] == TALK_TO_SPA


def test_no_question_in_the_ranking_leaves_only_the_spa(responses: Dict[str, Any]) -> None:
    assert suggestion_buttons(ranking("greet", "out_of_scope", "affirm"), responses, {}) == [
        TALK_TO_SPA
    ]


def test_payload_keeps_the_massage_type() -> None:
    assert payload_for("ask_sleep", {"massage_type": "foot"}) == (
        '/ask_sleep{"massage_type": "foot"}'
    )
    assert payload_for("ask_sleep", {"massage_type": None}) == "/ask_sleep"


def test_answers_that_only_hand_off_are_not_offered(responses: Dict[str, Any]) -> None:
    buttons = suggestion_buttons(
        ranking("ask_not_covered", "ask_health_condition", "ask_services", "contact",
                "ask_sleep"),
        responses, {},
    )
    assert [b["payload"] for b in buttons] == ["/ask_sleep", "/contact"]


def test_a_question_far_below_the_likeliest_is_not_offered(responses: Dict[str, Any]) -> None:
    scored = [{"name": "ask_sleep", "confidence": 0.40},
              {"name": "ask_stress", "confidence": 0.20},
              {"name": "ask_pain", "confidence": 0.10}]
    buttons = suggestion_buttons(scored, responses, {})
    assert [b["payload"] for b in buttons] == ["/ask_sleep", "/ask_stress", "/contact"]


def test_booking_is_left_to_the_last_button(responses: Dict[str, Any]) -> None:
    buttons = suggestion_buttons(ranking("book", "ask_best_time"), responses, {})
    assert [b["payload"] for b in buttons] == ["/ask_best_time", "/contact"]


def test_a_thinly_spread_ranking_offers_no_question(responses: Dict[str, Any]) -> None:
    """Nonsense scores every question low: no guess, only the spa."""
    thin = [{"name": "nlu_fallback", "confidence": 0.5},
            {"name": "ask_not_covered", "confidence": 0.19},
            {"name": "ask_pain", "confidence": 0.049},
            {"name": "ask_sports_massage", "confidence": 0.034}]
    assert suggestion_buttons(thin, responses, {}) == [TALK_TO_SPA]
    thin[2]["confidence"] = 0.12
    assert [b["payload"] for b in suggestion_buttons(thin, responses, {})] == [
        "/ask_pain", "/contact"]
