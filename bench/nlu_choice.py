"""Compare intent classifiers and fallback gates for bench/nlu_choice.md.

Usage: python bench/nlu_choice.py [--folds 5] [--diet-epochs 40]
The table goes to results/nlu_choice_table.md (and standard output).

Every candidate uses the project's own featurizers (config.yml), followed by the
safety rule, and is scored on the paraphrase held-out set (tests/heldout/nlu.yml,
never trained on) and by a stratified cross-validation of the training data. The fallback gates are
applied to the classifier's ranking exactly as FallbackClassifier does
(top < threshold, or top - second < ambiguity), so one trained model serves
every gate of its classifier.
"""
import argparse
import asyncio
import copy
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Pair = Tuple[str, str]
Ranking = List[Dict[str, Any]]
# out_of_scope answered with "did you mean" is no guess either (scripts/heldout.py).
ALSO_RIGHT = {"out_of_scope": {"nlu_fallback"}}
# Answers that make no claim: sending a visitor there by mistake is harmless.
SAFETY = "ask_health_condition"


@dataclass
class Gate:
    """A fallback rule over a classifier's intent ranking."""

    name: str
    threshold: float
    ambiguity: float
    safety_margin: float = 0.0  # prefer the safety answer when it is this close

    def decide(self, ranking: Ranking) -> str:
        ranked = [r for r in ranking if r["name"] != "nlu_fallback"]
        top = ranked[0]
        second = ranked[1] if len(ranked) > 1 else {"name": "", "confidence": 0.0}
        if self.safety_margin and second["name"] == SAFETY and (
            top["confidence"] - second["confidence"] < self.safety_margin
        ):
            return SAFETY
        if top["confidence"] < self.threshold:
            return "nlu_fallback"
        if top["confidence"] - second["confidence"] < self.ambiguity:
            return "nlu_fallback"
        return str(top["name"])


@dataclass
class Candidate:
    """A classifier (one pipeline) and the gates measured on it."""

    name: str
    classifier: Dict[str, Any]
    gates: List[Gate]
    cross_validate: bool = True
    train_seconds: List[float] = field(default_factory=list)
    parse_ms: List[float] = field(default_factory=list)


@dataclass
class Score:
    """Counts for one gate on one evaluation set."""

    right: int = 0
    fallback: int = 0
    wrong: int = 0
    safety_missed: int = 0
    total: int = 0

    def add(self, expected: str, got: str) -> None:
        self.total += 1
        if got == expected or got in ALSO_RIGHT.get(expected, set()):
            self.right += 1
        elif got == "nlu_fallback":
            self.fallback += 1
        else:
            self.wrong += 1
            if expected == SAFETY:
                self.safety_missed += 1

    def pct(self, n: int) -> str:
        """``n`` as a share of the examples scored ("not run" when none were)."""
        return f"{100 * n / self.total:.1f}%" if self.total else "not run"


CLASSIFIERS = {"LogisticRegressionClassifier", "DIETClassifier",
               "speed.classifier.FastLogisticRegressionClassifier"}
SAFETY_GATE = "safety.component.SafetyGate"


def base_config() -> Dict[str, Any]:
    """config.yml without its classifier, safety rule, fallback and policies."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config["pipeline"] = [
        c for c in config["pipeline"]
        if c["name"] not in CLASSIFIERS | {SAFETY_GATE, "FallbackClassifier"}
    ]
    config.pop("policies", None)
    return config


def write_config(path: Path, classifier: Dict[str, Any]) -> Path:
    """A config with the project's featurizers, ``classifier`` and the safety rule."""
    config = base_config()
    config["pipeline"] += [classifier, {"name": SAFETY_GATE}]
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def training_data() -> Any:
    """The project's NLU training data, as Rasa loads it."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_nlu_data()


def subset(data: Any, leave_out: Set[int]) -> Any:
    """The intent examples not in ``leave_out``, with the lookups and synonyms."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = [copy.deepcopy(m) for i, m in enumerate(data.intent_examples) if i not in leave_out]
    return TrainingData(training_examples=examples, entity_synonyms=data.entity_synonyms,
                        lookup_tables=data.lookup_tables, regex_features=data.regex_features)


def write_nlu(path: Path, data: Any) -> Path:
    """``data`` written as Rasa YAML."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    path.write_text(RasaYAMLWriter().dumps(data))
    return path


def train(config: Path, nlu: Path, out: Path) -> Tuple[str, float]:
    """Train an NLU model; its path and the seconds it took."""
    from rasa.model_training import train_nlu

    start = time.perf_counter()
    model = train_nlu(str(config), str(nlu), str(out), fixed_model_name="candidate")
    if not model:
        raise RuntimeError(f"training failed for {config}")
    return model, time.perf_counter() - start


def parse(model: str, texts: List[str]) -> Tuple[List[Ranking], List[float]]:
    """Each text's intent ranking and parse time in milliseconds."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)

    async def run() -> Tuple[List[Ranking], List[float]]:
        rankings, times = [], []
        for text in texts:
            start = time.perf_counter()
            result = await agent.parse_message(text)
            times.append(1000 * (time.perf_counter() - start))
            rankings.append(result["intent_ranking"])
        return rankings, times

    return asyncio.run(run())


def folds(pairs: List[Pair], k: int) -> List[List[int]]:
    """The test indices of each stratified fold."""
    from sklearn.model_selection import StratifiedKFold

    labels = [intent for _, intent in pairs]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=42)
    return [list(test) for _, test in splitter.split(labels, labels)]


