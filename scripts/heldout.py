"""Held-out accuracy: parse a held-out set with a trained model.

Usage: python scripts/heldout.py [SET ...] [--model MODEL] [--results DIR] [--json]

SET is a name in tests/heldout/ (nlu, real_en, safety_en, vi, ko, zh, and the
sealed sets sealed_en, sealed_vi, sealed_ko, sealed_zh; default: all of them) or a path.
Prints the accuracy of each set and writes a per-category table with the
misses to results/heldout-<set>.md. The
examples are never used for training (tests/test_heldout.py checks that).

Two formats are read:
- tests/heldout/nlu.yml: Rasa NLU training-data format (paraphrases of the
  trained questions); its category is the intent, and an intent block's
  ``metadata: {also_right: [...]}`` lists other answers faithful to its examples.
- every other set: a YAML list of entries ``text``, ``expect`` (one intent,
  or a list of intents that are all faithful answers), ``category``, ``url``
  (the page the question was taken from; may be empty for vi, ko and zh).
- the sealed sets, tests/heldout/sealed/<language>.tsv: a header line, then
  ``text``, ``expect`` (intents separated by commas), ``category``, ``source``.
  They are scored, never tuned to: their reports give the figures per
  category and no question (tests/heldout/sealed/README.md).

When the bot is unsure it predicts ``nlu_fallback`` and offers the likeliest
questions plus "Talk to the spa" ("did you mean"). That reply makes no claim,
so it counts as right where no answer of the bot fits anyway: when the entry
expects ``out_of_scope`` (weather, visas), or lists ``nlu_fallback`` itself.
Everywhere else it is a miss: a benefit, safety, booking or small-talk
question has its own answer, and so has a policy question the articles don't
cover (``ask_not_covered`` says so and hands over to the spa); counting the
fallback there would let a model that knows nothing score on those.
"""
import argparse
import asyncio
import collections
import difflib
import json
import logging
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_DIR = ROOT / "tests" / "heldout"
HELDOUT = HELDOUT_DIR / "nlu.yml"
SEALED_DIR = HELDOUT_DIR / "sealed"
SEALED_NAMES = ("sealed_en", "sealed_vi", "sealed_ko", "sealed_zh")
OPEN_NAMES = ("nlu", "real_en", "safety_en", "vi", "ko", "zh")
SET_NAMES = OPEN_NAMES + SEALED_NAMES
FALLBACK = "nlu_fallback"
SAFETY = "ask_health_condition"
# Answers that make no benefit claim: for a condition the articles don't cover,
# anything else is a benefit answer, the one kind of miss that must never happen.
NO_BENEFIT_CLAIM = frozenset({FALLBACK, SAFETY, "ask_not_covered", "ask_services", "book",
                              "contact", "ask_location", "ask_prices", "ask_opening_hours",
                              "out_of_scope"})

# Expected intents for which "did you mean" (nlu_fallback) is an honest reply.
FALLBACK_OK = frozenset({"out_of_scope"})

# A held-out question this close to a training example is a near copy.
MIN_JACCARD = 0.8
MIN_RATIO = 0.9


@dataclass(frozen=True)
class Case:
    """One held-out question and the intents that answer it faithfully."""

    text: str
    expect: Tuple[str, ...]
    category: str
    url: str = ""


def set_path(name: str) -> Path:
    """The file of a named set, or ``name`` itself when it is a path."""
    path = Path(name)
    if path.suffix in {".yml", ".yaml", ".tsv"}:
        return path
    if name.startswith("sealed_"):
        return SEALED_DIR / f"{name.removeprefix('sealed_')}.tsv"
    return HELDOUT_DIR / f"{name}.yml"


def set_name(path: Path) -> str:
    """The name a set's report is written under."""
    return f"sealed_{path.stem}" if path.suffix == ".tsv" else path.stem


