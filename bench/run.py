"""Benchmark this bot against stock Rasa 3.6, in one run on this machine.

Usage: python bench/run.py [--seconds 30] [--out bench/RESULTS.md] [--skip-console]

Two variants, measured one after the other with the same messages:

- **this bot**, started as `make run` starts it (scripts/run.sh with the
  shipped endpoints.yml and credentials.yml; only ports, the database and the
  API token come from the environment), serving models/panda.tar.gz;
- **stock Rasa 3.6**: the pipeline and policies `rasa init` writes
  (bench/stock/), trained on this project's data, one `rasa run` process with
  conversations in memory.

Two traffic scenarios:

- **realistic** (bench/realistic.py): visitors who ask three to five things
  and leave; each sender starts a new conversation every 3-5 messages, mixing
  questions, follow-ups, hand-offs and messages the bot cannot answer;
- **long conversations**: 20 senders that each keep one conversation for the
  whole run (the bot's best case, kept for comparison).

For each it reports throughput, latency, errors, CPU milliseconds per message
(the user and system CPU time of every Rasa process over the messages), the
resident memory of each Rasa process after the load, and whether every
message answered is in the conversation store afterwards. This bot is also
measured with one and with two workers, to show that throughput grows with
cores. Ratios come from one run, because these machines are noisy.
"""
import argparse
import asyncio
import itertools
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
from typing import Callable, Dict, Iterator, List, Tuple

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.catalog import SAMPLE_QUESTIONS as QUESTIONS  # noqa: E402
from bench import console_list, realistic  # noqa: E402
from scripts.heldout import evaluate, load_cases  # noqa: E402
from tests.support.servers import (  # noqa: E402
    QUIET_ENV,
    VENV_BIN,
    Process,
    channel_env,
    free_port,
    rasa_pids,
    spawn,
    start_bot,
)

TOKEN = "bench-token"
MODEL = ROOT / "models" / "panda.tar.gz"
# Every message of the load comes from 127.0.0.1: the limits are raised so the
# load is measured, while the limiter still counts every message.
NO_LIMITS = {name: "100000000" for name in (
    "RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_PER_ADDRESS_PER_MINUTE",
    "NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR", "RATE_LIMIT_GLOBAL_PER_MINUTE")}


@dataclass
class Server:
    """A running variant: its URL, its Rasa processes and how to read a conversation."""

    url: str
    process: Process
    stop: Callable[[], None]
    conversation_prefix: str
    session: requests.Session = field(default_factory=requests.Session)

    def pids(self) -> List[int]:
        """The Rasa processes (with several workers, the main process and each worker)."""
        return rasa_pids(self.process)

    def user_messages(self, sender: str) -> int:
        """How many visitor messages the store holds for ``sender``."""
        r = self.session.get(f"{self.url}/conversations/{self.conversation_prefix}{sender}"
                             f"/tracker", params={"token": TOKEN}, timeout=30)
        r.raise_for_status()
        return sum(1 for event in r.json()["events"] if event["event"] == "user")