def candidates(diet_epochs: int, diet_cv: bool = False) -> List[Candidate]:
    """The classifiers compared, with the gates measured on each."""
    lr = {"name": "LogisticRegressionClassifier", "max_iter": 200, "solver": "lbfgs",
          "tol": 0.0001, "random_state": 42}
    diet = {"name": "DIETClassifier", "epochs": diet_epochs, "entity_recognition": False,
            "constrain_similarities": True, "random_seed": 42}
    return [
        Candidate("LogisticRegression", lr, [
            Gate("0.45 / 0.08 (the 2026-11 choice)", 0.45, 0.08),
            Gate("0.30 / 0.05", 0.30, 0.05),
            Gate("0.35 / 0.05", 0.35, 0.05),
            Gate("0.60 / 0.08", 0.60, 0.08),
            Gate("0.35 / 0.05 + safety gate 0.15", 0.35, 0.05, safety_margin=0.15),
        ]),
        Candidate(f"DIET, {diet_epochs} epochs", diet, [
            Gate("0.45 / 0.08", 0.45, 0.08),
            Gate("0.70 / 0.10", 0.70, 0.10),
        ], cross_validate=diet_cv),
    ]


def evaluate(args: argparse.Namespace) -> str:
    """Train and score every candidate; the results as a Markdown table."""
    from scripts.heldout import load_examples

    data = training_data()
    pairs: List[Pair] = [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    heldout = load_examples()
    splits = folds(pairs, args.folds)
    results: Dict[Tuple[str, str, str], Score] = {}
    runs = candidates(args.diet_epochs, args.diet_cv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for cand in runs:
            config = write_config(work / "config.yml", cand.classifier)
            # the whole training data -> the held-out set, timing and latency
            model, seconds = train(config, write_nlu(work / "all.yml", data), work / "all")
            cand.train_seconds.append(seconds)
            rankings, times = parse(model, [t for t, _ in heldout])
            cand.parse_ms.extend(times[5:])  # the first parses warm the pipeline
            for gate in cand.gates:
                score = results.setdefault((cand.name, gate.name, "heldout"), Score())
                for (_, expected), ranking in zip(heldout, rankings, strict=True):
                    score.add(expected, gate.decide(ranking))
            # cross-validation of the training data
            for n, test in enumerate(splits if cand.cross_validate else []):
                nlu = write_nlu(work / f"fold{n}.yml", subset(data, set(test)))
                model, _ = train(config, nlu, work / f"fold{n}")
                rankings, _ = parse(model, [pairs[i][0] for i in test])
                for gate in cand.gates:
                    score = results.setdefault((cand.name, gate.name, "cv"), Score())
                    for i, ranking in zip(test, rankings, strict=True):
                        score.add(pairs[i][1], gate.decide(ranking))
            print(f"{cand.name}: done", file=sys.stderr, flush=True)
            print(table([cand], results, len(heldout), len(pairs), args), file=sys.stderr,
                  flush=True)
    return table(runs, results, len(heldout), len(pairs), args)


def table(runs: List[Candidate], results: Dict[Tuple[str, str, str], Score],
          n_heldout: int, n_train: int, args: argparse.Namespace) -> str:
    """The results as a Markdown table."""
    lines = [
        f"Held-out: {n_heldout} paraphrases (tests/heldout/nlu.yml). "
        f"CV: {args.folds}-fold stratified over the {n_train} training examples.",
        "",
        "| classifier | gate (threshold / ambiguity) | held-out right | held-out fallback "
        "| held-out wrong | CV right | CV fallback | CV wrong | safety questions given "
        "another answer (held-out + CV) | training (s) | parse p50 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for cand in runs:
        p50 = statistics.median(cand.parse_ms)
        for gate in cand.gates:
            h = results[(cand.name, gate.name, "heldout")]
            c = results.get((cand.name, gate.name, "cv"), Score())
            lines.append(
                f"| {cand.name} | {gate.name} | {h.pct(h.right)} | {h.pct(h.fallback)} "
                f"| {h.pct(h.wrong)} | {c.pct(c.right)} | {c.pct(c.fallback)} "
                f"| {c.pct(c.wrong)} | {h.safety_missed} + {c.safety_missed} "
                f"| {statistics.mean(cand.train_seconds):.1f} | {p50:.1f} |"
            )
    return "\n".join(lines) + "\n"


def quiet() -> None:
    """Rasa's logs at warning level, so parse timings are not spent on logging."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def latency(args: argparse.Namespace) -> str:
    """Training time and parse p50/p95 of each classifier on all the data."""
    from scripts.heldout import load_examples

    texts = [t for t, _ in load_examples()] * 3
    lines = ["| classifier | training (s) | parse p50 (ms) | parse p95 (ms) |",
             "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nlu = write_nlu(work / "all.yml", training_data())
        for cand in candidates(args.diet_epochs):
            config = write_config(work / "config.yml", cand.classifier)
            model, seconds = train(config, nlu, work / "all")
            _, times = parse(model, texts)
            times = sorted(times[10:])
            lines.append(f"| {cand.name} | {seconds:.1f} | {statistics.median(times):.1f} "
                         f"| {times[int(0.95 * len(times))]:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the comparison and write the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--diet-epochs", type=int, default=40)
    parser.add_argument("--diet-cv", action="store_true",
                        help="cross-validate DIET too (slow: one DIET training per fold)")
    parser.add_argument("--latency-only", action="store_true",
                        help="only train on all the data and time the parses")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu_choice_table.md")
    args = parser.parse_args()
    quiet()
    text = latency(args) if args.latency_only else evaluate(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
