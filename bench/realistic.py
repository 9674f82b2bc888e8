"""Realistic traffic: many short conversations, as visitors really come and go.

Each simulated visitor asks three to five things and leaves; the next one
starts a fresh conversation. A conversation mixes the turns real ones have:
an opening (a greeting or straight to a question), FAQ questions, follow-ups,
a hand-off to the team, and a message the bot cannot answer. A few visitors
write in Vietnamese, Korean or Chinese (Simplified or Traditional). The
script is seeded, so two variants measured in one run receive exactly the
same messages.
"""
import asyncio
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Tuple
from urllib.parse import urlsplit

OPENINGS = ["hi", "hello there", "good morning"]
QUESTIONS = [
    "does foot massage help with sleep?", "what is reflexology?",
    "does massage help with stress?", "can massage lower my blood pressure?",
    "my feet always hurt, will it help?", "is massage good for circulation?",
    "is it safe during pregnancy?", "does it help after running?",
    "why are the feet called the second heart?", "massage for back pain?",
]
FOLLOW_UPS = ["how often should I come?", "when is the best time?", "thanks!",
              "and for the feet?"]
HANDOFFS = ["how can I contact you?", "where are you located?", "how much is it?",
            "what time do you open?"]
UNANSWERABLE = ["what's the weather tomorrow", "asdfgh", "can you recommend a restaurant?"]
OTHER_LANGUAGES = ["Massage chân có giúp ngủ ngon không?", "mat xa chan co tot cho huyet ap khong",
                   "발 마사지가 수면에 도움이 되나요?", "얼마나 자주 받아야 하나요?",
                   "做足疗能帮我入睡吗？", "足療多久做一次比較好"]
ENDINGS = ["thank you, bye", "ok thanks", "bye"]


def conversation(rng: random.Random) -> List[str]:
    """One visitor's messages: three to five turns of a realistic mix."""
    turns = rng.randint(3, 5)
    messages = [rng.choice(OPENINGS) if rng.random() < 0.4 else rng.choice(QUESTIONS)]
    while len(messages) < turns - 1:
        roll = rng.random()
        pool = (QUESTIONS if roll < 0.45 else FOLLOW_UPS if roll < 0.65 else
                HANDOFFS if roll < 0.8 else UNANSWERABLE if roll < 0.9 else OTHER_LANGUAGES)
        messages.append(rng.choice(pool))
    messages.append(rng.choice(ENDINGS) if rng.random() < 0.5 else rng.choice(QUESTIONS))
    return messages


class Connection:
    """One keep-alive HTTP/1.1 connection that posts JSON: a load generator light on CPU.

    The load runs on the machine it measures, so the client spends as little
    CPU as it can (a tenth of a general-purpose client's): the bench's
    figures are the server's.
    """

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self._streams: Tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, payload: Dict[str, str]) -> Tuple[int, Any]:
        """POST ``payload`` as JSON; (status, decoded JSON answer or None)."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        body = json.dumps(payload).encode()
        writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                     .encode() + body)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise ConnectionError("the server closed the connection") from None
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
        answer = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        try:
            return status, json.loads(answer) if answer else None
        except ValueError:
            return status, None

    async def close(self) -> None:
        """Close the connection (the next post opens a new one)."""
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


@dataclass
class LoadResult:
    """What one run of realistic traffic measured."""

    seconds: float
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    sent: Dict[str, int] = field(default_factory=dict)  # sender -> messages answered
    client_cpu_s: float = 0.0  # the load generator's own CPU time

    @property
    def messages(self) -> int:
        """Messages sent."""
        return len(self.latencies_ms)


def percentile(values: List[float], p: float) -> float:
    """The p-quantile of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


# A sender's messages, endless: (conversation id, text) pairs for sender number i.
Script = Callable[[int], Iterator[Tuple[str, str]]]


async def closed_loop(url: str, senders: int, seconds: float, script: Script) -> LoadResult:
    """``senders`` closed-loop senders for ``seconds``, each sending its script in turn."""
    result = LoadResult(seconds)

    async def sender(i: int, until: float) -> None:
        connection = Connection(url)
        for conversation_id, text in script(i):
            if time.perf_counter() >= until:
                break
            await send(result, connection, conversation_id, text)
        await connection.close()

    until = time.perf_counter() + seconds
    cpu = time.process_time()
    await asyncio.gather(*(sender(i, until) for i in range(senders)))
    result.client_cpu_s = time.process_time() - cpu
    return result


def visits(seed: int, prefix: str) -> Script:
    """Visitors who each start a new conversation every three to five messages."""
    def script(i: int) -> Iterator[Tuple[str, str]]:
        rng = random.Random(seed * 1000 + i)
        for n in itertools.count():
            for text in conversation(rng):
                yield f"{prefix}-{i}-{n}", text
    return script


async def run(url: str, senders: int, seconds: float, seed: int = 7,
              prefix: str = "visitor") -> LoadResult:
    """``senders`` closed-loop visitors for ``seconds``, each a series of short conversations."""
    return await closed_loop(url, senders, seconds, visits(seed, prefix))


async def send(result: LoadResult, connection: Connection, sender: str, text: str) -> None:
    """One message: its latency, and whether it was answered, into ``result``."""
    started = time.perf_counter()
    try:
        status, answer = await asyncio.wait_for(connection.post(
            "/webhooks/rest/webhook", {"sender": sender, "message": text}), 30)
        if status != 200 or not answer:
            result.errors += 1
        else:
            result.sent[sender] = result.sent.get(sender, 0) + 1
    except (OSError, asyncio.TimeoutError):
        result.errors += 1
        await connection.close()
    result.latencies_ms.append((time.perf_counter() - started) * 1000)


def summary(result: LoadResult) -> Dict[str, float]:
    """Throughput, latency percentiles and errors of a run."""
    lat = result.latencies_ms
    return {"msgs_per_s": result.messages / result.seconds, "p50_ms": percentile(lat, .5),
            "p95_ms": percentile(lat, .95), "errors": float(result.errors),
            "conversations": float(len(result.sent)),
            "client_cpu_ms": result.client_cpu_s * 1000 / max(1, result.messages)}


def cpu_seconds(pids: List[int]) -> float:
    """User plus system CPU seconds the processes have used so far."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def sample_pairs(result: LoadResult, limit: int = 10**9) -> List[Tuple[str, int]]:
    """(sender, messages answered) for up to ``limit`` conversations."""
    return sorted(result.sent.items())[:limit]
