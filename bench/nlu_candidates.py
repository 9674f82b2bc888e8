"""Compare NLU pipelines on every held-out set, the sealed ones included.

Usage: python bench/nlu_candidates.py [--sparse-model MODEL] [--stock-model MODEL]
       [--models NAME=MODEL ...] [--c 1,5,20] [--scales 1,3] [--gate 0.50/0.04]

Candidates, each fitted on this project's training data:
- today: the sparse pipeline's rows (spaCy lemmas, word counts, character
  n-grams, taken from ``--sparse-model``, a model trained with that pipeline)
  and logistic regression with C 5;
- embed C=…: multilingual-e5-small sentence embeddings (``embedding.encoder``),
  centred on the training mean, and logistic regression;
- embed+sparse ×s: both side by side, the embedding scaled by s;
- stock: a model trained with Rasa's stock config (DIET + TED, ``--stock-model``)
  parses each question as it is, with its own fallback.
Every candidate but stock goes through the project's safety rule and the
fallback gate as the bot applies them (``bench/nlu_sweep.py``'s ``decide``).
``--models`` parses the sets with trained models as they are and measures the
CPU per message of each (``--stock-model`` too): the figures of the real thing.

Each set is scored as `make heldout` scores it: accuracy, the share of wrong
(confident, unfaithful) answers, and the number of uncovered-condition
questions given a benefit answer. Sealed sets are scored, never shown: no
question of theirs is printed. The embeddings of every text are kept in
results/embeddings.npz between runs. Output: a Markdown table (bench/embedding.md).
"""
import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from scripts.heldout import (  # noqa: E402
    FALLBACK,
    NO_BENEFIT_CLAIM,
    SAFETY,
    SET_NAMES,
    Case,
    is_right,
    load_cases,
    set_path,
)

CACHE = ROOT / "results" / "embeddings.npz"


def embed(texts: Sequence[str], max_chars: int = 300) -> Tuple[np.ndarray, float]:
    """The encoder's rows for ``texts`` (cached on disk), and CPU ms per new text."""
    from embedding.encoder import Encoder, normalise

    known: Dict[str, np.ndarray] = {}
    if CACHE.exists():
        stored = np.load(CACHE, allow_pickle=True)
        known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    encoder = Encoder(threads=1, max_chars=max_chars, cache_size=0, known=known)
    new = sorted({normalise(t, max_chars) for t in texts} - set(known))
    started = time.process_time()
    for text in new:  # one at a time, as messages arrive
        known[text] = encoder.encode([text])[0]
    per_text = (time.process_time() - started) * 1000 / len(new) if new else float("nan")
    if new:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(known)
        np.savez_compressed(CACHE, texts=np.array(keys, dtype=object),
                            vectors=np.stack([known[k] for k in keys]))
    rows = np.stack([known[normalise(t, max_chars)] for t in texts])
    return rows, per_text


