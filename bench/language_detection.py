"""Compare language detectors on short chat messages; writes bench/language_detection.md.

Each candidate runs in its own process (so memory is its own): accuracy on
bench/language_samples.tsv (en, vi with and without diacritics, ko, one word,
mixed, and messages that tell no language), time per message after the first
call, and resident memory added by loading it.
Run: .venv/bin/python bench/language_detection.py
"""
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "bench" / "language_samples.tsv"
UNSEEN = ROOT / "bench" / "language_samples_unseen.tsv"
CANDIDATES = ["lingua", "lingua-low-accuracy", "py3langid", "rules", "rules+py3langid",
              "rules+lingua"]


def samples(path: Path = SAMPLES) -> List[Tuple[str, str]]:
    """The (label, message) rows of a sample file."""
    rows = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def rss_kb() -> int:
    """Resident memory of this process, in KB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def build(name: str) -> Callable[[str], str | None]:
    """The detector ``name``, loaded."""
    sys.path.insert(0, str(ROOT))
    from language import detect as d

    if name.startswith("lingua"):
        from lingua import Language, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_languages(
            Language.ENGLISH, Language.VIETNAMESE, Language.KOREAN)
        if name.endswith("low-accuracy"):
            builder = builder.with_low_accuracy_mode()
        detector = builder.build()
        codes = {"ENGLISH": "en", "VIETNAMESE": "vi", "KOREAN": "ko"}

        def run_lingua(text: str) -> str | None:
            found = detector.detect_language_of(text)
            return codes[found.name] if found else None
        return run_lingua
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
        identifier.set_languages(["en", "vi", "ko"])
        return lambda text: identifier.classify(text)[0]
    if name == "rules":
        return lambda text: (lambda r: None if r == "?" else r)(d.detect_by_rules(text))
    if name == "rules+py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
        identifier.set_languages(["en", "vi"])

        def run(text: str) -> str | None:
            by_rules = d.detect_by_rules(text)
            if by_rules != "?":
                return by_rules
            language, probability = identifier.classify(text)
            return language if probability >= 0.8 else None
        return run
    if name == "rules+lingua":
        d.warm_up()
        return d.detect
    raise ValueError(name)


def measure(name: str, path: Path = SAMPLES) -> Dict[str, object]:
    """Accuracy, time and memory of one detector on one sample file."""
    rows = samples(path)
    before = rss_kb()
    started = time.perf_counter()
    run = build(name)
    run(rows[0][1])
    load_ms = (time.perf_counter() - started) * 1000
    added_mb = (rss_kb() - before) / 1024
    correct: Dict[str, List[bool]] = {}
    times = []
    wrong = []
    for label, text in rows:
        started = time.perf_counter()
        found = run(text) or "none"
        times.append((time.perf_counter() - started) * 1000)
        correct.setdefault(label, []).append(found == label)
        if found != label:
            wrong.append(f"{text} -> {found}")
    total = sum(sum(v) for v in correct.values()) / sum(len(v) for v in correct.values())
    times.sort()
    return {"name": name, "accuracy": total,
            "by_label": {k: sum(v) / len(v) for k, v in correct.items()},
            "mean_ms": statistics.mean(times), "p95_ms": times[int(len(times) * 0.95)],
            "load_ms": load_ms, "rss_mb": added_mb, "wrong": wrong}


def main() -> None:
    """Measure every candidate on both sample files and print the tables."""
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
        return
    for path in (SAMPLES, UNSEEN):
        print(f"\n## {path.name} ({len(samples(path))} messages)\n")
        report(path)


def report(path: Path) -> None:
    """Print the table and the misses for one sample file."""
    results = []
    for name in CANDIDATES:
        out = subprocess.run([sys.executable, __file__, "--one", name, str(path)], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    labels = ["en", "vi", "ko", "none"]
    lines = [
        "| detector | accuracy | " + " | ".join(labels) + " | mean ms/msg | p95 ms/msg "
        "| load ms | memory MB |",
        "|---|---|" + "---|" * len(labels) + "---|---|---|---|",
    ]
    for r in results:
        by = r["by_label"]
        lines.append(
            f"| {r['name']} | {r['accuracy']:.1%} | "
            + " | ".join(f"{by.get(label, 0):.0%}" for label in labels)
            + f" | {r['mean_ms']:.3f} | {r['p95_ms']:.3f} | {r['load_ms']:.0f} "
            f"| {r['rss_mb']:.0f} |")
    table = "\n".join(lines)
    print(table)
    for r in results:
        print(f"\n{r['name']} wrong ({len(r['wrong'])}):\n  " + "\n  ".join(r["wrong"]))


if __name__ == "__main__":
    main()
