"""The assistant's shared vocabulary, written once and imported where needed.

Pure data and formatting, no Rasa imports: channels, the console, the actions,
the benchmark and the tests read the same lists and the same source line.
"""
from typing import Any, Dict, List

from language.detect import has_han

# Intents that are not questions a visitor could have meant: never offered as
# "did you mean", never counted among the top questions.
NOT_QUESTIONS = frozenset({
    "nlu_fallback", "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge",
    "out_of_scope", "feedback",
})

# What visitors typically send, in the order the benchmark and load tests cycle through.
SAMPLE_QUESTIONS: List[str] = [
    "does foot massage help with sleep?", "how often should I come?", "what is reflexology?",
    "I want to book", "does massage help with stress?", "when is the best time?",
    "my feet always hurt, will it help?", "can massage lower my blood pressure?",
]


def source_text(source: Dict[str, Any], translated: bool = False) -> str:
    """'<article>, “<section>”' of an answer's ``custom.source``.

    ``translated`` uses the translated titles and adds the note ("bản dịch từ tiếng Anh")
    when the source has them; Chinese titles get Chinese punctuation.
    """
    names = source.get("translated") if translated else None
    if isinstance(names, dict) and names.get("article"):
        section = names.get("section") or source.get("section", "")
        if has_han(names["article"] + section):  # Chinese: 《article》，“section”（note）
            note = f"（{names['note']}）" if names.get("note") else ""
            return f"《{names['article']}》，“{section}”{note}"
        note = f" ({names['note']})" if names.get("note") else ""
        return f"{names['article']}, “{section}”{note}"
    return f"{source.get('article', '')}, “{source.get('section', '')}”"