def _rasa_nlu_cases(path: Path) -> List[Case]:
    """Each example of Rasa NLU data, its category the intent.

    An intent block's ``metadata: {also_right: [...]}`` names other answers
    that are faithful to its examples too.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    cases = []
    for m in data.intent_examples:
        intent_metadata = (m.get("metadata") or {}).get("intent") or {}
        also = tuple(intent_metadata.get("also_right") or ())
        cases.append(Case(m.get("text"), (m.get("intent"), *also), m.get("intent")))
    return cases


def _entry_case(entry: Dict[str, Any], path: Path) -> Case:
    expect = entry.get("expect")
    intents = (expect,) if isinstance(expect, str) else tuple(expect or ())
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip() or not intents:
        raise ValueError(f"{path}: entry without text or expect: {entry!r}")
    if not all(isinstance(i, str) and i for i in intents):
        raise ValueError(f"{path}: expect must name intents: {entry!r}")
    return Case(text, intents, str(entry.get("category") or "uncategorised"),
                str(entry.get("url") or ""))


def _tsv_cases(path: Path) -> List[Case]:
    """Each row of a sealed set: text, expect (comma-separated), category, source."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t") if lines else []
    if header[:4] != ["text", "expect", "category", "source"]:
        raise ValueError(f"{path}: the header must be text, expect, category, source")
    cases = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        intents = tuple(i.strip() for i in fields[1].split(",") if i.strip()) \
            if len(fields) >= 4 else ()
        if len(fields) < 4 or not fields[0].strip() or not intents:
            raise ValueError(f"{path}:{number}: expected text, expect, category, source")
        cases.append(Case(fields[0].strip(), intents, fields[2].strip() or "uncategorised",
                          fields[3].strip()))
    return cases


def load_cases(path: Path = HELDOUT) -> List[Case]:
    """Every case of a held-out set, in any of its formats."""
    from rasa.shared.utils.io import read_yaml_file

    if path.suffix == ".tsv":
        return _tsv_cases(path)

    content = read_yaml_file(str(path))
    if isinstance(content, dict) and "nlu" in content:
        return _rasa_nlu_cases(path)
    if not isinstance(content, list):
        raise ValueError(f"{path}: expected a list of entries or Rasa NLU data")
    return [_entry_case(entry, path) for entry in content]


