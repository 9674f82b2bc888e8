"""Benchmark this bot against stock Rasa 3.6, in one run on this machine.

Usage: python bench/run.py [--seconds 30] [--out bench/RESULTS.md]

For each variant it trains (with an empty training cache), starts the action
server and Rasa on loopback, and measures: time to first answer, lone-sender
latency, 20 closed-loop senders, latency at message 1 against message 200 of
one conversation, Rasa's RSS after the load, and held-out accuracy. It prints
both sets of figures with their ratios and writes them to RESULTS.md, followed
by bench/decisions.md.
"""
import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import aiohttp
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.catalog import SAMPLE_QUESTIONS as QUESTIONS  # noqa: E402
from bench import console_list  # noqa: E402
from scripts.heldout import load_examples, report  # noqa: E402
from tests.support.servers import QUIET_ENV, VENV_BIN, channel_env, free_port, spawn  # noqa: E402

TOKEN = "bench-token"


@dataclass
class Variant:
    """One bot set-up to measure."""

    name: str
    config: Path
    endpoints: str  # text; Rasa fills in ${ACTION_PORT}
    credentials: Path
    figures: Dict[str, float] = field(default_factory=dict)


def percentile(values: List[float], p: float) -> float:
    """The p-quantile of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def train(variant: Variant, work: Path) -> Path:
    """Train with an empty cache; records the seconds it took."""
    cache = Path(tempfile.mkdtemp(prefix="rasa-cache-"))
    env = {**os.environ, **QUIET_ENV, "RASA_CACHE_DIRECTORY": str(cache)}
    started = time.monotonic()
    subprocess.run([str(VENV_BIN / "rasa"), "train", "--config", str(variant.config),
                    "--domain", str(ROOT / "domain.yml"), "--data", str(ROOT / "data"),
                    "--out", str(work), "--fixed-model-name", "model"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    variant.figures["training_s"] = time.monotonic() - started
    shutil.rmtree(cache, ignore_errors=True)
    return work / "model.tar.gz"


def say(session: requests.Session, url: str, sender: str, text: str) -> float:
    """Send one message; milliseconds until the answer."""
    started = time.perf_counter()
    r = session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                     timeout=30)
    if r.status_code != 200 or not r.json():
        raise RuntimeError(f"bad answer {r.status_code}: {r.text[:200]}")
    return (time.perf_counter() - started) * 1000


async def closed_loop(url: str, senders: int, seconds: float) -> Dict[str, float]:
    """``senders`` closed-loop senders for ``seconds``: throughput, latency, errors."""
    latencies: List[float] = []
    errors = 0

    async def one(i: int, until: float) -> None:
        nonlocal errors
        async with aiohttp.ClientSession() as session:
            n = 0
            while time.perf_counter() < until:
                body = {"sender": f"load-{i}", "message": QUESTIONS[n % len(QUESTIONS)]}
                started = time.perf_counter()
                try:
                    async with session.post(f"{url}/webhooks/rest/webhook", json=body,
                                            timeout=aiohttp.ClientTimeout(total=30)) as r:
                        payload = await r.json()
                        if r.status != 200 or not payload:
                            errors += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)
                n += 1

    until = time.perf_counter() + seconds
    await asyncio.gather(*(one(i, until) for i in range(senders)))
    return {"load_msgs_per_s": len(latencies) / seconds, "load_p50_ms": percentile(latencies, .5),
            "load_p95_ms": percentile(latencies, .95), "load_errors": errors}


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(variant: Variant, model: Path, work: Path, seconds: float) -> None:
    """Start the variant and measure every figure into ``variant.figures``."""
    action_port, rasa_port = free_port(), free_port()
    # ${ACTION_PORT} stays unquoted: Rasa expands it from the environment below
    (work / "endpoints.yml").write_text(variant.endpoints)
    env = {**channel_env(), "RATE_LIMIT_PER_MINUTE": "100000000", "ACTION_PORT": str(action_port)}
    actions = spawn([str(VENV_BIN / "python"), "-m", "actions.server", "--port", str(action_port)],
                    work / "actions.log", env)
    started = time.monotonic()
    rasa = spawn([str(VENV_BIN / "rasa"), "run", "--model", str(model), "--interface",
                  "127.0.0.1", "--port", str(rasa_port), "--enable-api", "--auth-token", TOKEN,
                  "--credentials", str(variant.credentials),
                  "--endpoints", str(work / "endpoints.yml")], work / "rasa.log", env)
    url = f"http://127.0.0.1:{rasa_port}"
    session = requests.Session()
    try:
        while True:
            if rasa.popen.poll() is not None or time.monotonic() - started > 300:
                raise RuntimeError(f"{variant.name} did not start:\n{rasa.tail()}")
            try:
                say(session, url, "first", "hello")
                break
            except (requests.RequestException, RuntimeError):
                time.sleep(0.1)
        f = variant.figures
        f["first_answer_s"] = time.monotonic() - started

        for i in range(20):
            say(session, url, "warm-up", QUESTIONS[i % len(QUESTIONS)])
        lone = [say(session, url, "lone", QUESTIONS[i % len(QUESTIONS)]) for i in range(300)]
        f["lone_p50_ms"], f["lone_p95_ms"], f["lone_p99_ms"] = (
            percentile(lone, .5), percentile(lone, .95), percentile(lone, .99))

        long = [say(session, url, "long-conversation", QUESTIONS[i % len(QUESTIONS)])
                for i in range(200)]
        f["message_1_10_ms"] = statistics.median(long[:10])
        f["message_191_200_ms"] = statistics.median(long[-10:])

        f.update(asyncio.run(closed_loop(url, 20, seconds)))
        f["rss_mb"] = rss_mb(rasa.popen.pid)

        pairs = load_examples()
        parsed = [session.post(f"{url}/model/parse", params={"token": TOKEN},
                               json={"text": t}, timeout=30).json() for t, _ in pairs]
        f["heldout_accuracy"] = report(pairs, parsed)["accuracy"]
    finally:
        rasa.stop()
        actions.stop()


ROWS = [
    ("lone_p50_ms", "Lone-sender p50 (ms)", "≤ 15", lambda v: v <= 15),
    ("lone_p95_ms", "Lone-sender p95 (ms)", "", None),
    ("lone_p99_ms", "Lone-sender p99 (ms)", "", None),
    ("load_msgs_per_s", "20 senders: messages/s", "≥ 100", lambda v: v >= 100),
    ("load_p50_ms", "20 senders: p50 (ms)", "", None),
    ("load_p95_ms", "20 senders: p95 (ms)", "≤ 300", lambda v: v <= 300),
    ("load_errors", "20 senders: errors", "0", lambda v: v == 0),
    ("rss_mb", "Rasa RSS after the load (MB)", "≤ 800", lambda v: v <= 800),
    ("first_answer_s", "Start to first answer (s)", "≤ 15", lambda v: v <= 15),
    ("training_s", "Full training (s)", "≤ 90", lambda v: v <= 90),
    ("message_1_10_ms", "Messages 1–10 of a conversation, median (ms)", "", None),
    ("message_191_200_ms", "Messages 191–200, median (ms)", "flat", None),
    ("heldout_accuracy", "Held-out accuracy", "≥ baseline", None),
]


def table(ours: Variant, stock: Variant) -> str:
    """The Markdown table of both variants, their ratios and the targets."""
    lines = ["| Figure | This bot | Stock Rasa 3.6 | Ratio (this / stock) | Target | Met |",
             "|---|---|---|---|---|---|"]
    for key, label, target, check in ROWS:
        a, b = ours.figures[key], stock.figures[key]
        ratio = f"{a / b:.2f}" if b else "–"
        if key == "heldout_accuracy":
            met = "yes" if a >= b else "no"
            a_s, b_s = f"{a:.1%}", f"{b:.1%}"
        else:
            met = ("yes" if check(a) else "no") if check else ""
            a_s, b_s = (f"{a:.0f}", f"{b:.0f}") if key == "load_errors" else (f"{a:.1f}",
                                                                               f"{b:.1f}")
        if key == "message_191_200_ms":
            growth = a / ours.figures["message_1_10_ms"]
            met = "yes" if growth <= 1.5 else "no"
            target = f"flat (this bot: ×{growth:.2f})"
        lines.append(f"| {label} | {a_s} | {b_s} | {ratio} | {target} | {met} |")
    return "\n".join(lines)


def main() -> int:
    """Run both variants and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    store = "tracker_store:\n  type: storage.tracker_store.PandaSQLTrackerStore\n  db: DB\n"
    action = "action_endpoint:\n  url: http://127.0.0.1:${ACTION_PORT}/webhook\n"
    with tempfile.TemporaryDirectory(prefix="panda-bench-") as tmp:
        ours = Variant("this bot", ROOT / "config.yml",
                       action + store.replace("DB", f"{tmp}/ours/conversations.db"),
                       ROOT / "credentials.yml")
        stock = Variant("stock Rasa 3.6", ROOT / "bench" / "stock" / "config.yml", action,
                        ROOT / "bench" / "stock" / "credentials.yml")
        for variant in (stock, ours):
            work = Path(tmp) / ("ours" if variant is ours else "stock")
            work.mkdir()
            print(f"== {variant.name}: training", flush=True)
            model = train(variant, work)
            print(f"== {variant.name}: measuring", flush=True)
            measure(variant, model, work, args.seconds)
            print(json.dumps(variant.figures, indent=1), flush=True)
    result = table(ours, stock)
    print("== the staff console's list at 100,000 conversations", flush=True)
    console = console_list.table(console_list.measure(100_000))
    result = f"{result}\n\n### Staff console\n\n{console}"
    print(result)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = f"{os.cpu_count()} cores"
    decisions = (ROOT / "bench" / "decisions.md").read_text()
    Path(args.out).write_text(
        f"# Benchmark results\n\nMeasured by `make bench` on {stamp}, {machine}, both "
        f"variants in the same run ({args.seconds:.0f} s of load each).\n\n{result}\n\n"
        f"{decisions}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
