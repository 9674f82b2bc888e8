"""Sweep the classifier's regularisation C and the fallback gate, on every held-out set.

Usage: python bench/nlu_sweep.py [--model models/panda.tar.gz] [--c 1,3,5,10]
       [--gates 0.40/0.04,0.50/0.04] [--folds 5]

The trained model featurizes every training example and every held-out question
once, with its own pipeline (spaCy lemmas, word counts, character n-grams); the
feature rows are the ones its classifier reads. For each C, scikit-learn's
logistic regression with the model's own estimator settings is fitted on them,
and each question's ranking goes through the project's safety rule
(``safety.component.SafetyGate``) and then the fallback gate, as
FallbackClassifier applies it. Each set is scored as `make heldout` scores it
(``scripts.heldout.is_right``); a stratified cross-validation of the training
examples counts right, "did you mean" and wrong answers. One training run of
Rasa per candidate would take minutes; this takes seconds per candidate.
The table goes to standard output (bench/nlu_choice.md records it).
"""
import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# the project instead of bench/ itself, whose profile.py would shadow the standard library's
sys.path[0] = str(ROOT)

from scripts.heldout import FALLBACK, SET_NAMES, is_right, load_cases, set_path  # noqa: E402

Rows = Any  # a scipy.sparse matrix, one row per text


def featurize(model: Path, texts: Sequence[str]) -> Tuple[Rows, Any]:
    """The classifier's input row of each text, and the trained estimator."""
    from rasa.core.agent import Agent
    from scipy.sparse import vstack

    from speed.classifier import FastLogisticRegressionClassifier

    rows: List[Any] = []
    seen: Dict[str, Any] = {}
    create_x = FastLogisticRegressionClassifier._create_X

    def capture(self: Any, messages: Any) -> Any:
        seen["clf"] = self.clf
        x = create_x(self, messages)
        rows.append(x)
        return x

    FastLogisticRegressionClassifier._create_X = capture  # type: ignore[method-assign]
    try:
        agent = Agent.load(str(model))

        async def parse_all() -> None:
            for text in texts:
                await agent.parse_message(text)

        asyncio.run(parse_all())
    finally:
        FastLogisticRegressionClassifier._create_X = create_x  # type: ignore[method-assign]
    return vstack(rows).tocsr(), seen["clf"]


def decide(probs: np.ndarray, classes: Sequence[str], text: str, gate: Any,
           threshold: float, ambiguity: float) -> str:
    """The intent the bot answers with: the safety rule, then the fallback gate."""
    order = np.argsort(-probs)
    top = {"name": classes[order[0]], "confidence": float(probs[order[0]])}
    reading = gate.reading(top, text)
    if reading:
        return str(reading)
    second = float(probs[order[1]]) if len(order) > 1 else 0.0
    if top["confidence"] < threshold or top["confidence"] - second < ambiguity:
        return FALLBACK
    return str(top["name"])


def main() -> int:
    """Print the table of every C and gate."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "panda.tar.gz")
    parser.add_argument("--c", default="1,3,5,10")
    parser.add_argument("--gates", default="0.40/0.04,0.45/0.04,0.50/0.04,0.55/0.04,0.60/0.04")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    from bench.nlu_choice import quiet, training_data
    from safety.component import SafetyGate

    quiet()  # no debug line per parse
    data = training_data()
    train = [(m.get("text"), m.get("intent")) for m in data.intent_examples
             if m.get("text") and m.get("intent")]
    cases = {name: load_cases(set_path(name)) for name in SET_NAMES}
    texts = [t for t, _ in train] + [c.text for name in SET_NAMES for c in cases[name]]
    rows, estimator = featurize(args.model, texts)
    x_train, y_train = rows[:len(train)], np.array([i for _, i in train])
    offsets, start = {}, len(train)
    for name in SET_NAMES:
        offsets[name] = (start, start + len(cases[name]))
        start += len(cases[name])
    gates = [tuple(float(v) for v in g.split("/")) for g in args.gates.split(",")]
    safety = SafetyGate({})
    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=0)
                  .split(np.zeros(len(y_train)), y_train))

    print("| C | gate | " + " | ".join(SET_NAMES)
          + " | CV right | CV did you mean | CV wrong |")
    print("|---|---|" + "---|" * len(SET_NAMES) + "---|---|---|")
    for c in [float(v) for v in args.c.split(",")]:
        def fit(x: Rows, y: np.ndarray, c: float = c) -> Any:
            return clone(estimator).set_params(C=c).fit(x, y)

        model = fit(x_train, y_train)
        folds = [(fit(x_train[a], y_train[a]), b) for a, b in splits]
        for threshold, ambiguity in gates:
            cells = []
            for name in SET_NAMES:
                lo, hi = offsets[name]
                probs = model.predict_proba(rows[lo:hi])
                right = sum(is_right(case.expect, decide(p, model.classes_, case.text, safety,
                                                          threshold, ambiguity))
                            for p, case in zip(probs, cases[name], strict=True))
                cells.append(f"{right / len(cases[name]):.1%}")
            counts = {"right": 0, "fallback": 0, "wrong": 0}
            for fold, test in folds:
                for p, i in zip(fold.predict_proba(x_train[test]), test, strict=True):
                    got = decide(p, fold.classes_, train[i][0], safety, threshold, ambiguity)
                    key = ("right" if is_right(y_train[i], got) else
                           "fallback" if got == FALLBACK else "wrong")
                    counts[key] += 1
            n = len(y_train)
            print(f"| {c:g} | {threshold:.2f} / {ambiguity:.2f} | " + " | ".join(cells)
                  + f" | {counts['right'] / n:.1%} | {counts['fallback'] / n:.1%}"
                  f" | {counts['wrong'] / n:.1%} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
