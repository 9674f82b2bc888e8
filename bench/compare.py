"""The current checkout against an earlier commit, in alternating runs on this machine.

Usage: python bench/compare.py --before REV [--rounds 2] [--seconds 10] [--workers 1]

Checks REV out into a temporary git worktree that shares this checkout's
.venv, trained model, spaCy pipeline and chat widget, then starts each bot in
turn as `make run` does (one Rasa worker unless told otherwise) and measures
a lone realistic visitor and 20 realistic visitors, alternating
before / after for each round, so that the machine's drift falls on both.
Prints one line per run and the medians; bench/profile.md quotes them.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

SHARED = [".venv", ".spacy", "models", "web/node_modules", ".stamps"]

RUN = """
import asyncio, json, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench import realistic
from bench.run import NO_LIMITS
from tests.support.servers import rasa_pids, start_bot
with tempfile.TemporaryDirectory() as tmp:
    bot = start_bot(Path(tmp), extra_env={**NO_LIMITS, "RASA_WORKERS": sys.argv[2],
                                          "LOCK_DIR": f"{tmp}/locks"})
    try:
        pids = rasa_pids(bot.rasa)
        asyncio.run(realistic.run(bot.url, 5, 5, seed=99, prefix="warm-up"))
        out = {}
        for senders in (1, 20):
            before = realistic.cpu_seconds(pids)
            r = asyncio.run(realistic.run(bot.url, senders, float(sys.argv[3]),
                                          seed=3 if senders == 1 else 7, prefix=f"s{senders}"))
            s = realistic.summary(r)
            out[f"{senders}_p50_ms"] = s["p50_ms"]
            out[f"{senders}_msgs_per_s"] = s["msgs_per_s"]
            out[f"{senders}_errors"] = s["errors"]
            out[f"{senders}_cpu_ms"] = (realistic.cpu_seconds(pids) - before) * 1000 / r.messages
        print(json.dumps(out))
    finally:
        bot.stop()
"""


def measure(root: Path, workers: int, seconds: float) -> Dict[str, float]:
    """One run of the bot in ``root``: lone and 20-sender figures."""
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", RUN, str(root),
                           str(workers), str(seconds)], capture_output=True, text=True,
                          check=True, cwd=root)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    """Alternate the two checkouts and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="the earlier commit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="panda-compare-") as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.before],
                       cwd=ROOT, check=True, capture_output=True)
        try:
            for name in SHARED:
                target = tree / name
                if target.is_dir() and not target.is_symlink():
                    subprocess.run(["rm", "-rf", str(target)], check=True)
                if (ROOT / name).exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(ROOT / name)
            runs: Dict[str, List[Dict[str, float]]] = {"before": [], "after": []}
            for _ in range(args.rounds):
                for label, root in (("before", tree), ("after", ROOT)):
                    figures = measure(root, args.workers, args.seconds)
                    runs[label].append(figures)
                    print(label, json.dumps({k: round(v, 2) for k, v in figures.items()}),
                          flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                           check=False, capture_output=True)
    print(f"\n| figure ({args.workers} worker(s), medians of {args.rounds} runs) | "
          f"{args.before} | this checkout | ratio |\n|---|---|---|---|")
    for key in runs["after"][0]:
        before = statistics.median(r[key] for r in runs["before"])
        after = statistics.median(r[key] for r in runs["after"])
        ratio = f"{after / before:.2f}" if before else "–"
        print(f"| {key} | {before:.2f} | {after:.2f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
