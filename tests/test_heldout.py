"""Held-out paraphrases, never trained on, are understood (>= 90%)."""
from typing import Any

from scripts.heldout import load_examples, report, to_markdown
from scripts.servers import ROOT, Bot

MIN_ACCURACY = 0.90


def test_heldout_examples_are_not_in_the_training_data(nlu_data: Any) -> None:
    trained = {m.get("text").lower() for m in nlu_data.intent_examples}
    overlap = [text for text, _ in load_examples() if text.lower() in trained]
    assert overlap == []


def test_heldout_accuracy_is_at_least_90_percent(bot: Bot) -> None:
    pairs = load_examples()
    result = report(pairs, [bot.parse(text) for text, _ in pairs])
    out = ROOT / "results" / "heldout.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(to_markdown(result))
    print(f"held-out accuracy {result['accuracy']:.1%} ({result['correct']}/{result['total']})")
    assert result["accuracy"] >= MIN_ACCURACY, to_markdown(result)
