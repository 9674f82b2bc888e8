"""Held-out accuracy: parse tests/heldout/nlu.yml with a trained model.

Usage: python scripts/heldout.py [MODEL] [--report results/heldout.md]
Prints the accuracy and writes a per-intent report. The examples are never
used for training (tests/test_heldout.py checks that).
"""
import argparse
import asyncio
import collections
import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

HELDOUT = Path(__file__).resolve().parent.parent / "tests" / "heldout" / "nlu.yml"


def load_examples(path: Path = HELDOUT) -> List[Tuple[str, str]]:
    """(text, intent) pairs of the held-out set."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


async def predict(model: str, texts: List[str]) -> List[Dict]:
    """Parse every text with the model's NLU pipeline."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(t) for t in texts]


# An out-of-scope message answered with "did you mean" is not a guess either.
ALSO_RIGHT = {"out_of_scope": {"nlu_fallback"}}


def is_right(expected: str, got: str) -> bool:
    """Whether the prediction leads to the reply the visitor should get."""
    return got == expected or got in ALSO_RIGHT.get(expected, set())


def report(pairs: List[Tuple[str, str]], parsed: List[Dict]) -> Dict:
    """Accuracy overall and per intent, with the misses listed."""
    per_intent: Dict[str, List[int]] = collections.defaultdict(lambda: [0, 0])
    misses = []
    for (text, expected), result in zip(pairs, parsed, strict=True):
        got = result["intent"]["name"]
        per_intent[expected][1] += 1
        if is_right(expected, got):
            per_intent[expected][0] += 1
        else:
            confidence = round(result["intent"]["confidence"], 3)
            misses.append({"text": text, "expected": expected, "got": got,
                           "confidence": confidence})
    correct = sum(c for c, _ in per_intent.values())
    raw = []
    for (_, expected), result in zip(pairs, parsed, strict=True):
        best = next(r for r in result["intent_ranking"] if r["name"] != "nlu_fallback")
        raw.append([expected, best["name"], round(best["confidence"], 4)])
    return {
        "accuracy": correct / len(pairs),
        "correct": correct,
        "total": len(pairs),
        "per_intent": {k: v[0] / v[1] for k, v in sorted(per_intent.items())},
        "misses": misses,
        "raw": raw,
    }


def to_markdown(result: Dict) -> str:
    """The report as a Markdown page."""
    lines = [
        "# Held-out accuracy",
        "",
        f"**{result['accuracy']:.1%}** ({result['correct']}/{result['total']})",
        "",
        "| intent | accuracy |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.0%} |" for k, v in result["per_intent"].items()]
    lines += ["", "## Misses", "", "| text | expected | got | confidence |",
              "|---|---|---|---|"]
    lines += [f"| {m['text']} | {m['expected']} | {m['got']} | {m['confidence']} |"
              for m in result["misses"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Evaluate a model and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", nargs="?", default="models")
    parser.add_argument("--report", default="results/heldout.md")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    pairs = load_examples()
    parsed = asyncio.run(predict(args.model, [t for t, _ in pairs]))
    result = report(pairs, parsed)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(to_markdown(result))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"held-out accuracy: {result['accuracy']:.1%} "
              f"({result['correct']}/{result['total']}), report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
