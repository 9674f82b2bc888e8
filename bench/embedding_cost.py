"""The embedding's cost, each measure of bench/embedding.md timed in one run.

Usage: python bench/embedding_cost.py [--threads-too]

CPU and wall milliseconds per message of embedding/encoder.py's Encoder on
held-out questions (never trained on): one thread against two, the text cut
at 300 characters against a long message left whole, a text met before (the
cache) against a new one. Every figure comes from this run; ratios compare
figures of the same run.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from embedding.encoder import Encoder  # noqa: E402
from scripts.heldout import load_cases, set_path  # noqa: E402


def timed(call: Callable[[], object], count: int) -> Tuple[float, float]:
    """CPU and wall ms per item of ``call`` (which handles ``count`` items)."""
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return ((time.process_time() - cpu) * 1000 / count,
            (time.perf_counter() - wall) * 1000 / count)


def questions() -> List[str]:
    """Open held-out questions of three languages (the sealed sets stay out)."""
    texts: List[str] = []
    for name in ("real_en", "vi", "ko"):
        texts += [c.text for c in load_cases(set_path(name))]
    return texts


def one_process(threads: int) -> None:
    """Print the figures of one thread count (OpenMP reads it once per process)."""
    texts = questions()
    encoder = Encoder(threads=threads, max_chars=300, cache_size=4096)
    encoder.encode(["warm up"], remember=False)
    new_cpu, new_wall = timed(lambda: [encoder.encode([t]) for t in texts], len(texts))
    hit_cpu, hit_wall = timed(lambda: [encoder.encode([t]) for t in texts], len(texts))
    long_text = " ".join(texts[:40])  # about 2,000 characters: a pasted paragraph
    whole = Encoder(threads=threads, max_chars=100_000, cache_size=0)
    whole.encode(["warm up"])
    long_cpu, long_wall = timed(lambda: [whole.encode([long_text + str(i)]) for i in range(10)],
                                10)
    cut = Encoder(threads=threads, max_chars=300, cache_size=0)  # nothing kept: each one runs
    cut.encode(["warm up"])
    cut_cpu, cut_wall = timed(lambda: [cut.encode([long_text + str(i)]) for i in range(10)], 10)
    print(f"| {threads} | new question | {new_cpu:.1f} | {new_wall:.1f} |")
    print(f"| {threads} | the same question again (cache) | {hit_cpu:.3f} | {hit_wall:.3f} |")
    print(f"| {threads} | a {len(long_text)}-character message, whole | "
          f"{long_cpu:.1f} | {long_wall:.1f} |")
    print(f"| {threads} | the same, cut at 300 characters | {cut_cpu:.1f} | {cut_wall:.1f} |")


def main() -> int:
    """Run each thread count in its own process and print one table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        one_process(args.threads)
        return 0
    print("| threads | what | CPU ms / message | wall ms / message |")
    print("|---|---|---|---|")
    for threads in (1, 2):
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        subprocess.run([sys.executable, __file__, "--threads", str(threads)], env=env,
                       check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