def train(config: Path, work: Path) -> float:
    """Train with an empty cache into ``work``; the seconds it took."""
    cache = Path(tempfile.mkdtemp(prefix="rasa-cache-"))
    env = {**os.environ, **QUIET_ENV, "RASA_CACHE_DIRECTORY": str(cache)}
    started = time.monotonic()
    subprocess.run([str(VENV_BIN / "rasa"), "train", "--config", str(config),
                    "--domain", str(ROOT / "domain.yml"), "--data", str(ROOT / "data"),
                    "--out", str(work), "--fixed-model-name", "model"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    shutil.rmtree(cache, ignore_errors=True)
    return time.monotonic() - started


def start_ours(work: Path, workers: int) -> Server:
    """Start this bot as `make run` does, with ``workers`` Rasa workers."""
    work.mkdir(parents=True, exist_ok=True)
    bot = start_bot(work, token=TOKEN, extra_env={
        **NO_LIMITS, "RASA_WORKERS": str(workers), "LOCK_DIR": str(work / "locks")})
    return Server(bot.url, bot.rasa, bot.stop, "rest:")


def start_stock(work: Path, model: Path) -> Server:
    """Stock Rasa: `rasa run` with bench/stock's endpoints (conversations in memory)."""
    action_port, rasa_port = free_port(), free_port()
    env = {**channel_env(), "ACTION_PORT": str(action_port)}
    actions = spawn([str(VENV_BIN / "python"), "-m", "actions.server", "--port",
                     str(action_port)], work / "actions.log", env)
    rasa = spawn([str(VENV_BIN / "rasa"), "run", "--model", str(model), "--interface",
                  "127.0.0.1", "--port", str(rasa_port), "--enable-api", "--auth-token", TOKEN,
                  "--credentials", str(ROOT / "bench" / "stock" / "credentials.yml"),
                  "--endpoints", str(ROOT / "bench" / "stock" / "endpoints.yml")],
                 work / "rasa.log", env)

    def stop() -> None:
        rasa.stop()
        actions.stop()

    return Server(f"http://127.0.0.1:{rasa_port}", rasa, stop, "")


def say(session: requests.Session, url: str, sender: str, text: str) -> float:
    """Send one message; milliseconds until the answer."""
    started = time.perf_counter()
    r = session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                     timeout=30)
    if r.status_code != 200 or not r.json():
        raise RuntimeError(f"bad answer {r.status_code}: {r.text[:200]}")
    return (time.perf_counter() - started) * 1000


def wait_for_answer(server: Server, started: float) -> float:
    """Seconds from ``started`` until the first answer."""
    while True:
        if server.process.popen.poll() is not None or time.monotonic() - started > 300:
            raise RuntimeError(f"did not start:\n{server.process.tail()}")
        try:
            say(server.session, server.url, "first", "hello")
            return time.monotonic() - started
        except (requests.RequestException, RuntimeError):
            time.sleep(0.1)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional memory of a process (shared pages split among their users), in MB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def long_conversations(url: str, senders: int, seconds: float) -> realistic.LoadResult:
    """``senders`` closed-loop senders, each keeping one conversation for the whole run."""
    def one_conversation(i: int) -> Iterator[Tuple[str, str]]:
        for n in itertools.count():
            yield f"long-{i}", QUESTIONS[n % len(QUESTIONS)]

    return await realistic.closed_loop(url, senders, seconds, one_conversation)


def load(server: Server, figures: Dict[str, float], name: str,
         run: Callable[[], realistic.LoadResult], check_store: bool = True) -> None:
    """Run one load; its throughput, latency, errors, CPU per message and losses."""
    pids = server.pids()
    before = realistic.cpu_seconds(pids)
    result = run()
    used = realistic.cpu_seconds(pids) - before
    figures.update({f"{name}_{key}": value for key, value in realistic.summary(result).items()})
    figures[f"{name}_cpu_ms"] = used * 1000 / max(1, result.messages)
    if check_store:
        figures[f"{name}_lost"] = float(sum(
            max(0, answered - server.user_messages(sender))
            for sender, answered in result.sent.items()))


def measure(server: Server, started: float, seconds: float, full: bool) -> Dict[str, float]:
    """Every figure of one running variant (``full``: all of them, else the realistic load)."""
    f: Dict[str, float] = {"first_answer_s": wait_for_answer(server, started)}
    asyncio.run(realistic.run(server.url, 5, 5, seed=99, prefix="warm-up"))
    if full:
        lone = asyncio.run(realistic.run(server.url, 1, 10, seed=3, prefix="lone"))
        f["lone_p50_ms"] = realistic.percentile(lone.latencies_ms, .5)
        f["lone_p95_ms"] = realistic.percentile(lone.latencies_ms, .95)
        f["lone_msgs_per_s"] = lone.messages / lone.seconds
    load(server, f, "realistic", lambda: asyncio.run(realistic.run(server.url, 20, seconds)))
    if full:
        load(server, f, "long", lambda: asyncio.run(long_conversations(server.url, 20, seconds)))
        ms = [say(server.session, server.url, "one-long-conversation",
                  QUESTIONS[i % len(QUESTIONS)]) for i in range(200)]
        f["message_1_10_ms"] = statistics.median(ms[:10])
        f["message_191_200_ms"] = statistics.median(ms[-10:])
        cases = load_cases()
        parsed, parse_ms = [], []
        for case in cases:  # each text new to the bot: the embedding's full cost
            sent = time.perf_counter()
            parsed.append(server.session.post(f"{server.url}/model/parse",
                                              params={"token": TOKEN}, json={"text": case.text},
                                              timeout=30).json())
            parse_ms.append((time.perf_counter() - sent) * 1000)
        f["heldout_accuracy"] = evaluate(cases, parsed)["accuracy"]
        f["unseen_parse_p50_ms"] = statistics.median(parse_ms)
    pids = server.pids()
    # With several workers, the oldest is Sanic's main process: it forks the
    # workers and waits, holding Rasa's imports but no model.
    serving = pids[1:] if len(pids) > 1 else pids
    f["rss_max_mb"] = max(rss_mb(pid) for pid in serving)
    f["rss_main_mb"] = rss_mb(pids[0]) if len(pids) > 1 else 0.0
    f["pss_total_mb"] = sum(pss_mb(pid) for pid in pids)
    f["rasa_processes"] = float(len(pids))
    return f


ROWS = [
    # key, label, target text, check(ours, stock) or None
    ("realistic_msgs_per_s", "Realistic, 20 senders: messages/s", "≥ 2× stock",
     lambda a, b: a >= 2 * b),
    ("realistic_p50_ms", "Realistic, 20 senders: p50 (ms)", "", None),
    ("realistic_p95_ms", "Realistic, 20 senders: p95 (ms)", "≤ 0.3× stock",
     lambda a, b: a <= 0.3 * b),
    ("realistic_errors", "Realistic, 20 senders: errors", "0", lambda a, b: a == 0),
    ("realistic_lost", "Realistic: answered messages missing from the store", "0",
     lambda a, b: a == 0),
    ("realistic_cpu_ms", "Realistic: CPU ms per message (all Rasa processes)", "", None),
    ("realistic_conversations", "Realistic: conversations in the run", "", None),
    ("lone_p50_ms", "Lone sender (realistic): p50 (ms)", "≤ 0.5× stock",
     lambda a, b: a <= 0.5 * b),
    ("lone_p95_ms", "Lone sender (realistic): p95 (ms)", "", None),
    ("lone_msgs_per_s", "Lone sender (realistic): messages/s", "", None),
    ("long_msgs_per_s", "Long conversations, 20 senders: messages/s", "", None),
    ("long_p95_ms", "Long conversations, 20 senders: p95 (ms)", "", None),
    ("long_errors", "Long conversations: errors", "0", lambda a, b: a == 0),
    ("long_lost", "Long conversations: answered messages missing from the store", "0",
     lambda a, b: a == 0),
    ("long_cpu_ms", "Long conversations: CPU ms per message", "", None),
    ("message_1_10_ms", "Messages 1–10 of one conversation, median (ms)", "", None),
    ("message_191_200_ms", "Messages 191–200, median (ms)", "flat", None),
    ("rss_max_mb", "RSS of each process serving messages after the load, largest (MB)",
     "≤ 700", lambda a, b: a <= 700),
    ("rss_main_mb", "RSS of Sanic's main process (forks the workers, no model) (MB)", "", None),
    ("pss_total_mb", "Memory of all Rasa processes together, PSS (MB)", "", None),
    ("rasa_processes", "Rasa processes (main process and workers)", "", None),
    ("first_answer_s", "Start to first answer (s)", "", None),
    ("training_s", "Full training (s)", "", None),
    ("heldout_accuracy", "Paraphrase held-out accuracy", "≥ stock", lambda a, b: a >= b),
    ("unseen_parse_p50_ms", "Parse of a question never seen (held-out, not cached): p50 (ms)",
     "", None),
]


def cell(key: str, value: float) -> str:
    """A figure as the table shows it."""
    if value != value:  # NaN
        return "not measured"
    if key == "heldout_accuracy":
        return f"{value:.1%}"
    if key.endswith(("errors", "lost", "processes", "conversations")):
        return f"{value:.0f}"
    return f"{value:.1f}"


def table(ours: Dict[str, float], stock: Dict[str, float]) -> str:
    """The Markdown table of both variants, their ratios and the targets."""
    lines = ["| Figure | This bot | Stock Rasa 3.6 | Ratio (this / stock) | Target | Met |",
             "|---|---|---|---|---|---|"]
    for key, label, target, check in ROWS:
        a, b = ours[key], stock[key]
        ratio = f"{a / b:.2f}" if b and b == b else "–"
        met = ("yes" if check(a, b) else "no") if check else ""
        if key == "message_191_200_ms":
            growth = a / ours["message_1_10_ms"]
            met, target = ("yes" if growth <= 1.5 else "no"), f"flat (this bot: ×{growth:.2f})"
        lines.append(f"| {label} | {cell(key, a)} | {cell(key, b)} | {ratio} | {target} | {met} |")
    return "\n".join(lines)


def workers_table(by_workers: Dict[int, Dict[str, float]]) -> str:
    """The realistic load on this bot with one and with two workers."""
    one = by_workers[1]["realistic_msgs_per_s"]
    lines = ["| Rasa workers | Messages/s | p95 (ms) | CPU ms per message | Errors | Lost | "
             "Largest RSS of a serving process (MB) | All processes, PSS (MB) | "
             "Throughput vs 1 worker |", "|---|---|---|---|---|---|---|---|---|"]
    for n, f in sorted(by_workers.items()):
        lines.append(
            f"| {n} | {f['realistic_msgs_per_s']:.1f} | {f['realistic_p95_ms']:.1f} | "
            f"{f['realistic_cpu_ms']:.2f} | {f['realistic_errors']:.0f} | "
            f"{f['realistic_lost']:.0f} | {f['rss_max_mb']:.0f} | {f['pss_total_mb']:.0f} | "
            f"{f['realistic_msgs_per_s'] / one:.2f}× |")
    return "\n".join(lines)


def main() -> int:
    """Run both variants and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2,
                        help="this bot's workers for the comparison with stock Rasa")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--skip-console", action="store_true",
                        help="leave out the staff console's list at 100,000 conversations")
    parser.add_argument("--stock-model", type=Path,
                        help="a stock model trained earlier on the same data (training takes "
                             "10+ minutes on 2 cores); its training time is then not measured")
    args = parser.parse_args()
    if not MODEL.exists():
        raise SystemExit(f"{MODEL} is missing: run `make train` first")
    with tempfile.TemporaryDirectory(prefix="panda-bench-") as tmp:
        work = Path(tmp)
        print("== stock Rasa 3.6: training", flush=True)
        (work / "stock").mkdir()
        if args.stock_model:
            shutil.copy(args.stock_model, work / "stock" / "model.tar.gz")
            stock_training = float("nan")
        else:
            stock_training = train(ROOT / "bench" / "stock" / "config.yml", work / "stock")
        print("== this bot: training", flush=True)
        (work / "ours-training").mkdir()
        ours_training = train(ROOT / "config.yml", work / "ours-training")

        print("== stock Rasa 3.6: measuring", flush=True)
        started = time.monotonic()
        server = start_stock(work / "stock", work / "stock" / "model.tar.gz")
        try:
            stock = measure(server, started, args.seconds, full=True)
        finally:
            server.stop()
        stock["training_s"] = stock_training
        print(json.dumps(stock, indent=1), flush=True)

        by_workers: Dict[int, Dict[str, float]] = {}
        for workers in sorted({1, args.workers}):
            print(f"== this bot, {workers} worker(s): measuring", flush=True)
            started = time.monotonic()
            server = start_ours(work / f"ours-{workers}", workers)
            try:
                by_workers[workers] = measure(server, started, args.seconds,
                                              full=workers == args.workers)
            finally:
                server.stop()
            print(json.dumps(by_workers[workers], indent=1), flush=True)
        ours = by_workers[args.workers]
        ours["training_s"] = ours_training

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    result = (f"### This bot ({args.workers} workers) against stock Rasa 3.6\n\n"
              f"{table(ours, stock)}\n\n### Throughput grows with cores\n\n"
              f"{workers_table(by_workers)}")
    if not args.skip_console:
        print("== the staff console's list at 100,000 conversations", flush=True)
        result += ("\n\n### Staff console\n\n"
                   + console_list.table(console_list.measure(100_000)))
    print(result)
    decisions = (ROOT / "bench" / "decisions.md").read_text()
    Path(args.out).write_text(
        f"# Benchmark results\n\nMeasured by `make bench` on {stamp}, {os.cpu_count()} cores "
        f"(the load generator on the same machine), both variants in the same run, "
        f"{args.seconds:.0f} s of load per scenario.\n\n{result}\n\n{decisions}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