def normalise(text: str) -> str:
    """Lower case, no diacritics (đ is d), Chinese in Simplified, no punctuation, single spaces."""
    from language.script import to_simplified

    decomposed = unicodedata.normalize("NFD", to_simplified(text).lower().replace("đ", "d"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    words = re.sub(r"[^\w]+", " ", unicodedata.normalize("NFC", stripped))
    return " ".join(words.replace("_", " ").split())


def near_copy(heldout: str, tokens: frozenset, trained: str, trained_tokens: frozenset) -> bool:
    """Same normalised text, or token-set Jaccard >= 0.8, or difflib ratio >= 0.9."""
    if heldout == trained:
        return True
    union = tokens | trained_tokens
    if union and len(tokens & trained_tokens) / len(union) >= MIN_JACCARD:
        return True
    shortest, longest = sorted((len(heldout), len(trained)))
    if 2 * shortest / (shortest + longest) < MIN_RATIO:
        return False
    matcher = difflib.SequenceMatcher(None, heldout, trained)
    return matcher.real_quick_ratio() >= MIN_RATIO and matcher.ratio() >= MIN_RATIO


def load_examples(path: Path = HELDOUT) -> List[Tuple[str, str]]:
    """(text, first expected intent) pairs of a held-out set."""
    return [(c.text, c.expect[0]) for c in load_cases(path)]


async def predict(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Parse every text with the model's NLU pipeline, in this process."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parsed text at debug level: a sealed question must not
    # reach the terminal or a CI log.
    logging.getLogger("rasa").setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(model)
    return [await agent.parse_message(t) for t in texts]


def is_right(expected: Sequence[str] | str, got: str) -> bool:
    """Whether the prediction leads to a reply the visitor should get."""
    intents = (expected,) if isinstance(expected, str) else tuple(expected)
    if got in intents:
        return True
    return got == FALLBACK and any(i in FALLBACK_OK for i in intents)


def _best_real_intent(result: Dict[str, Any]) -> Tuple[str, float]:
    ranking = result.get("intent_ranking") or [result["intent"]]
    best = next((r for r in ranking if r["name"] != FALLBACK), result["intent"])
    return best["name"], round(float(best["confidence"]), 4)


def evaluate(cases: Sequence[Case], parsed: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Accuracy overall, per category and per expected intent, with the misses."""
    per_category: Dict[str, List[int]] = collections.defaultdict(lambda: [0, 0])
    per_intent: Dict[str, List[int]] = collections.defaultdict(lambda: [0, 0])
    misses, raw = [], []
    wrong = benefit_for_condition = conditions = 0
    for case, result in zip(cases, parsed, strict=True):
        got = result["intent"]["name"]
        right = is_right(case.expect, got)
        wrong += int(not right and got != FALLBACK)
        if case.expect == (SAFETY,):
            conditions += 1
            benefit_for_condition += int(got not in NO_BENEFIT_CLAIM)
        for table, key in ((per_category, case.category), (per_intent, case.expect[0])):
            table[key][1] += 1
            table[key][0] += int(right)
        best, best_conf = _best_real_intent(result)
        raw.append([case.expect[0], best, best_conf])
        if not right:
            misses.append({
                "text": case.text, "category": case.category,
                "expected": list(case.expect), "got": got,
                "confidence": round(float(result["intent"]["confidence"]), 3),
                "best": best, "url": case.url,
            })
    correct = sum(c for c, _ in per_category.values())
    total = len(cases)
    return {
        "accuracy": correct / total if total else 0.0,
        "correct": correct,
        "total": total,
        # a confident answer that is not a faithful one ("did you mean" is not wrong)
        "wrong": wrong / total if total else 0.0,
        # questions about a condition the articles don't cover, and how many got a benefit
        "conditions": conditions,
        "benefit_for_condition": benefit_for_condition,
        "per_category": {k: tuple(v) for k, v in sorted(per_category.items())},
        "per_intent": {k: v[0] / v[1] for k, v in sorted(per_intent.items())},
        "misses": misses,
        "raw": raw,
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(result: Dict[str, Any], title: str = "Held-out accuracy",
                sealed: bool = False) -> str:
    """The report as a Markdown page: per-category table, then the misses (not if sealed)."""
    lines = [
        f"# {title}",
        "",
        f"**{result['accuracy']:.1%}** ({result['correct']}/{result['total']}); "
        f"wrong answers {result['wrong']:.1%}; benefit answers to "
        f"{result['conditions']} uncovered-condition questions: "
        f"{result['benefit_for_condition']}",
        "",
        "| category | right | total | accuracy |",
        "|---|---|---|---|",
    ]
    for category, (right, total) in result["per_category"].items():
        lines.append(f"| {category} | {right} | {total} | {right / total:.0%} |")
    if sealed:
        lines += ["", "A sealed set: its questions are not shown (tests/heldout/sealed/README.md)."]
        return "\n".join(lines) + "\n"
    lines += ["", "## Misses", "",
              "| category | text | expected | got | confidence |",
              "|---|---|---|---|---|"]
    for m in sorted(result["misses"], key=lambda m: (m["category"], m["text"])):
        got = m["got"] if m["got"] == m["best"] else f"{m['got']} ({m['best']})"
        lines.append(f"| {m['category']} | {_cell(m['text'])} | "
                     f"{', '.join(m['expected'])} | {got} | {m['confidence']} |")
    return "\n".join(lines) + "\n"


def write_report(result: Dict[str, Any], name: str, results_dir: Path) -> Path:
    """Write results/heldout-<name>.md and return its path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    out = results_dir / f"heldout-{name}.md"
    out.write_text(to_markdown(result, f"Held-out accuracy: {name}",
                               sealed=name.startswith("sealed_")))
    return out


def main(argv: List[str] | None = None) -> int:
    """Evaluate a model on held-out sets and write their reports."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", default=[n for n in SET_NAMES
                                                    if set_path(n).exists()],
                        help="set names in tests/heldout/ or paths (default: all)")
    parser.add_argument("--model", default="models", help="model file or folder")
    parser.add_argument("--results", default=str(ROOT / "results"),
                        help="folder for heldout-<set>.md")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    paths = [set_path(s) for s in args.sets]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        parser.error(f"no such set: {', '.join(missing)}")
    loaded = {set_name(p): load_cases(p) for p in paths}
    texts = [c.text for cases in loaded.values() for c in cases]
    parsed = asyncio.run(predict(args.model, texts))
    summary, start = {}, 0
    for name, cases in loaded.items():
        result = evaluate(cases, parsed[start:start + len(cases)])
        start += len(cases)
        out = write_report(result, name, Path(args.results))
        summary[name] = result
        if not args.json:
            print(f"{name}: {result['accuracy']:.1%} "
                  f"({result['correct']}/{result['total']}), wrong {result['wrong']:.1%}, "
                  f"benefit for a condition {result['benefit_for_condition']}, report: {out}")
    if args.json:
        for name in summary:  # a sealed set's questions stay out of the output
            if name.startswith("sealed_"):
                summary[name] = {k: v for k, v in summary[name].items()
                                 if k not in ("misses", "raw")}
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