def centre(rows: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Rows centred on the training mean and L2-normalised (the featurizer's ``center``)."""
    rows = rows - mean
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def score(cases: Sequence[Case], got: Sequence[str]) -> Tuple[float, float, int, int]:
    """Accuracy, wrong-answer share, uncovered-condition questions, benefit answers to them."""
    right = wrong = conditions = benefit = 0
    for case, intent in zip(cases, got, strict=True):
        ok = is_right(case.expect, intent)
        right += ok
        wrong += (not ok) and intent != FALLBACK
        if case.expect == (SAFETY,):
            conditions += 1
            benefit += intent not in NO_BENEFIT_CLAIM
    n = len(cases)
    return right / n, wrong / n, conditions, benefit


def parse_with(model: Path, texts: Sequence[str]) -> Tuple[List[str], float]:
    """Each text's intent from a trained model as it runs, and its CPU ms per message."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> Tuple[List[str], float]:
        for text in texts[:20]:  # warm up: first-call costs are not per message
            await agent.parse_message(text)
        started = time.process_time()
        out = [(await agent.parse_message(t))["intent"]["name"] for t in texts]
        return out, (time.process_time() - started) * 1000 / len(texts)

    return asyncio.run(run())


def main() -> int:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sparse-model", type=Path, required=True)
    parser.add_argument("--stock-model", type=Path)
    parser.add_argument("--models", nargs="*", default=[], help="NAME=MODEL, parsed as they run")
    parser.add_argument("--c", default="1,5,20")
    parser.add_argument("--scales", default="1,3")
    parser.add_argument("--gate", default="0.50/0.04")
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression

    from bench.nlu_choice import quiet, training_data
    from bench.nlu_sweep import decide, featurize
    from safety.component import SafetyGate

    quiet()
    data = training_data()
    train = [(m.get("text"), m.get("intent")) for m in data.intent_examples
             if m.get("text") and m.get("intent")]
    names = [n for n in SET_NAMES if set_path(n).exists()]
    cases = {n: load_cases(set_path(n)) for n in names}
    texts = [t for t, _ in train] + [c.text for n in names for c in cases[n]]
    y = np.array([i for _, i in train])
    spans, start = {}, len(train)
    for n in names:
        spans[n] = (start, start + len(cases[n]))
        start += len(cases[n])

    sparse, estimator = featurize(args.sparse_model, texts)
    dense, embed_ms = embed(texts)
    dense = centre(dense, dense[:len(train)].mean(axis=0))
    threshold, ambiguity = (float(v) for v in args.gate.split("/"))
    safety = SafetyGate({})

    def run(rows: Any, c: float) -> Dict[str, Tuple[float, float, int, int]]:
        model = LogisticRegression(C=c, max_iter=1000, solver="lbfgs", tol=1e-4,
                                   random_state=42).fit(rows[:len(train)], y)
        out = {}
        for n in names:
            lo, hi = spans[n]
            got = [decide(p, model.classes_, case.text, safety, threshold, ambiguity)
                   for p, case in zip(model.predict_proba(rows[lo:hi]), cases[n], strict=True)]
            out[n] = score(cases[n], got)
        return out

    from scipy.sparse import csr_matrix, hstack

    results: Dict[str, Dict[str, Tuple[float, float, int, int]]] = {}
    cpu: Dict[str, str] = {}
    results["today (sparse, C 5)"] = run(sparse, 5.0)
    for c in [float(v) for v in args.c.split(",")]:
        results[f"embed, C {c:g}"] = run(dense, c)
        for s in [float(v) for v in args.scales.split(",")]:
            both = hstack([sparse, csr_matrix(dense * s)]).tocsr()
            results[f"embed ×{s:g} + sparse, C {c:g}"] = run(both, c)
    cpu["embedding alone"] = f"{embed_ms:.1f} (embedding one new text)"
    set_texts = [c.text for n in names for c in cases[n]]
    models = [m.split("=", 1) for m in args.models]
    if args.stock_model:
        models.append(["stock DIET + TED (as trained)", str(args.stock_model)])
    for label, path in models:
        got, ms = parse_with(Path(path), set_texts)
        start, out = 0, {}
        for n in names:
            out[n] = score(cases[n], got[start:start + len(cases[n])])
            start += len(cases[n])
        results[label] = out
        cpu[label] = f"{ms:.1f}"

    print("| candidate | " + " | ".join(names) + " | CPU ms / message |")
    print("|---|" + "---|" * len(names) + "---|")
    for label, per_set in results.items():
        cells = []
        for n in names:
            acc, wrong, conditions, benefit = per_set[n]
            cell = f"{acc:.1%} / {wrong:.1%}"
            if conditions:
                cell += f" / {benefit}"
            cells.append(cell)
        print(f"| {label} | " + " | ".join(cells) + f" | {cpu.get(label, '')} |", flush=True)
    print("\nEach cell: accuracy / wrong answers / benefit answers to uncovered conditions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
