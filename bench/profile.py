"""Where a message's CPU goes: py-spy on this bot under the realistic scenario.

Usage:
    python bench/profile.py [--seconds 20] [--workers 1] [--raw out.txt]
    python bench/profile.py --summarize out.txt [--cpu-ms 4.1]

Starts the bot as `make run` does, warms it up, then samples one Rasa process
with ``py-spy record`` while 20 realistic senders (bench/realistic.py) talk to
it, and prints the share of samples, and the CPU milliseconds per message, of
each step of a message: the numbers bench/profile.md quotes.
"""
import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import realistic  # noqa: E402
from bench.run import NO_LIMITS  # noqa: E402
from tests.support.servers import VENV_BIN, rasa_pids, start_bot  # noqa: E402

# (step, the frame that marks it), in the order a message meets them; a sample
# counts for the first step whose frame is on its stack.
STEPS: List[Tuple[str, str]] = [
    ("rate limits and replay checks (channels/guard.py)", "check (channels/guard.py)"),
    ("conversation lock", "lock (storage/lock_store.py)"),
    ("tracker: load", "fetch_tracker_and_update_session (rasa/core/processor.py)"),
    ("NLU: featurizers", "process (speed/featurizer.py)"),
    ("NLU: featurizers", "count_vectors_featurizer.py"),
    ("NLU: classifier", "logistic_regression_classifier.py"),
    ("NLU: other components and graph", "_parse_message_with_graph (rasa/core/processor.py)"),
    ("policy: rule matching", "_get_possible_keys"),
    ("policy: other prediction", "_predict_next_with_tracker (rasa/core/processor.py)"),
    ("actions: responses, custom actions", "_run_action (rasa/core/processor.py)"),
    ("tracker: save", "save_tracker (rasa/core/processor.py)"),
    ("rest of Rasa's message handling", "handle_message (rasa/core/processor.py)"),
    ("HTTP (Sanic) and the REST channel", "handle_request"),
]


def summarize(raw: Path) -> Dict[str, float]:
    """Share of samples per step in a ``py-spy record -f raw`` file."""
    counts: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, n = line.rsplit(" ", 1)
        frames = re.sub(r":\d+\)", ")", stack)
        total += int(n)
        for step, marker in STEPS:
            if marker in frames:
                counts[step] += int(n)
                break
        else:
            counts["elsewhere (event loop, garbage collection, idle threads)"] += int(n)
    steps = dict.fromkeys(step for step, _ in STEPS)
    steps["elsewhere (event loop, garbage collection, idle threads)"] = None
    return {step: counts[step] / total for step in steps}


def table(shares: Dict[str, float], cpu_ms: float) -> str:
    """Markdown: each step's share and CPU milliseconds per message."""
    lines = ["| Step | Share of samples | CPU ms per message |", "|---|---|---|"]
    for step, share in shares.items():
        lines.append(f"| {step} | {share:.0%} | {share * cpu_ms:.2f} |")
    lines.append(f"| **whole message** | 100% | **{cpu_ms:.2f}** |")
    return "\n".join(lines)


def record(seconds: float, workers: int, raw: Path, senders: int = 20,
           idle: bool = False) -> float:
    """Profile one Rasa process under the realistic load; CPU ms per message."""
    with tempfile.TemporaryDirectory(prefix="panda-profile-") as tmp:
        bot = start_bot(Path(tmp), extra_env={**NO_LIMITS, "RASA_WORKERS": str(workers),
                                              "LOCK_DIR": f"{tmp}/locks"})
        try:
            pids = rasa_pids(bot.rasa)
            asyncio.run(realistic.run(bot.url, 5, 5, seed=1, prefix="warm-up"))
            before = realistic.cpu_seconds(pids)
            spy = subprocess.Popen(
                [str(VENV_BIN / "py-spy"), "record", "-p", str(pids[-1]), "-d", str(int(seconds)),
                 "-r", "200", "-f", "raw", "-o", str(raw), "--nonblocking"]
                + (["--idle"] if idle else []),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = asyncio.run(realistic.run(bot.url, senders, seconds))
            spy.wait(60)
            return (realistic.cpu_seconds(pids) - before) * 1000 / result.messages
        finally:
            bot.stop()


def main() -> int:
    """Profile (or summarize a profile) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--senders", type=int, default=20,
                        help="1 for the lone sender's profile")
    parser.add_argument("--idle", action="store_true",
                        help="count the samples of a waiting server too (wall time)")
    parser.add_argument("--raw", type=Path, default=Path(tempfile.gettempdir()) / "panda.spy")
    parser.add_argument("--summarize", type=Path, help="an earlier raw profile")
    parser.add_argument("--cpu-ms", type=float, help="its CPU ms per message")
    args = parser.parse_args()
    if args.summarize:
        print(table(summarize(args.summarize), args.cpu_ms or 0.0))
        return 0
    cpu_ms = record(args.seconds, args.workers, args.raw, args.senders, args.idle)
    print(table(summarize(args.raw), cpu_ms))
    print(f"\nraw profile: {args.raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
